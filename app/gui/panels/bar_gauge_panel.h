#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's bar gauge: one bar per reduced value, displayMode basic,
// gradient (through the threshold colours) or lcd (lit cells), horizontal or
// vertical, with the unfilled part shown (showUnfilled).
class BarGaugePanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;
    const QList<ReducedValue> &values() const { return m_values; }
    double fillFraction(int i) const;

protected:
    void rebuild() override { m_values = reducedValues(); }
    void paintEvent(QPaintEvent *event) override;

private:
    QList<ReducedValue> m_values;
};

} // namespace spyglass::gui::panels
