#include "app/gui/panels/bar_gauge_panel.h"

#include <QPainter>
#include <cmath>

namespace spyglass::gui::panels {

double BarGaugePanel::fillFraction(int i) const
{
    const ReducedValue &v = m_values.at(i);
    const double lo = v.config.min.value_or(0), hi = v.config.max.value_or(100);
    if (hi <= lo || std::isnan(v.display.numeric))
        return 0;
    return std::clamp((v.display.numeric - lo) / (hi - lo), 0.0, 1.0);
}

void BarGaugePanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (paintEmptyState(p, rect()))
        return;
    const QString mode = options().value(QLatin1String("displayMode")).toString(QStringLiteral("gradient"));
    const QString orientation = options().value(QLatin1String("orientation")).toString(QStringLiteral("auto"));
    const bool horizontal = orientation == u"auto" ? width() > height() * 0.6 || m_values.size() > 1 ? true : false
                                                   : orientation == u"horizontal";
    const bool showUnfilled = options().value(QLatin1String("showUnfilled")).toBool(true);
    const int n = int(m_values.size());
    if (n == 0)
        return;
    const QRectF area = QRectF(rect()).adjusted(4, 4, -4, -4);
    const double gap = 6;
    const QColor unfilled = palette().color(QPalette::Midlight);
    for (int i = 0; i < n; ++i) {
        const ReducedValue &v = m_values.at(i);
        const QColor color = v.display.color.isValid() ? v.display.color : palette().color(QPalette::Highlight);
        const double lo = v.config.min.value_or(0), hi = v.config.max.value_or(100);
        QRectF slot, bar, nameBox, valueBox;
        QFont nf = font();
        const QFontMetricsF nm(nf);
        if (horizontal) {
            const double h = (area.height() - gap * (n - 1)) / n;
            slot = QRectF(area.left(), area.top() + i * (h + gap), area.width(), h);
            const bool nameAbove = h >= 2.2 * nm.height();
            nameBox = nameAbove ? QRectF(slot.left(), slot.top(), slot.width(), nm.height())
                                : QRectF(slot.left(), slot.top(), std::min(slot.width() * 0.3, 160.0), slot.height());
            const double valueW = std::min(slot.width() * 0.25, 90.0);
            bar = nameAbove ? QRectF(slot.left(), nameBox.bottom() + 2, slot.width() - valueW - 6, slot.height() - nm.height() - 2)
                            : QRectF(nameBox.right() + 6, slot.top(), slot.width() - nameBox.width() - valueW - 12, slot.height());
            valueBox = QRectF(bar.right() + 6, bar.top(), valueW, bar.height());
        } else {
            const double w = (area.width() - gap * (n - 1)) / n;
            slot = QRectF(area.left() + i * (w + gap), area.top(), w, area.height());
            valueBox = QRectF(slot.left(), slot.top(), slot.width(), 24);
            nameBox = QRectF(slot.left(), slot.bottom() - nm.height(), slot.width(), nm.height());
            bar = QRectF(slot.left(), valueBox.bottom() + 2, slot.width(), nameBox.top() - valueBox.bottom() - 4);
        }
        const double f = fillFraction(i);
        if (mode == u"lcd") {
            const int cells = std::max(4, int((horizontal ? bar.width() : bar.height()) / 10));
            for (int c = 0; c < cells; ++c) {
                const double c0 = double(c) / cells, c1 = double(c + 1) / cells;
                QRectF cell = horizontal ? QRectF(bar.left() + c0 * bar.width(), bar.top(), bar.width() / cells - 2, bar.height())
                                         : QRectF(bar.left(), bar.bottom() - c1 * bar.height() + 2, bar.width(), bar.height() / cells - 2);
                const QColor cc = v.config.thresholds.colorFor(lo + (c0 + c1) / 2 * (hi - lo), lo, hi);
                QColor draw = cc.isValid() ? cc : color;
                if (c1 > f + 1e-9)
                    draw.setAlpha(40);
                p.fillRect(cell, draw);
            }
        } else {
            if (showUnfilled)
                p.fillRect(bar, unfilled);
            QRectF filled = horizontal ? QRectF(bar.left(), bar.top(), bar.width() * f, bar.height())
                                       : QRectF(bar.left(), bar.bottom() - bar.height() * f, bar.width(), bar.height() * f);
            if (mode == u"gradient") {
                QLinearGradient g(horizontal ? bar.topLeft() : bar.bottomLeft(), horizontal ? bar.topRight() : bar.topLeft());
                const auto &steps = v.config.thresholds.steps;
                if (steps.size() > 1 && hi > lo) {
                    for (int s = 0; s < steps.size(); ++s) {
                        const double at = s == 0 ? 0 : std::clamp((v.config.thresholds.absoluteValue(s, lo, hi) - lo) / (hi - lo), 0.0, 1.0);
                        g.setColorAt(at, steps.at(s).color);
                    }
                } else {
                    QColor start = color;
                    start.setAlpha(90);
                    g.setColorAt(0, start);
                    g.setColorAt(1, color);
                }
                p.fillRect(filled, g);
            } else {
                p.fillRect(filled, color);
            }
        }
        p.setPen(palette().color(QPalette::Text));
        p.setFont(nf);
        p.drawText(nameBox, Qt::AlignLeft | Qt::AlignVCenter, nm.elidedText(v.name, Qt::ElideRight, nameBox.width()));
        QFont vf = font();
        vf.setBold(true);
        vf = fittedFont(vf, v.display.toString(), valueBox.size(), 20);
        p.setFont(vf);
        p.setPen(color);
        p.drawText(valueBox, (horizontal ? Qt::AlignRight : Qt::AlignHCenter) | Qt::AlignVCenter, v.display.toString());
    }
}

} // namespace spyglass::gui::panels
