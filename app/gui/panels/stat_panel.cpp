#include "app/gui/panels/stat_panel.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::panels {

QList<QRectF> gridCells(const QRectF &area, int n, bool horizontal, double gap)
{
    QList<QRectF> out;
    if (n <= 0)
        return out;
    // Pick the column count whose cells come closest to a pleasant aspect.
    int cols = horizontal ? n : 1;
    if (n > 1) {
        double best = 1e9;
        for (int c = 1; c <= n; ++c) {
            const int rows = (n + c - 1) / c;
            const double w = area.width() / c, h = area.height() / rows;
            const double target = horizontal ? 1.6 : 3.0;
            const double score = std::abs(std::log((w / h) / target));
            if (score < best) {
                best = score;
                cols = c;
            }
        }
    }
    const int rows = (n + cols - 1) / cols;
    const double w = (area.width() - gap * (cols - 1)) / cols;
    const double h = (area.height() - gap * (rows - 1)) / rows;
    for (int i = 0; i < n; ++i)
        out.push_back(QRectF(area.left() + (i % cols) * (w + gap), area.top() + (i / cols) * (h + gap), w, h));
    return out;
}

void StatPanel::rebuild() { m_values = reducedValues(); }

QStringList StatPanel::valueTexts() const
{
    QStringList out;
    for (const auto &v : m_values)
        out << v.display.toString();
    return out;
}

void StatPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (paintEmptyState(p, rect()))
        return;
    if (m_values.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No numeric data"));
        return;
    }
    const QString orientation = options().value(QLatin1String("orientation")).toString(QStringLiteral("auto"));
    const bool horizontal = orientation == u"auto" ? width() >= height() : orientation == u"vertical";
    const QString textMode = options().value(QLatin1String("textMode")).toString(QStringLiteral("auto"));
    const bool showName = textMode == u"value_and_name" || textMode == u"name" || (textMode == u"auto" && m_values.size() > 1);
    const QList<QRectF> cells = gridCells(QRectF(rect()).adjusted(2, 2, -2, -2), int(m_values.size()), horizontal);
    for (int i = 0; i < cells.size(); ++i)
        paintCell(p, cells.at(i), m_values.at(i), showName);
}

void StatPanel::paintCell(QPainter &p, const QRectF &r, const ReducedValue &v, bool showName) const
{
    const QString colorMode = options().value(QLatin1String("colorMode")).toString(QStringLiteral("value"));
    const QString textMode = options().value(QLatin1String("textMode")).toString(QStringLiteral("auto"));
    const bool graph = options().value(QLatin1String("graphMode")).toString(QStringLiteral("area")) == u"area"
                    && v.sparkline.size() > 1 && r.height() > 40;
    const QColor color = v.display.color.isValid() ? v.display.color : palette().color(QPalette::Text);
    const bool background = colorMode.startsWith(u"background");
    QColor textColor = palette().color(QPalette::Text);
    if (background) {
        if (colorMode == u"background_solid") {
            p.fillRect(r, color);
        } else {
            QLinearGradient g(r.topLeft(), r.bottomRight());
            g.setColorAt(0, color.lighter(115));
            g.setColorAt(1, color.darker(115));
            p.fillRect(r, g);
        }
        textColor = color.lightnessF() > 0.6 ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white);
    } else if (colorMode == u"value") {
        textColor = color;
    }

    // Sparkline in the lower part of the cell, behind the text.
    if (graph) {
        const QRectF g(r.left(), r.top() + r.height() * 0.55, r.width(), r.height() * 0.45);
        double lo = INFINITY, hi = -INFINITY;
        for (double x : v.sparkline)
            if (!std::isnan(x)) {
                lo = std::min(lo, x);
                hi = std::max(hi, x);
            }
        if (std::isfinite(lo)) {
            if (hi <= lo)
                hi = lo + 1;
            const qsizetype n = v.sparkline.size();
            const std::int64_t t0 = v.times.isEmpty() ? 0 : v.times.front();
            const std::int64_t t1 = v.times.isEmpty() ? n - 1 : v.times.back();
            QPainterPath line;
            bool started = false;
            // At most one point per pixel column: cost follows pixels.
            const qsizetype step = std::max<qsizetype>(1, n / std::max(1, int(g.width())));
            for (qsizetype i = 0; i < n; i += step) {
                const double y = v.sparkline.at(i);
                if (std::isnan(y))
                    continue;
                const double tx = v.times.isEmpty() ? double(i) : double(v.times.at(i));
                const QPointF pt(g.left() + (t1 > t0 ? (tx - t0) / double(t1 - t0) : 0) * g.width(),
                                 g.bottom() - (y - lo) / (hi - lo) * g.height() * 0.9);
                if (!started) {
                    line.moveTo(pt);
                    started = true;
                } else {
                    line.lineTo(pt);
                }
            }
            QPainterPath area = line;
            area.lineTo(line.currentPosition().x(), g.bottom());
            area.lineTo(line.elementAt(0).x, g.bottom());
            area.closeSubpath();
            const QColor lineColor = background ? QColor(255, 255, 255, 140) : color;
            QColor fill = lineColor;
            fill.setAlpha(background ? 50 : 40);
            p.fillPath(area, fill);
            p.setPen(QPen(lineColor, 1));
            p.drawPath(line);
        }
    }

    const bool nameOnly = textMode == u"name";
    const bool valueVisible = textMode != u"none" && !nameOnly;
    QRectF valueBox = r.adjusted(6, 4, -6, -4);
    if (graph)
        valueBox.setBottom(r.top() + r.height() * 0.62);
    if (showName || nameOnly) {
        QFont nf = font();
        const QRectF nameBox(valueBox.left(), valueBox.top(), valueBox.width(), std::min(valueBox.height() * (nameOnly ? 1.0 : 0.3), 28.0));
        nf = fittedFont(nf, v.name, nameBox.size(), 14);
        p.setFont(nf);
        p.setPen(background ? textColor : palette().color(QPalette::Text));
        p.drawText(nameBox, Qt::AlignCenter, QFontMetricsF(nf).elidedText(v.name, Qt::ElideRight, nameBox.width()));
        valueBox.setTop(nameBox.bottom());
    }
    if (!valueVisible)
        return;
    // Number big, unit suffix at 70 % size, as Grafana draws it.
    const viz::FormattedValue &fv = v.display.formatted;
    QFont vf = font();
    vf.setBold(true);
    vf = fittedFont(vf, fv.toString() + u' ', valueBox.size() * 0.92, 72);
    QFont sf = vf;
    sf.setPointSizeF(vf.pointSizeF() * 0.7);
    const QFontMetricsF vm(vf), sm(sf);
    const QString main = fv.prefix + fv.text;
    const double total = vm.horizontalAdvance(main) + sm.horizontalAdvance(fv.suffix);
    const double x = valueBox.center().x() - total / 2;
    const double baseline = valueBox.center().y() + (vm.ascent() - vm.descent()) / 2;
    p.setPen(textColor);
    p.setFont(vf);
    p.drawText(QPointF(x, baseline), main);
    p.setFont(sf);
    p.drawText(QPointF(x + vm.horizontalAdvance(main), baseline), fv.suffix);
}

} // namespace spyglass::gui::panels
