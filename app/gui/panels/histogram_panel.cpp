#include "app/gui/panels/histogram_panel.h"

#include "app/gui/panels/chart_axis.h"
#include "app/gui/widgets/axis_ticks.h"
#include "core/viz/colors.h"

#include <QPainter>
#include <cmath>

namespace spyglass::gui::panels {

void HistogramPanel::rebuild()
{
    m_series.clear();
    m_buckets = 0;
    QList<QPair<QString, QList<double>>> inputs;
    double lo = INFINITY, hi = -INFINITY;
    for (const model::Frame &frame : frames())
        for (const model::Field &f : frame.fields()) {
            if (!viz::isNumeric(f))
                continue;
            const viz::FieldConfig c = fieldConfig().resolve(frame, f);
            if (m_unit.isEmpty())
                m_unit = c.unit;
            QList<double> v = viz::numericValues(f);
            for (double x : v)
                if (!std::isnan(x)) {
                    lo = std::min(lo, x);
                    hi = std::max(hi, x);
                }
            inputs.push_back({viz::fieldDisplayName(frame, f, c.displayName), std::move(v)});
        }
    if (inputs.isEmpty() || !std::isfinite(lo))
        return;
    const double configured = options().value(QLatin1String("bucketSize")).toDouble(0);
    const int count = options().value(QLatin1String("bucketCount")).toInt(30);
    const double offset = options().value(QLatin1String("bucketOffset")).toDouble(0);
    m_size = configured > 0 ? configured : widgets::niceValueTicks(0, std::max(hi - lo, 1e-9), std::max(1, count)).step;
    if (!(m_size > 0))
        m_size = 1;
    m_start = std::floor((lo - offset) / m_size) * m_size + offset;
    m_buckets = std::max(1, int(std::floor((hi - m_start) / m_size)) + 1);
    if (options().value(QLatin1String("combine")).toBool()) {
        QList<double> all;
        for (const auto &in : inputs)
            all += in.second;
        inputs = {{tr("Count"), all}};
    }
    for (int i = 0; i < inputs.size(); ++i) {
        Series s{inputs.at(i).first, viz::classicPaletteColor(i), QList<double>(m_buckets, 0)};
        for (double x : inputs.at(i).second)
            if (!std::isnan(x))
                s.counts[std::clamp(int(std::floor((x - m_start) / m_size)), 0, m_buckets - 1)] += 1;
        m_series << s;
    }
}

void HistogramPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (paintEmptyState(p, rect()) || m_series.isEmpty())
        return;
    const QFontMetrics fm(font());
    double maxCount = 1;
    for (const Series &s : m_series)
        for (double c : s.counts)
            maxCount = std::max(maxCount, c);
    const QRect area = rect().adjusted(4, 6, -10, -4 - (m_series.size() > 1 ? fm.height() + 2 : 0));
    ChartAxis y = ChartAxis::make(0, maxCount, area.height(), fm, QStringLiteral("short"));
    ChartAxis x = ChartAxis::make(m_start, m_start + m_size * m_buckets, area.width(), fm, m_unit);
    x.lo = m_start;
    x.hi = m_start + m_size * m_buckets;
    const QRect plot = area.adjusted(y.labelWidth(fm) + 8, 0, 0, -fm.height() - 4);
    const QColor grid = palette().color(QPalette::Midlight), text = palette().color(QPalette::Text).darker(130);
    y.paint(p, plot, true, grid, text);
    QList<double> ticks;
    for (double t : x.ticks)
        if (t >= x.lo && t <= x.hi)
            ticks << t;
    x.ticks = ticks;
    x.paint(p, plot, false, Qt::transparent, text);
    const double bw = plot.width() / double(m_buckets);
    for (const Series &s : m_series) {
        QColor c = s.color;
        c.setAlpha(m_series.size() > 1 ? 150 : 220);
        for (int b = 0; b < m_buckets; ++b) {
            if (s.counts.at(b) <= 0)
                continue;
            const double top = y.toPixel(s.counts.at(b), plot.bottom(), plot.top());
            p.fillRect(QRectF(plot.left() + b * bw + 0.5, top, std::max(1.0, bw - 1), plot.bottom() - top), c);
        }
    }
    if (m_series.size() > 1) {
        int lx = plot.left();
        for (const Series &s : m_series) {
            p.fillRect(QRect(lx, rect().bottom() - fm.height() / 2 - 4, 10, 8), s.color);
            p.setPen(palette().color(QPalette::Text));
            p.drawText(lx + 14, rect().bottom() - fm.height() / 2 + fm.ascent() / 2 - 1, s.name);
            lx += 26 + fm.horizontalAdvance(s.name);
        }
    }
}

} // namespace spyglass::gui::panels
