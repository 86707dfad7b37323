#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's heatmap. Bucket series (Prometheus histograms: one series per
// `le` label) become rows ordered by bound, de-accumulated when cumulative;
// other series are bucketed here: time into columns, values into rows,
// counted. Colours follow options.color (scheme/exponent) over the counts.
class HeatmapPanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;

    QStringList rowLabels() const { return m_rowLabels; }
    const QList<std::int64_t> &columnTimes() const { return m_times; }
    // cells[row][column]
    const QList<QList<double>> &cells() const { return m_cells; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    void fromBuckets();
    void calculate();

    QStringList m_rowLabels;
    QList<std::int64_t> m_times;
    QList<QList<double>> m_cells;
    double m_max = 0;
};

} // namespace spyglass::gui::panels
