#include "app/gui/logs/log_volume_histogram.h"

#include "app/gui/logs/logs_model.h"
#include "app/gui/widgets/axis_ticks.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::logs {

namespace {
constexpr double kLeft = 44, kRight = 8, kTop = 6, kBottom = 18;
}

LogVolumeHistogram::LogVolumeHistogram(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setFixedHeight(96);
    setToolTip(tr("Log volume by level; drag to zoom into a time range"));
}

void LogVolumeHistogram::setTimeRange(model::TimestampMs from, model::TimestampMs to)
{
    m_rangeFrom = from;
    m_rangeTo = to;
    rebucket();
}

void LogVolumeHistogram::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone;
    update();
}

void LogVolumeHistogram::clear()
{
    m_points.clear();
    rebucket();
}

void LogVolumeHistogram::setFromModel(const LogsModel &model)
{
    m_points.clear();
    m_points.reserve(size_t(std::min<qsizetype>(model.totalLines(), 1 << 20)));
    model.forEachEntry([this](std::int64_t ns, LogLevel level) {
        const std::int64_t ms = ns / 1'000'000;
        // Lines of the same millisecond and level fold into one point, which
        // keeps a burst of a million lines cheap to re-bucket on resize.
        if (!m_points.empty() && m_points.back().ms == ms && m_points.back().level == level) {
            m_points.back().count += 1;
            return;
        }
        m_points.push_back({ms, level, 1});
    });
    rebucket();
}

void LogVolumeHistogram::setFromSeries(const model::Frames &frames)
{
    m_points.clear();
    for (const auto &f : frames) {
        if (f.kind() != model::FrameKind::TimeSeries)
            continue;
        const auto *t = f.firstOfType(model::FieldType::Time);
        const auto *v = f.firstOfType(model::FieldType::Float64);
        if (!t || !v)
            continue;
        const model::Labels l = f.seriesLabels();
        LogLevel level = parseLogLevel(l.value(u"level"));
        if (level == LogLevel::Unknown)
            level = parseLogLevel(l.value(u"detected_level"));
        for (qsizetype i = 0; i < t->size(); ++i)
            if (std::isfinite(v->doubles()[i]))
                m_points.push_back({t->int64s()[i], level, v->doubles()[i]});
    }
    std::sort(m_points.begin(), m_points.end(), [](const Point &a, const Point &b) { return a.ms < b.ms; });
    rebucket();
}

std::int64_t LogVolumeHistogram::bucketStartMs(int bucket) const { return m_fromMs + bucket * m_bucketMs; }

double LogVolumeHistogram::count(int bucket, LogLevel level) const
{
    return m_buckets[size_t(bucket)][size_t(level)];
}

double LogVolumeHistogram::total(int bucket) const
{
    double s = 0;
    for (double c : m_buckets[size_t(bucket)])
        s += c;
    return s;
}

double LogVolumeHistogram::totalLines() const
{
    double s = 0;
    for (int b = 0; b < bucketCount(); ++b)
        s += total(b);
    return s;
}

QRectF LogVolumeHistogram::plotRect() const
{
    return QRectF(kLeft, kTop, std::max(10.0, width() - kLeft - kRight), std::max(10.0, height() - kTop - kBottom));
}

void LogVolumeHistogram::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    rebucket();
}

void LogVolumeHistogram::rebucket()
{
    m_buckets.clear();
    m_maxTotal = 0;
    if (m_rangeTo > m_rangeFrom) {
        m_fromMs = m_rangeFrom;
        m_toMs = m_rangeTo;
    } else if (!m_points.empty()) {
        m_fromMs = m_points.front().ms;
        m_toMs = std::max(m_points.back().ms, m_fromMs + 1000);
    } else {
        m_fromMs = m_toMs = 0;
        update();
        return;
    }
    // Round bucket widths (Grafana-like), about one bar per 8 pixels.
    static const std::int64_t steps[] = {1,       10,      100,     1000,     2000,     5000,     10000,
                                         15000,   30000,   60000,   120000,   300000,   600000,   900000,
                                         1800000, 3600000, 7200000, 10800000, 21600000, 43200000, 86400000};
    const double wanted = std::max(4.0, plotRect().width() / 8.0);
    const double span = double(m_toMs - m_fromMs);
    m_bucketMs = steps[std::size(steps) - 1];
    for (auto s : steps) {
        if (span / double(s) <= wanted) {
            m_bucketMs = s;
            break;
        }
    }
    m_fromMs = m_fromMs / m_bucketMs * m_bucketMs;
    const auto n = size_t((m_toMs - m_fromMs) / m_bucketMs + 1);
    m_buckets.assign(n, Counts{});
    for (const auto &p : m_points) {
        if (p.ms < m_fromMs || p.ms > m_toMs)
            continue;
        const auto b = size_t((p.ms - m_fromMs) / m_bucketMs);
        if (b < n)
            m_buckets[b][size_t(p.level)] += p.count;
    }
    for (int b = 0; b < int(n); ++b)
        m_maxTotal = std::max(m_maxTotal, total(b));
    update();
}

double LogVolumeHistogram::xAtTime(std::int64_t ms) const
{
    const QRectF r = plotRect();
    const double span = double(std::max<std::int64_t>(1, m_fromMs + std::int64_t(m_buckets.size()) * m_bucketMs - m_fromMs));
    return r.left() + double(ms - m_fromMs) / span * r.width();
}

std::int64_t LogVolumeHistogram::timeAtX(double x) const
{
    const QRectF r = plotRect();
    const double span = double(std::int64_t(m_buckets.size()) * m_bucketMs);
    const double f = std::clamp((x - r.left()) / r.width(), 0.0, 1.0);
    return m_fromMs + std::int64_t(f * span);
}

void LogVolumeHistogram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.base());
    const QRectF r = plotRect();
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(40);
    p.setPen(grid);
    p.drawLine(r.bottomLeft(), r.bottomRight());
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    p.setFont(small);
    QColor textColor = pal.color(QPalette::Text);
    textColor.setAlpha(170);
    if (m_buckets.empty() || m_maxTotal <= 0) {
        p.setPen(textColor);
        p.drawText(r, Qt::AlignCenter, tr("No log volume"));
        return;
    }
    const auto yTicks = widgets::niceValueTicks(0, m_maxTotal, 3);
    const double top = yTicks.max > 0 ? yTicks.max : m_maxTotal;
    for (double v : yTicks.values) {
        const double y = r.bottom() - v / top * r.height();
        p.setPen(grid);
        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y));
        p.setPen(textColor);
        p.drawText(QRectF(0, y - 8, kLeft - 4, 16), Qt::AlignRight | Qt::AlignVCenter,
                   widgets::formatSi(v, yTicks.step));
    }
    const double bw = r.width() / double(m_buckets.size());
    p.setPen(Qt::NoPen);
    for (size_t b = 0; b < m_buckets.size(); ++b) {
        double y = r.bottom();
        const double x = r.left() + double(b) * bw;
        for (int l = kLogLevelCount - 1; l >= 0; --l) {
            // Errors at the bottom where the eye lands first; unknown on top.
            const int level = l;
            const double c = m_buckets[b][size_t(level)];
            if (c <= 0)
                continue;
            const double h = c / top * r.height();
            p.setBrush(logLevelColor(LogLevel(level)));
            p.drawRect(QRectF(x + (bw > 3 ? 0.5 : 0), y - h, std::max(1.0, bw - (bw > 3 ? 1 : 0)), h));
            y -= h;
        }
    }
    const auto ticks = widgets::niceTimeTicks(m_fromMs, m_fromMs + std::int64_t(m_buckets.size()) * m_bucketMs,
                                              std::max(2, int(r.width() / 90)), m_zone);
    p.setPen(textColor);
    for (const auto &t : ticks.ticks) {
        const double x = xAtTime(t.t);
        p.drawText(QRectF(x - 45, r.bottom() + 2, 90, kBottom - 2), Qt::AlignHCenter | Qt::AlignTop, t.label);
    }
    if (m_dragFrom >= 0 && m_dragTo >= 0 && m_dragFrom != m_dragTo) {
        QColor sel = pal.color(QPalette::Highlight);
        sel.setAlpha(60);
        p.fillRect(QRectF(QPointF(std::min(m_dragFrom, m_dragTo), r.top()),
                          QPointF(std::max(m_dragFrom, m_dragTo), r.bottom())),
                   sel);
    }
}

void LogVolumeHistogram::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_buckets.empty())
        return;
    m_dragFrom = m_dragTo = int(event->position().x());
    update();
}

void LogVolumeHistogram::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragFrom < 0)
        return;
    m_dragTo = int(event->position().x());
    update();
}

void LogVolumeHistogram::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragFrom < 0 || event->button() != Qt::LeftButton)
        return;
    m_dragTo = int(event->position().x());
    const int a = std::min(m_dragFrom, m_dragTo), b = std::max(m_dragFrom, m_dragTo);
    m_dragFrom = m_dragTo = -1;
    update();
    if (b - a >= 3)
        emit timeRangeSelected(timeAtX(a), timeAtX(b));
}

} // namespace spyglass::gui::logs
