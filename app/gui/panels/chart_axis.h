#pragma once

#include "core/viz/field_config.h"

#include <QFontMetrics>
#include <QList>
#include <QRect>

class QPainter;

namespace spyglass::gui::panels {

// A value axis for the small charts (bar chart, histogram): nice ticks over
// [lo, hi] labelled in the field's unit.
struct ChartAxis
{
    double lo = 0, hi = 1, step = 1;
    QList<double> ticks;
    QString unit;
    std::optional<int> decimals;

    static ChartAxis make(double lo, double hi, int pixels, const QFontMetrics &fm, const QString &unit,
                          std::optional<int> decimals = std::nullopt);
    QString label(double v) const;
    int labelWidth(const QFontMetrics &fm) const;
    double toPixel(double v, double p0, double p1) const { return p0 + (v - lo) / (hi - lo) * (p1 - p0); }
    // Grid lines and labels; vertical = values go up the left side.
    void paint(QPainter &p, const QRect &plot, bool vertical, const QColor &grid, const QColor &text) const;
};

} // namespace spyglass::gui::panels
