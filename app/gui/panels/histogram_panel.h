#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's histogram: the values of every numeric field counted into
// buckets (options.bucketSize, else about bucketCount (30) buckets of a nice
// width, offset by bucketOffset); one overlaid colour per field, or all
// fields combined (options.combine).
class HistogramPanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;

    struct Series
    {
        QString name;
        QColor color;
        QList<double> counts; // per bucket
    };
    double bucketStart() const { return m_start; }
    double bucketSize() const { return m_size; }
    const QList<Series> &series() const { return m_series; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    double m_start = 0, m_size = 1;
    int m_buckets = 0;
    QString m_unit;
    QList<Series> m_series;
};

} // namespace spyglass::gui::panels
