#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's gauge: a 240-degree arc per reduced value between the field's
// min and max (default 0-100), coloured by thresholds, with the threshold
// bands as a thin outer ring (showThresholdMarkers).
class GaugePanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;
    const QList<ReducedValue> &values() const { return m_values; }
    // Fraction of the arc filled for value i, in [0, 1].
    double fillFraction(int i) const;

protected:
    void rebuild() override { m_values = reducedValues(); }
    void paintEvent(QPaintEvent *event) override;

private:
    QList<ReducedValue> m_values;
};

} // namespace spyglass::gui::panels
