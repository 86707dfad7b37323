#include "app/gui/panels/time_series_canvas.h"

#include "app/gui/widgets/axis_ticks.h"
#include "core/viz/units.h"

#include <QHash>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTimeZone>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::panels {

namespace {

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

qsizetype lowerBound(const QList<std::int64_t> &times, std::int64_t t)
{
    return std::lower_bound(times.begin(), times.end(), t) - times.begin();
}

} // namespace

TimeSeriesCanvas::TimeSeriesCanvas(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void TimeSeriesCanvas::setSeries(QList<TimeSeriesData> series)
{
    m_series = std::move(series);
    computeStacks();
    m_dirty = m_rangeDirty = true;
    update();
}

void TimeSeriesCanvas::setSeriesHidden(int index, bool hidden)
{
    m_series[index].hidden = hidden;
    computeStacks();
    m_dirty = m_rangeDirty = true;
    update();
}

void TimeSeriesCanvas::setTimeRange(model::TimestampMs from, model::TimestampMs to)
{
    m_from = from;
    m_to = to;
    m_dirty = m_rangeDirty = true;
    update();
}

void TimeSeriesCanvas::setAxis(const QString &unit, std::optional<int> decimals, std::optional<double> min,
                               std::optional<double> max, const QString &label)
{
    m_unit = unit;
    m_decimals = decimals;
    m_min = min;
    m_max = max;
    m_axisLabel = label;
    m_rangeDirty = m_dirty = true;
    update();
}

void TimeSeriesCanvas::setThresholds(const viz::Thresholds &t, ThresholdStyle style)
{
    m_thresholds = t;
    m_thresholdStyle = style;
    update();
}

void TimeSeriesCanvas::setSharedCrosshair(std::optional<model::TimestampMs> t)
{
    if (m_shared == t)
        return;
    m_shared = t;
    update();
}

void TimeSeriesCanvas::computeStacks()
{
    // Series of one stack group add up at equal timestamps (Prometheus range
    // queries share the step, so timestamps line up).
    m_stackTop = QList<QList<double>>(m_series.size());
    m_stackBase = QList<QList<double>>(m_series.size());
    QHash<QString, QHash<std::int64_t, double>> sums;
    QHash<QString, QHash<std::int64_t, double>> totals;
    for (const TimeSeriesData &s : m_series) {
        if (s.stackGroup.isEmpty() || s.hidden || !s.percentStack)
            continue;
        auto &tot = totals[s.stackGroup];
        for (qsizetype i = 0; i < s.times.size(); ++i)
            if (!std::isnan(s.values.at(i)))
                tot[s.times.at(i)] += s.values.at(i);
    }
    for (int k = 0; k < m_series.size(); ++k) {
        const TimeSeriesData &s = m_series.at(k);
        if (s.stackGroup.isEmpty() || s.hidden)
            continue;
        auto &acc = sums[s.stackGroup];
        const auto &tot = totals[s.stackGroup];
        QList<double> top(s.values.size()), base(s.values.size());
        for (qsizetype i = 0; i < s.values.size(); ++i) {
            double v = s.values.at(i);
            const std::int64_t t = s.times.at(i);
            if (s.percentStack && !std::isnan(v)) {
                const double total = tot.value(t);
                v = total != 0 ? v / total : 0;
            }
            double &a = acc[t];
            base[i] = a;
            if (!std::isnan(v))
                a += v;
            top[i] = std::isnan(v) ? v : a;
        }
        m_stackTop[k] = std::move(top);
        m_stackBase[k] = std::move(base);
    }
}

const QList<double> &TimeSeriesCanvas::drawnValues(int i) const
{
    return m_stackTop.at(i).isEmpty() ? m_series.at(i).values : m_stackTop.at(i);
}

std::pair<double, double> TimeSeriesCanvas::valueRange() const
{
    computeRange();
    return {m_lo, m_hi};
}

QString TimeSeriesCanvas::formatAxis(double v) const
{
    // Enough decimals for the tick step, unless the panel fixes them.
    int dec = m_decimals.value_or(std::max(0, int(-std::floor(std::log10(std::max(m_step, 1e-12))))));
    if (m_unit == u"percentunit")
        dec = m_decimals.value_or(std::max(0, dec - 2));
    return viz::formatValue(v, m_unit.isEmpty() ? QStringLiteral("short") : m_unit, dec).toString();
}

void TimeSeriesCanvas::computeRange() const
{
    if (!m_rangeDirty)
        return;
    m_rangeDirty = false;
    double lo = INFINITY, hi = -INFINITY;
    bool anyBars = false, anyFill = false;
    for (int i = 0; i < m_series.size(); ++i) {
        const TimeSeriesData &s = m_series.at(i);
        if (s.hidden)
            continue;
        anyBars = anyBars || s.style == TimeSeriesData::Style::Bars;
        anyFill = anyFill || s.fillOpacity > 0 || !s.stackGroup.isEmpty();
        const QList<double> &v = drawnValues(i);
        const qsizetype a = m_to > m_from ? std::max<qsizetype>(0, lowerBound(s.times, m_from) - 1) : 0;
        const qsizetype b = m_to > m_from ? std::min<qsizetype>(s.times.size(), lowerBound(s.times, m_to) + 1) : s.times.size();
        for (qsizetype k = a; k < b; ++k) {
            const double x = v.at(k);
            if (std::isnan(x))
                continue;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    // Bars and fills grow from zero, so zero must be on the axis.
    if (anyBars || anyFill) {
        lo = std::min(lo, 0.0);
        hi = std::max(hi, 0.0);
    }
    if (m_min)
        lo = *m_min;
    if (m_max)
        hi = *m_max;
    const QFontMetrics fm(font());
    const int maxTicks = std::max(2, (height() - 2 * fm.height()) / (fm.height() * 2));
    const widgets::ValueTicks ticks = widgets::niceValueTicks(lo, hi, maxTicks);
    m_lo = m_min ? *m_min : ticks.min;
    m_hi = m_max ? *m_max : ticks.max;
    if (m_hi <= m_lo)
        m_hi = m_lo + 1;
    m_step = ticks.step;
    m_ticks.clear();
    for (double t : ticks.values)
        if (t >= m_lo - 1e-9 * std::abs(m_step) && t <= m_hi + 1e-9 * std::abs(m_step))
            m_ticks << t;
    int w = 0;
    for (double t : m_ticks)
        w = std::max(w, fm.horizontalAdvance(formatAxis(t)));
    m_axisWidth = w + 10 + (m_axisLabel.isEmpty() ? 0 : fm.height() + 2);
}

QRect TimeSeriesCanvas::plotArea() const
{
    computeRange();
    const QFontMetrics fm(font());
    return QRect(QPoint(m_axisWidth, 6), QPoint(width() - 10, height() - fm.height() - 8));
}

double TimeSeriesCanvas::timeToX(model::TimestampMs t) const
{
    const QRect a = plotArea();
    if (m_to <= m_from)
        return a.left();
    return a.left() + double(t - m_from) / double(m_to - m_from) * a.width();
}

model::TimestampMs TimeSeriesCanvas::xToTime(double x) const
{
    const QRect a = plotArea();
    return m_from + model::TimestampMs((x - a.left()) / std::max(1, a.width()) * double(m_to - m_from));
}

double TimeSeriesCanvas::valueToY(double v) const
{
    const QRect a = plotArea();
    return a.bottom() - (v - m_lo) / (m_hi - m_lo) * a.height();
}

void TimeSeriesCanvas::prepare() const
{
    computeRange();
    const int columns = std::max(1, plotArea().width());
    if (!m_dirty && columns == m_columns)
        return;
    m_columns = columns;
    m_dirty = false;
    m_decimated = QList<QList<widgets::PlotSegment>>(m_series.size());
    for (int i = 0; i < m_series.size(); ++i) {
        const TimeSeriesData &s = m_series.at(i);
        if (s.hidden || s.times.isEmpty())
            continue;
        const QList<double> &v = drawnValues(i);
        widgets::DecimationInput in;
        in.times = std::span<const std::int64_t>(s.times.constData(), std::size_t(s.times.size()));
        in.values = std::span<const double>(v.constData(), std::size_t(v.size()));
        in.fromMs = m_to > m_from ? m_from : s.times.front();
        in.toMs = m_to > m_from ? m_to : s.times.back();
        in.columns = columns;
        in.maxGapMs = s.maxGapMs;
        m_decimated[i] = widgets::decimateMinMax(in);
    }
}

qsizetype TimeSeriesCanvas::drawnPointCount() const
{
    prepare();
    qsizetype n = 0;
    for (const auto &segs : m_decimated)
        for (const auto &seg : segs)
            n += seg.size();
    return n;
}

QStringList TimeSeriesCanvas::yTickLabels() const
{
    computeRange();
    QStringList out;
    for (double t : m_ticks)
        out << formatAxis(t);
    return out;
}

void TimeSeriesCanvas::resizeEvent(QResizeEvent *)
{
    m_rangeDirty = m_dirty = true;
}

void TimeSeriesCanvas::paintEvent(QPaintEvent *)
{
    prepare();
    QPainter p(this);
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const QColor axisText = mix(bg, text, 0.7);
    const QColor grid = mix(bg, text, 0.12);
    p.fillRect(rect(), bg);
    const QRect area = plotArea();
    const QFontMetrics fm(font());
    if (area.width() < 10 || area.height() < 10)
        return;

    // Threshold areas go under everything.
    const bool thresholdArea = m_thresholdStyle == ThresholdStyle::Area || m_thresholdStyle == ThresholdStyle::LineAndArea
                            || m_thresholdStyle == ThresholdStyle::DashedAndArea;
    const bool thresholdLine = m_thresholdStyle != ThresholdStyle::Off && m_thresholdStyle != ThresholdStyle::Area;
    if (thresholdArea) {
        for (int s = 0; s < m_thresholds.steps.size(); ++s) {
            const double a = s == 0 ? m_lo : m_thresholds.absoluteValue(s, m_lo, m_hi);
            const double b = s + 1 < m_thresholds.steps.size() ? m_thresholds.absoluteValue(s + 1, m_lo, m_hi) : m_hi;
            const double y0 = std::clamp(valueToY(std::max(a, m_lo)), double(area.top()), double(area.bottom()));
            const double y1 = std::clamp(valueToY(std::min(b, m_hi)), double(area.top()), double(area.bottom()));
            if (y0 <= y1)
                continue;
            QColor c = m_thresholds.steps.at(s).color;
            c.setAlpha(38);
            p.fillRect(QRectF(area.left(), y1, area.width(), y0 - y1), c);
        }
    }

    p.setPen(QPen(grid, 0));
    for (double v : m_ticks) {
        const int y = int(std::round(valueToY(v)));
        p.drawLine(area.left(), y, area.right(), y);
    }
    p.setPen(axisText);
    for (double v : m_ticks) {
        const int y = int(std::round(valueToY(v)));
        p.drawText(QRect(0, y - fm.height() / 2, area.left() - 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter, formatAxis(v));
    }
    if (!m_axisLabel.isEmpty()) {
        p.save();
        p.translate(fm.height() / 2.0 + 1, area.center().y());
        p.rotate(-90);
        p.drawText(QRect(-area.height() / 2, -fm.height() / 2, area.height(), fm.height()), Qt::AlignCenter, m_axisLabel);
        p.restore();
    }
    if (m_to > m_from) {
        const int maxTicks = std::max(2, area.width() / (fm.horizontalAdvance(QStringLiteral("00/00 00:00")) + 24));
        const widgets::TimeTicks ticks = widgets::niceTimeTicks(m_from, m_to, maxTicks, QTimeZone::systemTimeZone());
        for (const widgets::TimeTick &tick : ticks.ticks) {
            const int x = int(std::round(timeToX(tick.t)));
            if (x < area.left() || x > area.right())
                continue;
            p.setPen(QPen(grid, 0));
            p.drawLine(x, area.top(), x, area.bottom());
            p.setPen(axisText);
            const int w = fm.horizontalAdvance(tick.label);
            p.drawText(std::clamp(x - w / 2, 0, width() - w - 1), area.bottom() + 4 + fm.ascent(), tick.label);
        }
    }

    p.save();
    p.setClipRect(area.adjusted(0, -1, 1, 1));
    bool any = false;
    const double zeroY = std::clamp(valueToY(0), double(area.top()), double(area.bottom()));
    for (int i = 0; i < m_series.size(); ++i) {
        const TimeSeriesData &s = m_series.at(i);
        if (s.hidden)
            continue;
        const auto &segs = m_decimated.at(i);
        any = any || !segs.isEmpty();
        if (s.style == TimeSeriesData::Style::Bars) {
            // One bar per sample when they fit, else per decimated point.
            double barW = 4;
            if (s.times.size() > 1)
                barW = std::max(1.0, (timeToX(s.times.at(1)) - timeToX(s.times.at(0))) * 0.8);
            QColor fill = s.color;
            fill.setAlphaF(float(std::max(0.3, s.fillOpacity > 0 ? s.fillOpacity : 0.8)));
            for (const auto &seg : segs)
                for (const auto &pt : seg) {
                    const double x = timeToX(pt.t);
                    const double y = valueToY(pt.v);
                    const double base = m_stackBase.at(i).isEmpty() ? zeroY : valueToY(m_stackBase.at(i).value(lowerBound(s.times, pt.t)));
                    p.fillRect(QRectF(x - barW / 2, std::min(y, base), barW, std::abs(base - y)), fill);
                }
            continue;
        }
        QList<QPolygonF> polys;
        for (const auto &seg : segs) {
            QPolygonF poly;
            poly.reserve(seg.size());
            for (const auto &pt : seg)
                poly << QPointF(timeToX(pt.t), valueToY(pt.v));
            polys << poly;
        }
        // Fill down to the stack base (or zero) under lines with fillOpacity.
        if (s.fillOpacity > 0 || !s.stackGroup.isEmpty()) {
            QColor fill = s.color;
            fill.setAlphaF(float(s.fillOpacity > 0 ? s.fillOpacity : 0.1));
            for (int k = 0; k < polys.size(); ++k) {
                const QPolygonF &poly = polys.at(k);
                if (poly.size() < 2)
                    continue;
                QPolygonF area = poly;
                if (!m_stackBase.at(i).isEmpty()) {
                    for (qsizetype j = segs.at(k).size() - 1; j >= 0; --j) {
                        const auto &pt = segs.at(k).at(j);
                        area << QPointF(timeToX(pt.t), valueToY(m_stackBase.at(i).value(lowerBound(s.times, pt.t))));
                    }
                } else {
                    area << QPointF(poly.back().x(), zeroY) << QPointF(poly.front().x(), zeroY);
                }
                p.setPen(Qt::NoPen);
                p.setBrush(fill);
                p.drawPolygon(area);
            }
        }
        if (s.style == TimeSeriesData::Style::Line) {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(s.color, s.lineWidth <= 1 ? 0 : s.lineWidth));
            p.setRenderHint(QPainter::Antialiasing, s.lineWidth > 1);
            for (const QPolygonF &poly : polys)
                p.drawPolyline(poly);
        }
        if (s.style == TimeSeriesData::Style::Points || s.showPoints) {
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(Qt::NoPen);
            p.setBrush(s.color);
            for (const QPolygonF &poly : polys)
                for (const QPointF &pt : poly)
                    p.drawEllipse(pt, 2.2, 2.2);
        }
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    if (thresholdLine) {
        const bool dashed = m_thresholdStyle == ThresholdStyle::Dashed || m_thresholdStyle == ThresholdStyle::DashedAndArea;
        for (int s = 1; s < m_thresholds.steps.size(); ++s) {
            const double v = m_thresholds.absoluteValue(s, m_lo, m_hi);
            if (v < m_lo || v > m_hi)
                continue;
            const int y = int(std::round(valueToY(v)));
            p.setPen(QPen(m_thresholds.steps.at(s).color, 0, dashed ? Qt::DashLine : Qt::SolidLine));
            p.drawLine(area.left(), y, area.right(), y);
        }
    }
    p.restore();
    if (!any) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, tr("No data"));
    }

    // Crosshair: own hover, else the one shared by another panel.
    std::optional<double> crossX;
    if (m_hovering && area.contains(m_hover))
        crossX = m_hover.x();
    else if (m_shared && *m_shared >= m_from && *m_shared <= m_to)
        crossX = timeToX(*m_shared);
    if (crossX) {
        p.setPen(QPen(mix(bg, text, 0.5), 0, Qt::DashLine));
        p.drawLine(QPointF(*crossX, area.top()), QPointF(*crossX, area.bottom()));
    }
    if (m_dragging && std::abs(m_dragNow - m_dragStart) > 2) {
        QColor sel = pal.color(QPalette::Highlight);
        sel.setAlpha(60);
        p.fillRect(QRect(QPoint(std::min(m_dragStart, m_dragNow), area.top()), QPoint(std::max(m_dragStart, m_dragNow), area.bottom())), sel);
    }
    if (m_hovering && !m_dragging && area.contains(m_hover)) {
        const QStringList lines = tooltipLines(m_hover);
        if (!lines.isEmpty()) {
            int w = 0;
            for (const QString &l : lines)
                w = std::max(w, fm.horizontalAdvance(l));
            QRect box(m_hover + QPoint(14, 10), QSize(w + 16, int(lines.size()) * fm.height() + 8));
            if (box.right() > width())
                box.moveRight(m_hover.x() - 14);
            if (box.bottom() > height())
                box.moveBottom(height() - 1);
            p.fillRect(box, pal.color(QPalette::ToolTipBase));
            p.setPen(mix(bg, text, 0.3));
            p.drawRect(box.adjusted(0, 0, -1, -1));
            p.setPen(pal.color(QPalette::ToolTipText));
            for (int k = 0; k < lines.size(); ++k)
                p.drawText(box.left() + 8, box.top() + 4 + fm.ascent() + k * fm.height(), lines.at(k));
        }
    }
}

QStringList TimeSeriesCanvas::tooltipLines(QPoint pos) const
{
    if (m_tooltipMode == TooltipMode::None || m_to <= m_from)
        return {};
    const model::TimestampMs t = xToTime(pos.x());
    struct Hit
    {
        int series;
        qsizetype row;
        double dy;
    };
    QList<Hit> hits;
    for (int i = 0; i < m_series.size(); ++i) {
        const TimeSeriesData &s = m_series.at(i);
        if (s.hidden || s.times.isEmpty())
            continue;
        qsizetype k = lowerBound(s.times, t);
        if (k >= s.times.size() || (k > 0 && t - s.times.at(k - 1) < s.times.at(k) - t))
            k = std::max<qsizetype>(0, k - 1);
        if (k >= s.times.size())
            continue;
        const double v = drawnValues(i).at(k);
        if (std::isnan(v))
            continue;
        hits.push_back({i, k, std::abs(valueToY(v) - pos.y())});
    }
    if (hits.isEmpty())
        return {};
    if (m_tooltipMode == TooltipMode::Single) {
        const Hit best = *std::min_element(hits.begin(), hits.end(), [](const Hit &a, const Hit &b) { return a.dy < b.dy; });
        hits = {best};
    }
    const TimeSeriesData &first = m_series.at(hits.front().series);
    QStringList out;
    out << QDateTime::fromMSecsSinceEpoch(first.times.at(hits.front().row)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    for (const Hit &h : hits) {
        const TimeSeriesData &s = m_series.at(h.series);
        out << s.name + QStringLiteral(": ") + viz::displayValue(s.config, s.values.at(h.row)).toString();
    }
    return out;
}

void TimeSeriesCanvas::mousePressEvent(QMouseEvent *e)
{
    if (e->button() == Qt::LeftButton && plotArea().contains(e->pos())) {
        m_dragging = true;
        m_dragStart = m_dragNow = e->pos().x();
    }
}

void TimeSeriesCanvas::mouseMoveEvent(QMouseEvent *e)
{
    m_hovering = true;
    m_hover = e->pos();
    if (m_dragging)
        m_dragNow = std::clamp(e->pos().x(), plotArea().left(), plotArea().right());
    if (plotArea().contains(e->pos()) && m_to > m_from)
        emit hoverTimeChanged(xToTime(e->pos().x()));
    else
        emit hoverTimeChanged(std::nullopt);
    update();
}

void TimeSeriesCanvas::mouseReleaseEvent(QMouseEvent *e)
{
    if (!m_dragging)
        return;
    m_dragging = false;
    m_dragNow = std::clamp(e->pos().x(), plotArea().left(), plotArea().right());
    if (std::abs(m_dragNow - m_dragStart) > 3 && m_to > m_from)
        emit timeRangeSelected(xToTime(std::min(m_dragStart, m_dragNow)), xToTime(std::max(m_dragStart, m_dragNow)));
    update();
}

void TimeSeriesCanvas::leaveEvent(QEvent *)
{
    m_hovering = false;
    emit hoverTimeChanged(std::nullopt);
    update();
}

} // namespace spyglass::gui::panels
