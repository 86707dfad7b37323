#include "app/gui/panels/gauge_panel.h"

#include "app/gui/panels/stat_panel.h"

#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace spyglass::gui::panels {

namespace {
constexpr double kStartDeg = 210;
constexpr double kSweepDeg = 240;

void arc(QPainter &p, const QRectF &box, double from, double to, const QColor &c, double width)
{
    // drawArc takes 1/16 degree, counter-clockwise positive; we sweep clockwise.
    p.setPen(QPen(c, width, Qt::SolidLine, Qt::FlatCap));
    p.drawArc(box, int((kStartDeg - from * kSweepDeg) * 16), int(-(to - from) * kSweepDeg * 16));
}
} // namespace

double GaugePanel::fillFraction(int i) const
{
    const ReducedValue &v = m_values.at(i);
    const double lo = v.config.min.value_or(0), hi = v.config.max.value_or(100);
    if (hi <= lo || std::isnan(v.display.numeric))
        return 0;
    return std::clamp((v.display.numeric - lo) / (hi - lo), 0.0, 1.0);
}

void GaugePanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (paintEmptyState(p, rect()))
        return;
    const bool markers = options().value(QLatin1String("showThresholdMarkers")).toBool(true);
    const QList<QRectF> cells = gridCells(QRectF(rect()).adjusted(4, 4, -4, -4), int(m_values.size()), width() >= height(), 8);
    for (int i = 0; i < cells.size(); ++i) {
        const ReducedValue &v = m_values.at(i);
        QRectF cell = cells.at(i);
        const bool showName = m_values.size() > 1;
        if (showName) {
            p.setPen(palette().color(QPalette::Text));
            QFont nf = fittedFont(font(), v.name, QSizeF(cell.width(), 18), 11);
            p.setFont(nf);
            p.drawText(QRectF(cell.left(), cell.bottom() - 18, cell.width(), 18), Qt::AlignCenter,
                       QFontMetricsF(nf).elidedText(v.name, Qt::ElideRight, cell.width()));
            cell.setBottom(cell.bottom() - 20);
        }
        const double side = std::min(cell.width(), cell.height() * 1.15);
        const double thick = side * 0.11;
        QRectF box(0, 0, side - 2 * thick - 8, side - 2 * thick - 8);
        box.moveCenter(QPointF(cell.center().x(), cell.top() + 4 + thick + box.height() / 2));
        const double lo = v.config.min.value_or(0), hi = v.config.max.value_or(100);
        arc(p, box, 0, 1, palette().color(QPalette::Midlight), thick);
        const QColor color = v.display.color.isValid() ? v.display.color : palette().color(QPalette::Highlight);
        arc(p, box, 0, fillFraction(i), color, thick);
        if (markers && hi > lo) {
            const QRectF outer = box.adjusted(-thick * 0.95, -thick * 0.95, thick * 0.95, thick * 0.95);
            const auto &steps = v.config.thresholds.steps;
            for (int s = 0; s < steps.size(); ++s) {
                const double a = s == 0 ? lo : v.config.thresholds.absoluteValue(s, lo, hi);
                const double b = s + 1 < steps.size() ? v.config.thresholds.absoluteValue(s + 1, lo, hi) : hi;
                const double fa = std::clamp((a - lo) / (hi - lo), 0.0, 1.0), fb = std::clamp((b - lo) / (hi - lo), 0.0, 1.0);
                if (fb > fa)
                    arc(p, outer, fa, fb, steps.at(s).color, thick * 0.3);
            }
        }
        const QString text = v.display.toString();
        QFont vf = font();
        vf.setBold(true);
        vf = fittedFont(vf, text, QSizeF(box.width() * 0.7, box.height() * 0.3), 48);
        p.setFont(vf);
        p.setPen(color);
        p.drawText(box, Qt::AlignCenter, text);
    }
}

} // namespace spyglass::gui::panels
