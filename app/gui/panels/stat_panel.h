#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's stat panel: one big reduced value per field (or per row), in a
// grid, with an optional sparkline. Options: reduceOptions, colorMode
// (value, background, background_solid, none), graphMode (area, none),
// textMode (auto, value, value_and_name, name, none), orientation.
class StatPanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;
    const QList<ReducedValue> &values() const { return m_values; }
    // The texts as drawn ("12.3 ms"), for tests and accessibility.
    QStringList valueTexts() const;

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    void paintCell(QPainter &p, const QRectF &r, const ReducedValue &v, bool showName) const;
    QList<ReducedValue> m_values;
};

// Lays n cells out in rows/columns; horizontal = side by side.
QList<QRectF> gridCells(const QRectF &area, int n, bool horizontal, double gap = 4);

} // namespace spyglass::gui::panels
