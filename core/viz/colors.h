#pragma once

#include <QColor>
#include <QString>

namespace spyglass::viz {

// A Grafana colour: a named colour of its palette ("green", "semi-dark-red",
// "super-light-blue", "text", "transparent"), "#rrggbb", "rgb(...)" or
// "rgba(...)". Unknown names give an invalid QColor.
QColor resolveColor(const QString &name);

// Grafana's classic series palette (palette-classic), index wraps around.
QColor classicPaletteColor(int index);

// A continuous colour scheme id (continuous-GrYlRd, continuous-RdYlGr,
// continuous-BlYlRd, continuous-YlRd, continuous-BlPu, continuous-YlBl,
// continuous-blues, continuous-reds, continuous-greens, continuous-purples)
// evaluated at t in [0, 1]. Unknown ids fall back to green-yellow-red.
QColor continuousColor(const QString &schemeId, double t);
bool isContinuousScheme(const QString &modeId);

} // namespace spyglass::viz
