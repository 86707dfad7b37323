#include "app/gui/panels/heatmap_panel.h"

#include "app/gui/widgets/axis_ticks.h"
#include "core/viz/colors.h"
#include "core/viz/units.h"

#include <QDateTime>
#include <QMap>
#include <QPainter>
#include <QTimeZone>
#include <cmath>

namespace spyglass::gui::panels {

namespace {
double leValue(const QString &le)
{
    if (le == u"+Inf" || le == u"Inf")
        return INFINITY;
    return le.toDouble();
}
} // namespace

void HeatmapPanel::rebuild()
{
    m_rowLabels.clear();
    m_times.clear();
    m_cells.clear();
    m_max = 0;
    bool buckets = !frames().isEmpty();
    for (const model::Frame &f : frames())
        for (const model::Field &x : f.fields())
            if (viz::isNumeric(x) && !x.seriesLabels().has(u"le"))
                buckets = false;
    if (buckets)
        fromBuckets();
    else
        calculate();
    for (const auto &row : m_cells)
        for (double v : row)
            if (std::isfinite(v))
                m_max = std::max(m_max, v);
}

void HeatmapPanel::fromBuckets()
{
    // le -> (time -> value), summing series that differ only in other labels.
    QMap<double, QMap<std::int64_t, double>> byLe;
    QMap<double, QString> names;
    QMap<std::int64_t, bool> times;
    for (const model::Frame &f : frames()) {
        const model::Field *t = f.firstOfType(model::FieldType::Time);
        if (!t)
            continue;
        for (const model::Field &x : f.fields()) {
            if (!viz::isNumeric(x))
                continue;
            const QString le = x.seriesLabels().value(u"le");
            const double bound = leValue(le);
            names[bound] = le;
            const QList<double> v = viz::numericValues(x);
            for (qsizetype i = 0; i < v.size(); ++i) {
                if (std::isnan(v.at(i)))
                    continue;
                byLe[bound][t->int64s().at(i)] += v.at(i);
                times[t->int64s().at(i)] = true;
            }
        }
    }
    m_times = times.keys();
    const QList<double> bounds = byLe.keys();
    QList<QList<double>> raw;
    for (double b : bounds) {
        QList<double> row;
        for (std::int64_t t : m_times)
            row << byLe[b].value(t, NAN);
        raw << row;
    }
    // Prometheus buckets are cumulative: subtract the bucket below.
    bool cumulative = raw.size() > 1;
    for (qsizetype r = 1; r < raw.size() && cumulative; ++r)
        for (qsizetype c = 0; c < m_times.size(); ++c)
            if (raw[r][c] + 1e-9 < raw[r - 1][c])
                cumulative = false;
    m_cells = raw;
    if (cumulative)
        for (qsizetype r = raw.size() - 1; r >= 1; --r)
            for (qsizetype c = 0; c < m_times.size(); ++c)
                m_cells[r][c] = raw[r][c] - raw[r - 1][c];
    for (double b : bounds)
        m_rowLabels << names.value(b);
}

void HeatmapPanel::calculate()
{
    double lo = INFINITY, hi = -INFINITY;
    std::int64_t t0 = rangeFrom(), t1 = rangeTo();
    bool haveRange = t1 > t0;
    std::int64_t dataT0 = std::numeric_limits<std::int64_t>::max(), dataT1 = std::numeric_limits<std::int64_t>::min();
    for (const model::Frame &f : frames()) {
        const model::Field *t = f.firstOfType(model::FieldType::Time);
        if (!t)
            continue;
        for (const model::Field &x : f.fields())
            if (viz::isNumeric(x))
                for (double v : viz::numericValues(x))
                    if (!std::isnan(v)) {
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
        if (!t->int64s().isEmpty()) {
            dataT0 = std::min(dataT0, t->int64s().front());
            dataT1 = std::max(dataT1, t->int64s().back());
        }
    }
    if (!std::isfinite(lo))
        return;
    if (!haveRange) {
        t0 = dataT0;
        t1 = std::max(dataT1, dataT0 + 1);
    }
    const int cols = 60, rows = 12;
    const widgets::ValueTicks ticks = widgets::niceValueTicks(lo, hi, rows);
    const double size = ticks.step > 0 ? ticks.step : 1;
    const double start = std::floor(lo / size) * size;
    const int nrows = std::max(1, int(std::floor((hi - start) / size)) + 1);
    m_cells = QList<QList<double>>(nrows, QList<double>(cols, 0));
    for (int c = 0; c < cols; ++c)
        m_times << t0 + (t1 - t0) * c / cols;
    for (const model::Frame &f : frames()) {
        const model::Field *t = f.firstOfType(model::FieldType::Time);
        if (!t)
            continue;
        for (const model::Field &x : f.fields()) {
            if (!viz::isNumeric(x))
                continue;
            const QList<double> v = viz::numericValues(x);
            for (qsizetype i = 0; i < v.size(); ++i) {
                if (std::isnan(v.at(i)))
                    continue;
                const int c = int((t->int64s().at(i) - t0) * cols / std::max<std::int64_t>(1, t1 - t0));
                if (c < 0 || c >= cols)
                    continue;
                m_cells[std::clamp(int((v.at(i) - start) / size), 0, nrows - 1)][c] += 1;
            }
        }
    }
    const QString unit = fieldConfig().defaults().unit;
    for (int r = 0; r < nrows; ++r)
        m_rowLabels << viz::formatValue(start + r * size, unit.isEmpty() ? QStringLiteral("short") : unit).toString();
}

void HeatmapPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (paintEmptyState(p, rect()) || m_cells.isEmpty() || m_times.isEmpty())
        return;
    const QFontMetrics fm(font());
    int labelW = 0;
    for (const QString &l : m_rowLabels)
        labelW = std::max(labelW, fm.horizontalAdvance(l));
    const QRect plot = rect().adjusted(labelW + 10, 4, -8, -fm.height() - 22);
    const QJsonObject color = options().value(QLatin1String("color")).toObject();
    const double exponent = color.value(QLatin1String("exponent")).toDouble(0.5);
    const QString scheme = color.value(QLatin1String("scheme")).toString(QStringLiteral("Oranges"));
    // On the dark theme low counts fade into the background and high counts
    // glow, as Grafana's dark heatmaps do; named schemes pick the hue.
    const QColor hue = scheme == u"Blues" ? viz::resolveColor(QStringLiteral("blue"))
                     : scheme == u"Reds" ? viz::resolveColor(QStringLiteral("red"))
                     : scheme == u"Greens" ? viz::resolveColor(QStringLiteral("green"))
                     : scheme == u"Purples" ? viz::resolveColor(QStringLiteral("purple"))
                                            : viz::resolveColor(QStringLiteral("orange"));
    const QColor low = palette().color(QPalette::Base).lighter(130);
    const QColor high = hue.lighter(150);
    auto colorAt = [&](double t) {
        t = std::clamp(t, 0.0, 1.0);
        const QColor a = t < 0.6 ? low : hue, b = t < 0.6 ? hue : high;
        const double u = t < 0.6 ? t / 0.6 : (t - 0.6) / 0.4;
        return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * u), float(a.greenF() + (b.greenF() - a.greenF()) * u),
                                float(a.blueF() + (b.blueF() - a.blueF()) * u));
    };
    const int nrows = int(m_cells.size()), ncols = int(m_times.size());
    const double cw = plot.width() / double(ncols), ch = plot.height() / double(nrows);
    for (int r = 0; r < nrows; ++r)
        for (int c = 0; c < ncols; ++c) {
            const double v = m_cells[r][c];
            if (!(v > 0))
                continue;
            const double t = m_max > 0 ? std::pow(v / m_max, exponent) : 0;
            QColor col = colorAt(t);
            p.fillRect(QRectF(plot.left() + c * cw, plot.bottom() - (r + 1) * ch, std::max(1.0, cw - 1), std::max(1.0, ch - 1)), col);
        }
    p.setPen(palette().color(QPalette::Text).darker(130));
    const int every = std::max(1, int(std::ceil(fm.height() / std::max(1.0, ch))));
    for (int r = 0; r < nrows; r += every)
        p.drawText(QRectF(0, plot.bottom() - (r + 0.5) * ch - fm.height() / 2.0, labelW + 4, fm.height()), Qt::AlignRight | Qt::AlignVCenter, m_rowLabels.value(r));
    if (m_times.size() > 1) {
        const auto ticks = widgets::niceTimeTicks(m_times.front(), m_times.back(), std::max(2, plot.width() / 90), QTimeZone::systemTimeZone());
        for (const auto &tick : ticks.ticks) {
            const double x = plot.left() + double(tick.t - m_times.front()) / double(m_times.back() - m_times.front()) * (plot.width() - cw) + cw / 2;
            p.drawText(QRectF(x - 40, plot.bottom() + 3, 80, fm.height()), Qt::AlignHCenter, tick.label);
        }
    }
    // Colour scale under the axis.
    const QRect scale(plot.left(), rect().bottom() - 12, std::min(200, plot.width()), 8);
    for (int x = 0; x < scale.width(); ++x)
        p.fillRect(QRect(scale.left() + x, scale.top(), 1, scale.height()), colorAt(double(x) / scale.width()));
    p.drawText(scale.right() + 6, scale.bottom(), viz::formatValue(m_max, QStringLiteral("short")).toString());
}

} // namespace spyglass::gui::panels
