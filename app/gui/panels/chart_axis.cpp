#include "app/gui/panels/chart_axis.h"

#include "app/gui/widgets/axis_ticks.h"
#include "core/viz/units.h"

#include <QPainter>
#include <cmath>

namespace spyglass::gui::panels {

ChartAxis ChartAxis::make(double lo, double hi, int pixels, const QFontMetrics &fm, const QString &unit, std::optional<int> decimals)
{
    ChartAxis a;
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    const widgets::ValueTicks t = widgets::niceValueTicks(lo, hi, std::max(2, pixels / (fm.height() * 3)));
    a.lo = t.min;
    a.hi = t.max > t.min ? t.max : t.min + 1;
    a.step = t.step;
    a.ticks = t.values;
    a.unit = unit;
    a.decimals = decimals;
    return a;
}

QString ChartAxis::label(double v) const
{
    const int dec = decimals.value_or(std::max(0, int(-std::floor(std::log10(std::max(step, 1e-12))))));
    return viz::formatValue(v, unit.isEmpty() ? QStringLiteral("short") : unit, dec).toString();
}

int ChartAxis::labelWidth(const QFontMetrics &fm) const
{
    int w = 0;
    for (double t : ticks)
        w = std::max(w, fm.horizontalAdvance(label(t)));
    return w;
}

void ChartAxis::paint(QPainter &p, const QRect &plot, bool vertical, const QColor &grid, const QColor &text) const
{
    const QFontMetrics fm = p.fontMetrics();
    for (double t : ticks) {
        if (vertical) {
            const int y = int(std::round(toPixel(t, plot.bottom(), plot.top())));
            p.setPen(QPen(grid, 0));
            p.drawLine(plot.left(), y, plot.right(), y);
            p.setPen(text);
            p.drawText(QRect(0, y - fm.height() / 2, plot.left() - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter, label(t));
        } else {
            const int x = int(std::round(toPixel(t, plot.left(), plot.right())));
            p.setPen(QPen(grid, 0));
            p.drawLine(x, plot.top(), x, plot.bottom());
            p.setPen(text);
            const QString l = label(t);
            p.drawText(QRect(x - 40, plot.bottom() + 3, 80, fm.height()), Qt::AlignHCenter | Qt::AlignTop, l);
        }
    }
}

} // namespace spyglass::gui::panels
