#include "app/gui/panels/bar_chart_panel.h"

#include "app/gui/panels/chart_axis.h"
#include "core/viz/colors.h"

#include <QDateTime>
#include <QPainter>
#include <cmath>

namespace spyglass::gui::panels {

void BarChartPanel::rebuild()
{
    m_names.clear();
    m_colors.clear();
    m_configs.clear();
    m_groups.clear();
    if (frames().isEmpty())
        return;
    const model::Frame &frame = frames().front(); // Grafana's bar chart reads one frame
    const QString xName = options().value(QLatin1String("xField")).toString();
    const model::Field *x = xName.isEmpty() ? frame.firstOfType(model::FieldType::String) : frame.field(xName);
    if (!x)
        x = frame.firstOfType(model::FieldType::Time);
    QList<const model::Field *> values;
    for (const model::Field &f : frame.fields())
        if (viz::isNumeric(f) && &f != x) {
            values << &f;
            const viz::FieldConfig c = fieldConfig().resolve(frame, f);
            m_configs << c;
            m_names << viz::fieldDisplayName(frame, f, c.displayName);
            m_colors << (c.colorMode == u"fixed" && c.fixedColor.isValid() ? c.fixedColor : viz::classicPaletteColor(int(m_colors.size())));
        }
    for (qsizetype r = 0; r < frame.rowCount(); ++r) {
        Group g;
        if (!x)
            g.category = QString::number(r + 1);
        else if (x->type() == model::FieldType::Time)
            g.category = QDateTime::fromMSecsSinceEpoch(x->int64s().at(r)).toString(QStringLiteral("HH:mm"));
        else
            g.category = x->displayValue(r);
        for (const model::Field *f : values)
            g.values << viz::numericValues(*f).at(r);
        m_groups << g;
    }
}

void BarChartPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (paintEmptyState(p, rect()))
        return;
    if (m_groups.isEmpty() || m_names.isEmpty())
        return;
    const QString orientation = options().value(QLatin1String("orientation")).toString(QStringLiteral("auto"));
    const bool horizontal = orientation == u"horizontal" || (orientation == u"auto" && width() < height());
    const bool stacked = options().value(QLatin1String("stacking")).toString(QStringLiteral("none")) != u"none";
    const bool showValues = options().value(QLatin1String("showValue")).toString(QStringLiteral("auto")) != u"never";
    double lo = 0, hi = 0;
    for (const Group &g : m_groups) {
        double pos = 0, neg = 0;
        for (double v : g.values) {
            if (std::isnan(v))
                continue;
            if (stacked) {
                (v >= 0 ? pos : neg) += v;
            } else {
                hi = std::max(hi, v);
                lo = std::min(lo, v);
            }
        }
        if (stacked) {
            hi = std::max(hi, pos);
            lo = std::min(lo, neg);
        }
    }
    const QFontMetrics fm(font());
    const QColor text = palette().color(QPalette::Text);
    const QColor grid = palette().color(QPalette::Midlight);
    const viz::FieldConfig &cfg = m_configs.front();
    // Legend row at the bottom when there are several series.
    int legendH = m_names.size() > 1 ? fm.height() + 4 : 0;
    QRect area = rect().adjusted(4, 4, -8, -4 - legendH);
    int catW = 0;
    for (const Group &g : m_groups)
        catW = std::max(catW, fm.horizontalAdvance(g.category));
    ChartAxis axis = ChartAxis::make(cfg.min.value_or(lo), cfg.max.value_or(hi), horizontal ? area.width() : area.height(), fm, cfg.unit, cfg.decimals);
    QRect plot = horizontal ? area.adjusted(std::min(catW, area.width() / 3) + 6, 0, 0, -fm.height() - 4)
                            : area.adjusted(axis.labelWidth(fm) + 8, 0, 0, -fm.height() - 4);
    axis.paint(p, plot, !horizontal, grid, text.darker(130));
    const int n = int(m_groups.size());
    const double slot = (horizontal ? plot.height() : plot.width()) / double(n);
    const int series = int(m_names.size());
    const double groupW = slot * 0.8;
    const double barW = stacked ? groupW : groupW / series;
    for (int i = 0; i < n; ++i) {
        const Group &g = m_groups.at(i);
        const double start = (horizontal ? plot.top() : plot.left()) + i * slot + (slot - groupW) / 2;
        double pos = 0, neg = 0;
        for (int s = 0; s < series; ++s) {
            const double v = g.values.value(s);
            if (std::isnan(v))
                continue;
            double a = 0, b = v;
            if (stacked) {
                double &acc = v >= 0 ? pos : neg;
                a = acc;
                b = acc + v;
                acc = b;
            }
            const double off = stacked ? 0 : s * barW;
            QRectF bar;
            if (horizontal) {
                const double x0 = axis.toPixel(a, plot.left(), plot.right()), x1 = axis.toPixel(b, plot.left(), plot.right());
                bar = QRectF(std::min(x0, x1), start + off, std::abs(x1 - x0), barW - 1);
            } else {
                const double y0 = axis.toPixel(a, plot.bottom(), plot.top()), y1 = axis.toPixel(b, plot.bottom(), plot.top());
                bar = QRectF(start + off, std::min(y0, y1), barW - 1, std::abs(y1 - y0));
            }
            QColor c = m_colors.at(s);
            if (m_configs.at(s).colorMode == u"thresholds")
                c = m_configs.at(s).thresholds.colorFor(v);
            p.fillRect(bar, c);
            if (showValues && !stacked) {
                const QString t = viz::displayValue(m_configs.at(s), v).toString();
                if ((horizontal ? bar.height() : bar.width()) >= fm.height() && fm.horizontalAdvance(t) <= (horizontal ? plot.right() - bar.right() : barW + 20)) {
                    p.setPen(text);
                    if (horizontal)
                        p.drawText(QRectF(bar.right() + 3, bar.top(), 80, bar.height()), Qt::AlignLeft | Qt::AlignVCenter, t);
                    else
                        p.drawText(QRectF(bar.center().x() - 40, bar.top() - fm.height() - 1, 80, fm.height()), Qt::AlignCenter, t);
                }
            }
        }
        p.setPen(text);
        const QString label = fm.elidedText(g.category, Qt::ElideRight, int(horizontal ? plot.left() - area.left() - 4 : slot));
        if (horizontal)
            p.drawText(QRectF(area.left(), start, plot.left() - area.left() - 4, groupW), Qt::AlignRight | Qt::AlignVCenter, label);
        else
            p.drawText(QRectF(start - (slot - groupW) / 2, plot.bottom() + 3, slot, fm.height()), Qt::AlignHCenter | Qt::AlignTop, label);
    }
    if (legendH) {
        int x = area.left() + 4;
        for (int s = 0; s < series; ++s) {
            p.fillRect(QRect(x, rect().bottom() - legendH / 2 - 4, 10, 8), m_colors.at(s));
            p.setPen(text);
            p.drawText(x + 14, rect().bottom() - legendH / 2 + fm.ascent() / 2 - 1, m_names.at(s));
            x += 26 + fm.horizontalAdvance(m_names.at(s));
        }
    }
}

} // namespace spyglass::gui::panels
