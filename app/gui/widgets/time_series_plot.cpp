#include "app/gui/widgets/time_series_plot.h"

#include "app/gui/widgets/axis_ticks.h"
#include "app/gui/widgets/series_palette.h"

#include <QApplication>
#include <QDateTime>
#include <QHash>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::gui::widgets {

namespace {

constexpr int kTopMargin = 10;
constexpr int kRightMargin = 16;
constexpr int kTickGap = 6;
constexpr int kMinDragPx = 4;
constexpr int kMaxTooltipSeries = 12;

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

QIcon swatch(const QColor &c, bool visible)
{
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    QColor fill = c;
    if (!visible)
        fill.setAlphaF(0.25f);
    p.setPen(Qt::NoPen);
    p.setBrush(fill);
    p.drawRoundedRect(QRectF(1, 5, 12, 4), 2, 2);
    return QIcon(pm);
}

} // namespace

// ---------------------------------------------------------------- PlotCanvas

PlotCanvas::PlotCanvas(QWidget *parent) : QWidget(parent)
{
    // For queued connections and QSignalSpy on hoverTimeChanged.
    qRegisterMetaType<std::optional<model::TimestampMs>>();
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_emptyText = tr("No data");
}

void PlotCanvas::setSeries(QList<PlotSeries> series)
{
    m_series = std::move(series);
    m_decimationDirty = true;
    m_layoutDirty = true;
    m_stackDirty = true;
    update();
}

void PlotCanvas::setSeriesVisible(int index, bool visible)
{
    if (index < 0 || index >= m_series.size() || m_series[index].visible == visible)
        return;
    m_series[index].visible = visible;
    m_layoutDirty = true; // the value axis follows the visible series
    m_stackDirty = true;  // hidden series leave the stack
    update();
}

void PlotCanvas::setDrawStyle(DrawStyle style)
{
    if (style == m_style)
        return;
    m_style = style;
    m_stackDirty = true;
    m_layoutDirty = true;
    update();
}

void PlotCanvas::setSharedCrosshair(std::optional<model::TimestampMs> t)
{
    if (t == m_sharedCrosshair)
        return;
    m_sharedCrosshair = t;
    update();
}

void PlotCanvas::ensureStacked() const
{
    if (!m_stackDirty)
        return;
    m_stacked.clear();
    m_stackDirty = false;
    if (m_style != DrawStyle::StackedArea)
        return;
    // Series of one range query share step-aligned timestamps, so stacking
    // by exact timestamp is what Grafana does too.
    QHash<std::int64_t, double> sum;
    m_stacked.resize(m_series.size());
    for (int i = 0; i < m_series.size(); ++i) {
        const PlotSeries &s = m_series[i];
        if (!s.visible)
            continue;
        Stacked &st = m_stacked[i];
        st.top.resize(s.values.size());
        st.base.resize(s.values.size());
        for (qsizetype k = 0; k < s.values.size(); ++k) {
            const double v = s.values[k];
            if (!std::isfinite(v)) {
                st.top[k] = st.base[k] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            double &acc = sum[s.times[k]];
            st.base[k] = acc;
            acc += v;
            st.top[k] = acc;
        }
    }
}

QList<double> PlotCanvas::stackedTop(int index) const
{
    ensureStacked();
    return index >= 0 && index < m_stacked.size() ? m_stacked[index].top : QList<double>();
}

QList<double> PlotCanvas::stackedBase(int index) const
{
    ensureStacked();
    return index >= 0 && index < m_stacked.size() ? m_stacked[index].base : QList<double>();
}

double PlotCanvas::axisMin() const
{
    ensureLayout();
    return m_layout.yTicks.min;
}

double PlotCanvas::axisMax() const
{
    ensureLayout();
    return m_layout.yTicks.max;
}

double PlotCanvas::valueToPixelY(double v) const
{
    ensureLayout();
    return valueToY(v);
}

void PlotCanvas::setTimeRange(model::TimestampMs from, model::TimestampMs to)
{
    if (to < from)
        std::swap(from, to);
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    m_decimationDirty = true;
    m_layoutDirty = true;
    update();
}

void PlotCanvas::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone;
    update();
}

void PlotCanvas::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

void PlotCanvas::resizeEvent(QResizeEvent *event)
{
    m_layoutDirty = true;
    QWidget::resizeEvent(event);
}

QRect PlotCanvas::plotArea() const
{
    ensureLayout();
    return m_layout.plot;
}

double PlotCanvas::timeToX(model::TimestampMs t) const
{
    const QRect r = plotArea();
    if (m_to <= m_from)
        return r.left();
    return r.left() + double(t - m_from) * double(r.width()) / double(m_to - m_from);
}

model::TimestampMs PlotCanvas::xToTime(double x) const
{
    const QRect r = plotArea();
    if (r.width() <= 0)
        return m_from;
    return m_from + model::TimestampMs(std::llround((x - r.left()) * double(m_to - m_from) / double(r.width())));
}

double PlotCanvas::axisScale() const
{
    return std::max(std::abs(m_layout.yTicks.min), std::abs(m_layout.yTicks.max));
}

double PlotCanvas::valueToY(double v) const
{
    const QRect &r = m_layout.plot;
    const ValueTicks &y = m_layout.yTicks;
    const double span = y.max - y.min;
    if (span <= 0)
        return r.center().y();
    return r.bottom() + 1 - (v - y.min) * double(r.height()) / span;
}

void PlotCanvas::ensureDecimated() const
{
    // Columns follow the data width, which depends on the value-axis labels;
    // the width of the whole widget is a close enough and stable proxy.
    const int columns = std::max(1, width());
    if (!m_decimationDirty && columns == m_decimatedColumns)
        return;
    m_decimated.clear();
    m_decimated.reserve(m_series.size());
    for (const PlotSeries &s : m_series) {
        DecimationInput in;
        in.times = std::span<const std::int64_t>(s.times.constData(), std::size_t(s.times.size()));
        in.values = std::span<const double>(s.values.constData(), std::size_t(s.values.size()));
        in.fromMs = m_from;
        in.toMs = m_to;
        in.columns = columns;
        in.maxGapMs = s.maxGapMs;
        m_decimated.push_back(decimateMinMax(in));
    }
    m_decimationDirty = false;
    m_decimatedColumns = columns;
    m_layoutDirty = true;
}

void PlotCanvas::ensureLayout() const
{
    ensureDecimated();
    if (!m_layoutDirty)
        return;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    if (m_style == DrawStyle::StackedArea) {
        ensureStacked();
        lo = hi = 0; // areas are filled down to zero
        for (int i = 0; i < m_series.size(); ++i) {
            const PlotSeries &s = m_series[i];
            if (!s.visible || i >= m_stacked.size())
                continue;
            for (qsizetype k = 0; k < s.times.size(); ++k) {
                if (s.times[k] < m_from || s.times[k] > m_to || !std::isfinite(m_stacked[i].top[k]))
                    continue;
                lo = std::min({lo, m_stacked[i].top[k], m_stacked[i].base[k]});
                hi = std::max({hi, m_stacked[i].top[k], m_stacked[i].base[k]});
            }
        }
    }
    for (int i = 0; i < m_series.size() && m_style != DrawStyle::StackedArea; ++i) {
        if (!m_series[i].visible)
            continue;
        for (const PlotSegment &seg : m_decimated[i]) {
            for (const PlotPoint &p : seg) {
                if (p.t < m_from || p.t > m_to || !std::isfinite(p.v))
                    continue;
                lo = std::min(lo, p.v);
                hi = std::max(hi, p.v);
            }
        }
    }
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    const QFontMetrics fm(font());
    const int plotHeightGuess = std::max(40, height() - kTopMargin - fm.height() - 2 * kTickGap);
    m_layout.yTicks = niceValueTicks(lo, hi, std::clamp(plotHeightGuess / 40, 2, 12));
    int labelWidth = 0;
    for (double v : m_layout.yTicks.values)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(formatSi(v, m_layout.yTicks.step, axisScale())));
    const int left = labelWidth + 2 * kTickGap;
    const int bottom = fm.height() + 2 * kTickGap;
    m_layout.plot = QRect(left, kTopMargin, std::max(10, width() - left - kRightMargin),
                          std::max(10, height() - kTopMargin - bottom));
    m_layoutDirty = false;
}

qsizetype PlotCanvas::drawnPointCount() const
{
    ensureDecimated();
    qsizetype n = 0;
    for (int i = 0; i < m_series.size(); ++i)
        if (m_series[i].visible)
            for (const PlotSegment &seg : m_decimated[i])
                n += seg.size();
    return n;
}

void PlotCanvas::paintEvent(QPaintEvent *)
{
    ensureLayout();
    QPainter p(this);
    const QPalette pal = palette();
    const QColor bg = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const QColor axisText = mix(bg, text, 0.7);
    const QColor grid = mix(bg, text, 0.12);
    p.fillRect(rect(), bg);

    const QRect area = m_layout.plot;
    const QFontMetrics fm(font());

    // Grid and value axis.
    p.setPen(QPen(grid, 0));
    for (double v : m_layout.yTicks.values) {
        const int y = int(std::round(valueToY(v)));
        p.drawLine(area.left(), y, area.right(), y);
    }
    p.setPen(axisText);
    for (double v : m_layout.yTicks.values) {
        const int y = int(std::round(valueToY(v)));
        const QString label = formatSi(v, m_layout.yTicks.step, axisScale());
        p.drawText(QRect(0, y - fm.height() / 2, area.left() - kTickGap, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, label);
    }

    // Time axis.
    if (m_to > m_from) {
        const int maxTicks = std::max(2, area.width() / std::max(60, fm.horizontalAdvance(QStringLiteral("00/00 00:00")) + 24));
        const TimeTicks ticks = niceTimeTicks(m_from, m_to, maxTicks, m_zone);
        for (const TimeTick &tick : ticks.ticks) {
            const int x = int(std::round(timeToX(tick.t)));
            if (x < area.left() || x > area.right())
                continue;
            p.setPen(QPen(grid, 0));
            p.drawLine(x, area.top(), x, area.bottom());
            p.setPen(axisText);
            const int w = fm.horizontalAdvance(tick.label);
            int lx = std::clamp(x - w / 2, 0, width() - w - 1);
            p.drawText(lx, area.bottom() + kTickGap + fm.ascent(), tick.label);
        }
    }

    // Series.
    bool anyVisible = false;
    p.save();
    p.setClipRect(area.adjusted(0, -1, 1, 1));
    p.setRenderHint(QPainter::Antialiasing, true);
    if (m_style == DrawStyle::StackedArea)
        paintStacked(p);
    QPolygonF poly;
    for (int i = 0; i < m_series.size(); ++i) {
        const PlotSeries &s = m_series[i];
        if (!s.visible)
            continue;
        anyVisible = anyVisible || !m_decimated[i].isEmpty();
        if (m_style == DrawStyle::StackedArea)
            continue;
        if (m_style == DrawStyle::Points) {
            // Squares are much cheaper than ellipses and look the same at 3 px.
            for (const PlotSegment &seg : m_decimated[i])
                for (const PlotPoint &pt : seg)
                    p.fillRect(QRectF(timeToX(pt.t) - 1.5, valueToY(pt.v) - 1.5, 3, 3), s.color);
            continue;
        }
        QPen pen(s.color, 1);
        pen.setCosmetic(true);
        p.setPen(pen);
        for (const PlotSegment &seg : m_decimated[i]) {
            if (seg.size() == 1) {
                // A lone sample has no line: mark it so it does not vanish.
                const QPointF pt(timeToX(seg.front().t), valueToY(seg.front().v));
                p.setBrush(s.color);
                p.drawEllipse(pt, 2.0, 2.0);
                p.setBrush(Qt::NoBrush);
                continue;
            }
            poly.resize(seg.size());
            for (qsizetype k = 0; k < seg.size(); ++k)
                poly[k] = QPointF(timeToX(seg[k].t), valueToY(seg[k].v));
            p.drawPolyline(poly);
        }
    }
    p.restore();

    if (!anyVisible && !m_emptyText.isEmpty()) {
        p.setPen(axisText);
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
    }

    // Crosshair and the nearest points.
    if (m_hovering && area.contains(m_hoverPos) && !m_dragging) {
        QPen cross(mix(bg, text, 0.45), 0, Qt::DashLine);
        p.setPen(cross);
        p.drawLine(m_hoverPos.x(), area.top(), m_hoverPos.x(), area.bottom());
        p.drawLine(area.left(), m_hoverPos.y(), area.right(), m_hoverPos.y());
    } else if (m_sharedCrosshair && *m_sharedCrosshair >= m_from && *m_sharedCrosshair <= m_to) {
        // Another plot's hover, at the same time.
        const int x = int(std::round(timeToX(*m_sharedCrosshair)));
        p.setPen(QPen(mix(bg, text, 0.55), 0, Qt::DashLine));
        p.drawLine(x, area.top(), x, area.bottom());
    }

    // Drag selection.
    if (m_dragging) {
        const int x0 = std::clamp(std::min(m_dragStartX, m_dragCurrentX), area.left(), area.right());
        const int x1 = std::clamp(std::max(m_dragStartX, m_dragCurrentX), area.left(), area.right());
        QColor sel = pal.color(QPalette::Highlight);
        sel.setAlphaF(0.25f);
        p.fillRect(QRect(x0, area.top(), x1 - x0, area.height()), sel);
    }

    // Frame of the plot area.
    p.setPen(QPen(mix(bg, text, 0.2), 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(area.adjusted(0, 0, -1, -1));
}

QString PlotCanvas::tooltipTextAt(QPoint pos) const
{
    QString plain;
    tooltipHtmlAt(pos, &plain);
    return plain;
}

QString PlotCanvas::tooltipHtmlAt(QPoint pos, QString *plain) const
{
    const QRect area = plotArea();
    if (!area.contains(pos) || m_to <= m_from)
        return {};
    const model::TimestampMs t = xToTime(pos.x());
    // Only samples within a few pixels (or one step) count as "at" the cursor.
    const double msPerPx = double(m_to - m_from) / std::max(1, area.width());

    struct Hit
    {
        int series;
        model::TimestampMs t;
        double v;
    };
    QList<Hit> hits;
    model::TimestampMs bestT = 0;
    std::int64_t bestDist = std::numeric_limits<std::int64_t>::max();
    for (int i = 0; i < m_series.size(); ++i) {
        const PlotSeries &s = m_series[i];
        if (!s.visible || s.times.isEmpty())
            continue;
        auto it = std::lower_bound(s.times.begin(), s.times.end(), t);
        qsizetype idx = it - s.times.begin();
        if (idx == s.times.size() || (idx > 0 && t - s.times[idx - 1] < s.times[idx] - t))
            --idx;
        const std::int64_t dist = std::abs(s.times[idx] - t);
        const double tolerance = std::max(8 * msPerPx, double(s.maxGapMs) / 2);
        if (double(dist) > tolerance || std::isnan(s.values[idx]))
            continue;
        hits.push_back({i, s.times[idx], s.values[idx]});
        if (dist < bestDist) {
            bestDist = dist;
            bestT = s.times[idx];
        }
    }
    if (hits.isEmpty())
        return {};
    std::stable_sort(hits.begin(), hits.end(), [](const Hit &a, const Hit &b) { return a.v > b.v; });

    const QString when = QDateTime::fromMSecsSinceEpoch(bestT, m_zone)
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    QString html = QStringLiteral("<b>%1</b><table cellspacing=0 cellpadding=1>").arg(when.toHtmlEscaped());
    QString text = when;
    const qsizetype shown = std::min<qsizetype>(hits.size(), kMaxTooltipSeries);
    for (qsizetype k = 0; k < shown; ++k) {
        const Hit &h = hits[k];
        const PlotSeries &s = m_series[h.series];
        const QString value = formatSiPrecise(h.v);
        text += QLatin1Char('\n') + s.name + QStringLiteral(": ") + value;
        html += QStringLiteral("<tr><td><span style=\"color:%1\">&#9632;</span> %2</td>"
                               "<td align=right>&nbsp;&nbsp;<b>%3</b></td></tr>")
                    .arg(s.color.name(), s.name.toHtmlEscaped(), value.toHtmlEscaped());
    }
    if (hits.size() > shown) {
        const QString more = tr("... and %n more", nullptr, int(hits.size() - shown));
        text += QLatin1Char('\n') + more;
        html += QStringLiteral("<tr><td colspan=2>%1</td></tr>").arg(more.toHtmlEscaped());
    }
    html += QStringLiteral("</table>");
    if (plain)
        *plain = text;
    return html;
}

void PlotCanvas::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && plotArea().contains(event->position().toPoint())) {
        m_dragging = true;
        m_dragStartX = m_dragCurrentX = event->position().toPoint().x();
        QToolTip::hideText();
        update();
    }
    QWidget::mousePressEvent(event);
}

void PlotCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_dragging) {
        m_dragCurrentX = pos.x();
        update();
        return;
    }
    setHover(true, pos);
    QString plain;
    const QString html = tooltipHtmlAt(pos, &plain);
    m_hoverText = plain;
    if (html.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(mapToGlobal(pos + QPoint(16, 16)), html, this);
    update();
}

void PlotCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        m_dragCurrentX = event->position().toPoint().x();
        const QRect area = plotArea();
        const int x0 = std::clamp(std::min(m_dragStartX, m_dragCurrentX), area.left(), area.right() + 1);
        const int x1 = std::clamp(std::max(m_dragStartX, m_dragCurrentX), area.left(), area.right() + 1);
        update();
        if (x1 - x0 >= kMinDragPx)
            emit timeRangeSelected(xToTime(x0), xToTime(x1));
    }
    QWidget::mouseReleaseEvent(event);
}

void PlotCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = false;
        emit zoomOutRequested();
    }
}

void PlotCanvas::setHover(bool hovering, QPoint pos)
{
    const bool wasInside = m_hovering && plotArea().contains(m_hoverPos);
    m_hovering = hovering;
    m_hoverPos = pos;
    const bool inside = hovering && plotArea().contains(pos);
    if (inside)
        emit hoverTimeChanged(xToTime(pos.x()));
    else if (wasInside)
        emit hoverTimeChanged(std::nullopt);
}

void PlotCanvas::leaveEvent(QEvent *event)
{
    setHover(false, {});
    m_hoverText.clear();
    update();
    QWidget::leaveEvent(event);
}

void PlotCanvas::paintStacked(QPainter &p) const
{
    ensureStacked();
    const QRect area = m_layout.plot;
    for (int i = 0; i < m_series.size(); ++i) {
        const PlotSeries &s = m_series[i];
        if (!s.visible || i >= m_stacked.size())
            continue;
        const Stacked &st = m_stacked[i];
        // One sample per pixel column (the last): top and base use the same
        // sample, so neighbouring areas stay flush without a full min/max.
        auto first = std::lower_bound(s.times.begin(), s.times.end(), m_from);
        qsizetype k = std::max<qsizetype>(0, (first - s.times.begin()) - 1);
        QList<qsizetype> picks;
        int lastColumn = std::numeric_limits<int>::min();
        for (; k < s.times.size(); ++k) {
            const int col = int(std::floor((timeToX(s.times[k]) - area.left())));
            if (col == lastColumn && !picks.isEmpty())
                picks.back() = k;
            else
                picks.push_back(k);
            lastColumn = col;
            if (s.times[k] > m_to)
                break;
        }
        QColor fill = s.color;
        fill.setAlphaF(0.45f);
        QPen pen(s.color, 1);
        pen.setCosmetic(true);
        QPolygonF top;
        QPolygonF base;
        auto flush = [&] {
            if (top.size() >= 2) {
                QPolygonF shape = top;
                for (qsizetype j = base.size() - 1; j >= 0; --j)
                    shape.push_back(base[j]);
                p.setPen(Qt::NoPen);
                p.setBrush(fill);
                p.drawPolygon(shape);
                p.setPen(pen);
                p.setBrush(Qt::NoBrush);
                p.drawPolyline(top);
            } else if (top.size() == 1) {
                p.fillRect(QRectF(top[0].x() - 1.5, top[0].y() - 1.5, 3, 3), s.color);
            }
            top.clear();
            base.clear();
        };
        std::int64_t prevT = 0;
        for (qsizetype j = 0; j < picks.size(); ++j) {
            const qsizetype idx = picks[j];
            if (!std::isfinite(st.top[idx])) {
                flush();
                continue;
            }
            if (!top.isEmpty() && s.maxGapMs > 0 && s.times[idx] - prevT > s.maxGapMs)
                flush();
            const double x = timeToX(s.times[idx]);
            top.push_back(QPointF(x, valueToY(st.top[idx])));
            base.push_back(QPointF(x, valueToY(st.base[idx])));
            prevT = s.times[idx];
        }
        flush();
    }
}

// ------------------------------------------------------------ TimeSeriesPlot

TimeSeriesPlot::TimeSeriesPlot(QWidget *parent)
    : QWidget(parent), m_canvas(new PlotCanvas(this)), m_legend(new QListWidget(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_canvas, 1);
    layout->addWidget(m_legend, 0);

    m_legend->setFlow(QListView::LeftToRight);
    m_legend->setWrapping(true);
    m_legend->setResizeMode(QListView::Adjust);
    m_legend->setSelectionMode(QAbstractItemView::NoSelection);
    m_legend->setFrameShape(QFrame::NoFrame);
    m_legend->setSpacing(1);
    m_legend->setUniformItemSizes(false);
    m_legend->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_legend->setFocusPolicy(Qt::NoFocus);
    m_legend->setToolTip(tr("Click to show only this series, Ctrl+click to hide or show it"));
    m_legend->hide();

    connect(m_legend, &QListWidget::itemClicked, this, &TimeSeriesPlot::onLegendClicked);
    connect(m_canvas, &PlotCanvas::timeRangeSelected, this, &TimeSeriesPlot::timeRangeSelected);
    connect(m_canvas, &PlotCanvas::zoomOutRequested, this, &TimeSeriesPlot::zoomOutRequested);
    connect(m_canvas, &PlotCanvas::hoverTimeChanged, this, &TimeSeriesPlot::hoverTimeChanged);
}

QList<PlotSeries> TimeSeriesPlot::seriesFromFrames(const model::Frames &frames)
{
    QList<PlotSeries> out;
    for (const model::Frame &frame : frames) {
        const model::Field *time = frame.firstOfType(model::FieldType::Time);
        if (!time)
            continue;
        for (const model::Field &f : frame.fields()) {
            if (f.type() != model::FieldType::Float64 && f.type() != model::FieldType::Int64)
                continue;
            PlotSeries s;
            s.labels = f.seriesLabels().isEmpty() ? frame.seriesLabels() : f.seriesLabels();
            // A frame holding one series is named by the datasource (legend
            // format applied); otherwise the labels name each field.
            const int valueFields = int(std::count_if(frame.fields().begin(), frame.fields().end(), [](const model::Field &x) {
                return x.type() == model::FieldType::Float64 || x.type() == model::FieldType::Int64;
            }));
            if (valueFields == 1 && !frame.name().isEmpty())
                s.name = frame.name();
            else
                s.name = s.labels.isEmpty() ? (frame.name().isEmpty() ? f.name() : frame.name())
                                            : s.labels.toString();
            s.color = seriesColor(int(out.size()));
            s.times = time->int64s();
            if (f.type() == model::FieldType::Float64) {
                s.values = f.doubles();
            } else {
                s.values.reserve(f.size());
                for (std::int64_t v : f.int64s())
                    s.values.push_back(double(v));
            }
            const std::int64_t step = typicalStepMs(
                std::span<const std::int64_t>(s.times.constData(), std::size_t(s.times.size())));
            s.maxGapMs = step > 0 ? 2 * step : 0;
            out.push_back(std::move(s));
        }
    }
    return out;
}

void TimeSeriesPlot::setFrames(const model::Frames &frames)
{
    QList<PlotSeries> series = seriesFromFrames(frames);
    if (m_canvas->rangeTo() <= m_canvas->rangeFrom()) {
        // No range given yet: show all data.
        model::TimestampMs lo = std::numeric_limits<model::TimestampMs>::max();
        model::TimestampMs hi = std::numeric_limits<model::TimestampMs>::min();
        for (const PlotSeries &s : series) {
            if (!s.times.isEmpty()) {
                lo = std::min(lo, s.times.front());
                hi = std::max(hi, s.times.back());
            }
        }
        if (lo < hi)
            m_canvas->setTimeRange(lo, hi);
    }
    m_canvas->setSeries(std::move(series));
    rebuildLegend();
}

void TimeSeriesPlot::clear()
{
    m_canvas->setSeries({});
    rebuildLegend();
}

void TimeSeriesPlot::setTimeRange(model::TimestampMs from, model::TimestampMs to)
{
    m_canvas->setTimeRange(from, to);
}

void TimeSeriesPlot::setTimeZone(const QTimeZone &zone)
{
    m_canvas->setTimeZone(zone);
}

void TimeSeriesPlot::setEmptyText(const QString &text)
{
    m_canvas->setEmptyText(text);
}

bool TimeSeriesPlot::isSeriesVisible(int index) const
{
    return index >= 0 && index < seriesCount() && series(index).visible;
}

void TimeSeriesPlot::setSeriesVisible(int index, bool visible)
{
    m_canvas->setSeriesVisible(index, visible);
    refreshLegendItem(index);
}

void TimeSeriesPlot::isolateSeries(int index)
{
    if (index < 0 || index >= seriesCount())
        return;
    bool alreadyIsolated = isSeriesVisible(index);
    for (int i = 0; i < seriesCount() && alreadyIsolated; ++i)
        if (i != index && isSeriesVisible(i))
            alreadyIsolated = false;
    for (int i = 0; i < seriesCount(); ++i)
        setSeriesVisible(i, alreadyIsolated || i == index);
}

void TimeSeriesPlot::onLegendClicked(QListWidgetItem *item)
{
    const int index = m_legend->row(item);
    if (QApplication::keyboardModifiers() & Qt::ControlModifier)
        setSeriesVisible(index, !isSeriesVisible(index));
    else
        isolateSeries(index);
}

void TimeSeriesPlot::rebuildLegend()
{
    m_legend->clear();
    for (int i = 0; i < seriesCount(); ++i) {
        const PlotSeries &s = series(i);
        auto *item = new QListWidgetItem(swatch(s.color, s.visible), s.name, m_legend);
        item->setToolTip(s.name);
    }
    m_legend->setVisible(seriesCount() > 0);
    updateLegendHeight();
}

void TimeSeriesPlot::refreshLegendItem(int index)
{
    QListWidgetItem *item = m_legend->item(index);
    if (!item)
        return;
    const PlotSeries &s = series(index);
    item->setIcon(swatch(s.color, s.visible));
    QColor fg = palette().color(QPalette::Text);
    if (!s.visible)
        fg.setAlphaF(0.4f);
    item->setForeground(fg);
}

void TimeSeriesPlot::updateLegendHeight()
{
    if (seriesCount() == 0)
        return;
    // Estimate wrapped rows from text widths: a list view has no height-for-
    // width, and a legend taller than a few rows should scroll instead.
    const QFontMetrics fm(m_legend->font());
    const int available = std::max(100, width() - 8);
    int rows = 1;
    int x = 0;
    for (int i = 0; i < seriesCount(); ++i) {
        const int w = std::min(available, fm.horizontalAdvance(series(i).name) + 14 + 16);
        if (x > 0 && x + w > available) {
            ++rows;
            x = 0;
        }
        x += w;
    }
    const int rowHeight = std::max(fm.height(), 14) + 6;
    m_legend->setFixedHeight(std::min(rows, 5) * rowHeight + 4);
}

void TimeSeriesPlot::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateLegendHeight();
}

} // namespace spyglass::gui::widgets
