#pragma once

#include <QColor>

namespace spyglass::gui::widgets {

// Grafana's classic palette, so series look the way Grafana users expect;
// the colour of series i is stable for a given result order.
QColor seriesColor(int index);
int seriesPaletteSize();

} // namespace spyglass::gui::widgets
