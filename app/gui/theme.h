#pragma once

class QApplication;

namespace spyglass::gui {

// A dark look close to Grafana's (Fusion style, dark palette): dashboards and
// plots are easier on the eyes and match what observability users know.
void applyDarkTheme(QApplication &app);

} // namespace spyglass::gui
