#include "app/gui/traces/trace_waterfall_view.h"

#include "app/gui/widgets/axis_ticks.h"
#include "app/gui/widgets/series_palette.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::traces {

namespace {
constexpr int kIndent = 14;
constexpr int kExpander = 12;
constexpr int kBarPadding = 5;
constexpr double kMinWindow = 1e-6;
} // namespace

TraceWaterfallView::TraceWaterfallView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    verticalScrollBar()->setSingleStep(kRowHeight);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(), qOverload<>(&QWidget::update));
    viewport()->setMouseTracking(true);
    setMinimumHeight(kHeaderHeight + 3 * kRowHeight);
}

void TraceWaterfallView::setModel(std::shared_ptr<TraceRowModel> model)
{
    m_model = std::move(model);
    m_selected = -1;
    m_matches.clear();
    m_isMatch.assign(m_model ? std::size_t(m_model->nodeCount()) : 0, 0);
    m_currentMatch = -1;
    m_from = 0;
    m_to = 1;
    verticalScrollBar()->setValue(0);
    updateScrollBars();
    viewport()->update();
    emit windowChanged(m_from, m_to);
    emit selectionChanged(-1);
}

void TraceWaterfallView::setSelectedNode(int node)
{
    if (!m_model || node >= m_model->nodeCount())
        node = -1;
    if (node >= 0) {
        const int rowsBefore = m_model->rowCount();
        m_model->reveal(node);
        if (rowsBefore != m_model->rowCount()) {
            updateScrollBars();
            emit rowsChanged();
        }
        ensureRowVisible(m_model->rowOfNode(node));
    }
    if (node == m_selected)
        return;
    m_selected = node;
    viewport()->update();
    emit selectionChanged(node);
}

void TraceWaterfallView::setWindow(double from, double to)
{
    from = std::clamp(from, 0.0, 1.0);
    to = std::clamp(to, 0.0, 1.0);
    if (to < from)
        std::swap(from, to);
    if (to - from < kMinWindow) {
        const double mid = (from + to) / 2;
        from = std::max(0.0, mid - kMinWindow / 2);
        to = std::min(1.0, from + kMinWindow);
    }
    if (from == m_from && to == m_to)
        return;
    m_from = from;
    m_to = to;
    viewport()->update();
    emit windowChanged(from, to);
}

void TraceWaterfallView::zoomToNode(int node)
{
    if (!m_model || node < 0 || node >= m_model->nodeCount() || m_model->duration() <= 0)
        return;
    const model::Span &s = m_model->span(node);
    const double d = double(m_model->duration());
    const double a = double(s.start - m_model->start()) / d;
    const double b = double(s.end - m_model->start()) / d;
    const double pad = std::max((b - a) * 0.05, kMinWindow);
    setWindow(a - pad, b + pad);
}

void TraceWaterfallView::setMatches(const QList<int> &nodes)
{
    m_matches = nodes;
    m_isMatch.assign(m_model ? std::size_t(m_model->nodeCount()) : 0, 0);
    for (int n : nodes)
        if (n >= 0 && std::size_t(n) < m_isMatch.size())
            m_isMatch[std::size_t(n)] = 1;
    m_currentMatch = -1;
    if (!m_matches.isEmpty()) {
        m_currentMatch = 0;
        setSelectedNode(m_matches.first());
    }
    viewport()->update();
}

void TraceWaterfallView::nextMatch()
{
    if (m_matches.isEmpty())
        return;
    m_currentMatch = (m_currentMatch + 1) % int(m_matches.size());
    setSelectedNode(m_matches[m_currentMatch]);
    viewport()->update();
}

void TraceWaterfallView::previousMatch()
{
    if (m_matches.isEmpty())
        return;
    m_currentMatch = (m_currentMatch - 1 + int(m_matches.size())) % int(m_matches.size());
    setSelectedNode(m_matches[m_currentMatch]);
    viewport()->update();
}

void TraceWaterfallView::setCriticalPathVisible(bool on)
{
    m_showCritical = on;
    viewport()->update();
}

void TraceWaterfallView::toggleNode(int node)
{
    if (!m_model || node < 0 || node >= m_model->nodeCount() || m_model->node(node).childCount == 0)
        return;
    m_model->toggleCollapsed(node);
    updateScrollBars();
    viewport()->update();
    emit rowsChanged();
}

void TraceWaterfallView::collapseBelow(int depth)
{
    if (!m_model)
        return;
    m_model->collapseBelow(depth);
    if (m_selected >= 0 && m_model->rowOfNode(m_selected) < 0) {
        // The selection's row disappeared: select its visible ancestor.
        int p = m_selected;
        while (p >= 0 && m_model->rowOfNode(p) < 0)
            p = m_model->node(p).parent;
        m_selected = p;
        emit selectionChanged(p);
    }
    updateScrollBars();
    viewport()->update();
    emit rowsChanged();
}

void TraceWaterfallView::expandAll()
{
    if (!m_model)
        return;
    m_model->expandAll();
    updateScrollBars();
    viewport()->update();
    emit rowsChanged();
}

void TraceWaterfallView::setNameColumnWidth(int w)
{
    m_nameWidth = std::max(80, w);
    viewport()->update();
}

int TraceWaterfallView::firstVisibleRow() const
{
    return verticalScrollBar()->value() / kRowHeight;
}

int TraceWaterfallView::rowAt(int y) const
{
    if (!m_model || y < kHeaderHeight)
        return -1;
    const int row = (y - kHeaderHeight + verticalScrollBar()->value()) / kRowHeight;
    return row < m_model->rowCount() ? row : -1;
}

QRect TraceWaterfallView::rowRect(int row) const
{
    return QRect(0, kHeaderHeight + row * kRowHeight - verticalScrollBar()->value(), viewport()->width(), kRowHeight);
}

double TraceWaterfallView::xOfTime(model::TimestampNs t) const
{
    const int barLeft = m_nameWidth + 8;
    const int barWidth = std::max(1, viewport()->width() - barLeft - 8);
    if (!m_model || m_model->duration() <= 0)
        return barLeft;
    const double f = double(t - m_model->start()) / double(m_model->duration());
    return barLeft + (f - m_from) / (m_to - m_from) * barWidth;
}

QRectF TraceWaterfallView::barRect(int node) const
{
    if (!m_model || node < 0 || node >= m_model->nodeCount() || m_model->rowOfNode(node) < 0)
        return {};
    const QRect r = rowRect(m_model->rowOfNode(node));
    const model::Span &s = m_model->span(node);
    double x0 = xOfTime(s.start);
    double x1 = xOfTime(s.end);
    if (x1 - x0 < 1)
        x1 = x0 + 1; // a zero-length span stays visible
    return QRectF(QPointF(x0, r.top() + kBarPadding), QPointF(x1, r.bottom() + 1 - kBarPadding));
}

QColor TraceWaterfallView::serviceColor(int serviceIndex) const
{
    // Red means error here, so reds of the series palette are not used
    // for services.
    static const QList<QColor> colors = [] {
        QList<QColor> out;
        for (int i = 0; i < widgets::seriesPaletteSize(); ++i) {
            const QColor c = widgets::seriesColor(i);
            const int hue = c.hsvHue();
            if (c.hsvSaturation() > 90 && (hue < 12 || hue > 340))
                continue;
            out.push_back(c);
        }
        return out;
    }();
    return colors[std::max(0, serviceIndex) % colors.size()];
}

QColor TraceWaterfallView::errorColor()
{
    return QColor(0xE0, 0x2F, 0x44); // Grafana's red
}

int TraceWaterfallView::indentOf(int depth) const
{
    // Very deep trees keep room for the text.
    return std::min(depth * kIndent, std::max(0, m_nameWidth - 120));
}

QRect TraceWaterfallView::expanderRect(int row) const
{
    const QRect r = rowRect(row);
    const int depth = m_model->node(m_model->nodeAtRow(row)).depth;
    return QRect(8 + indentOf(depth), r.top() + (kRowHeight - kExpander) / 2, kExpander, kExpander);
}

void TraceWaterfallView::updateScrollBars()
{
    const int content = m_model ? m_model->rowCount() * kRowHeight : 0;
    const int page = std::max(0, viewport()->height() - kHeaderHeight);
    verticalScrollBar()->setPageStep(page);
    verticalScrollBar()->setRange(0, std::max(0, content - page));
}

void TraceWaterfallView::ensureRowVisible(int row)
{
    if (row < 0)
        return;
    const int top = row * kRowHeight;
    const int page = std::max(kRowHeight, viewport()->height() - kHeaderHeight);
    QScrollBar *sb = verticalScrollBar();
    if (top < sb->value())
        sb->setValue(top);
    else if (top + kRowHeight > sb->value() + page)
        sb->setValue(top + kRowHeight - page);
}

void TraceWaterfallView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void TraceWaterfallView::paintEvent(QPaintEvent *)
{
    QPainter p(viewport());
    const QRect all = viewport()->rect();
    const QPalette pal = palette();
    p.fillRect(all, pal.color(QPalette::Base));
    m_lastPaintedRows = 0;
    if (!m_model || m_model->isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(all, Qt::AlignCenter, tr("No trace open"));
        return;
    }

    // Only the rows intersecting the viewport are laid out and drawn.
    const int first = firstVisibleRow();
    const int last = std::min(m_model->rowCount() - 1,
                              (verticalScrollBar()->value() + all.height() - kHeaderHeight) / kRowHeight);
    p.save();
    p.setClipRect(QRect(0, kHeaderHeight, all.width(), all.height() - kHeaderHeight));
    // Tick grid behind the bars.
    const int barLeft = m_nameWidth + 8;
    const int barWidth = std::max(1, all.width() - barLeft - 8);
    const double d = double(std::max<model::TimestampNs>(1, m_model->duration()));
    const widgets::ValueTicks ticks =
        widgets::niceValueTicks(m_from * d, m_to * d, std::max(2, barWidth / 110));
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(28);
    p.setPen(grid);
    for (double v : ticks.values) {
        const double x = barLeft + (v / d - m_from) / (m_to - m_from) * barWidth;
        if (x >= barLeft && x <= barLeft + barWidth)
            p.drawLine(QPointF(x, kHeaderHeight), QPointF(x, all.height()));
    }
    for (int row = first; row <= last; ++row) {
        paintRow(p, row, rowRect(row));
        ++m_lastPaintedRows;
    }
    p.restore();
    paintHeader(p, QRect(0, 0, all.width(), kHeaderHeight));
    // The column divider.
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(m_nameWidth, 0, m_nameWidth, all.height());
}

void TraceWaterfallView::paintHeader(QPainter &p, const QRect &area)
{
    const QPalette pal = palette();
    p.fillRect(area, pal.color(QPalette::Window));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(area.bottomLeft(), area.bottomRight());
    p.setPen(pal.color(QPalette::WindowText));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(area.adjusted(8, 0, 0, 0).intersected(QRect(0, 0, m_nameWidth - 8, area.height())),
               Qt::AlignVCenter | Qt::AlignLeft, tr("Service & operation"));
    p.setFont(font());
    const int barLeft = m_nameWidth + 8;
    const int barWidth = std::max(1, area.width() - barLeft - 8);
    const double d = double(std::max<model::TimestampNs>(1, m_model->duration()));
    const widgets::ValueTicks ticks =
        widgets::niceValueTicks(m_from * d, m_to * d, std::max(2, barWidth / 110));
    const QFontMetrics fm(font());
    for (double v : ticks.values) {
        const double x = barLeft + (v / d - m_from) / (m_to - m_from) * barWidth;
        if (x < barLeft - 0.5 || x > barLeft + barWidth + 0.5)
            continue;
        p.setPen(pal.color(QPalette::Mid));
        p.drawLine(QPointF(x, area.bottom() - 5), QPointF(x, area.bottom()));
        const QString label = v == 0 ? QStringLiteral("0") : formatDurationNs(std::int64_t(std::llround(v)));
        const int w = fm.horizontalAdvance(label);
        // Keep the label inside the bar area (first and last ticks).
        const int lx = std::clamp(int(x) - w / 2, barLeft, barLeft + barWidth - w);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(QRect(lx, area.top(), w + 2, area.height() - 4), Qt::AlignVCenter | Qt::AlignLeft, label);
    }
}

void TraceWaterfallView::paintRow(QPainter &p, int row, const QRect &r)
{
    const QPalette pal = palette();
    const int n = m_model->nodeAtRow(row);
    const TraceRowModel::Node &node = m_model->node(n);
    const model::Span &s = m_model->span(n);
    const bool isMatch = std::size_t(n) < m_isMatch.size() && m_isMatch[std::size_t(n)];

    if (n == m_selected) {
        QColor sel = pal.color(QPalette::Highlight);
        sel.setAlpha(110);
        p.fillRect(r, sel);
    } else if (isMatch) {
        p.fillRect(r, QColor(0xF2, 0xCC, 0x0C, 48)); // Grafana's yellow, dimmed
    } else if (row % 2) {
        QColor alt = pal.color(QPalette::Text);
        alt.setAlpha(10);
        p.fillRect(r, alt);
    }
    if (isMatch)
        p.fillRect(QRect(r.left(), r.top(), 3, r.height()), QColor(0xF2, 0xCC, 0x0C));

    const QColor color = serviceColor(node.service);
    // Tree column: indentation, expander, service colour, service + name.
    const QRect ex = expanderRect(row);
    if (node.childCount > 0) {
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(Qt::NoPen);
        p.setBrush(pal.color(QPalette::Text));
        const QPointF c = QRectF(ex).center();
        QPolygonF tri;
        if (m_model->isCollapsed(n))
            tri << QPointF(c.x() - 3, c.y() - 5) << QPointF(c.x() + 4, c.y()) << QPointF(c.x() - 3, c.y() + 5);
        else
            tri << QPointF(c.x() - 5, c.y() - 3) << QPointF(c.x() + 5, c.y() - 3) << QPointF(c.x(), c.y() + 4);
        p.drawPolygon(tri);
        p.setRenderHint(QPainter::Antialiasing, false);
    }
    const int textLeft = ex.right() + 4;
    p.fillRect(QRect(textLeft, r.top() + 4, 3, r.height() - 8), node.error ? errorColor() : color);
    const QFontMetrics fm(font());
    int x = textLeft + 8;
    const int textRight = m_nameWidth - 6;
    if (x < textRight) {
        QFont bold = font();
        bold.setBold(true);
        const QFontMetrics bfm(bold);
        const QString service = bfm.elidedText(s.serviceName, Qt::ElideRight, std::max(0, (textRight - x) / 2));
        p.setFont(bold);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(x, r.top(), textRight - x, r.height()), Qt::AlignVCenter | Qt::AlignLeft, service);
        x += bfm.horizontalAdvance(service) + 6;
        p.setFont(font());
        QString name = s.name;
        if (node.childCount > 0 && m_model->isCollapsed(n))
            name += QStringLiteral("  (+%1)").arg(node.subtreeSize - 1);
        p.setPen(node.error ? errorColor().lighter(130) : pal.color(QPalette::Text));
        if (x < textRight)
            p.drawText(QRect(x, r.top(), textRight - x, r.height()), Qt::AlignVCenter | Qt::AlignLeft,
                       fm.elidedText(name, Qt::ElideRight, textRight - x));
    }

    // Bar column.
    const int barLeft = m_nameWidth + 8;
    const int barRight = viewport()->width() - 8;
    p.save();
    p.setClipRect(QRect(barLeft, r.top(), barRight - barLeft, r.height()), Qt::IntersectClip);
    const QRectF bar = barRect(n);
    const QColor fill = node.error ? errorColor() : color;
    p.fillRect(bar, fill);
    if (m_showCritical && node.critical) {
        // Jaeger's convention: a dark stripe through the bar marks the path.
        const QRectF stripe(bar.left(), bar.center().y() - 1.5, bar.width(), 3);
        p.fillRect(stripe, QColor(0x0B, 0x0C, 0x0E, 235));
    }
    if (!s.events.isEmpty()) {
        p.setPen(QColor(255, 255, 255, 230));
        for (const model::SpanEvent &e : s.events) {
            const double ex2 = std::round(xOfTime(e.time)) + 0.5;
            p.drawLine(QPointF(ex2, bar.top() - 2), QPointF(ex2, bar.bottom() + 2));
        }
    }
    p.restore();
    // Duration label beside the bar (right, or left when there is no room).
    const QString label = formatDurationNs(s.duration());
    const int lw = fm.horizontalAdvance(label);
    QRect lr;
    if (bar.right() + 6 + lw <= barRight)
        lr = QRect(int(std::max<double>(bar.right(), barLeft)) + 6, r.top(), lw + 2, r.height());
    else if (bar.left() - 6 - lw >= barLeft)
        lr = QRect(int(bar.left()) - 6 - lw, r.top(), lw + 2, r.height());
    if (!lr.isNull()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(lr, Qt::AlignVCenter | Qt::AlignLeft, label);
    }
}

void TraceWaterfallView::mousePressEvent(QMouseEvent *event)
{
    const int row = rowAt(int(event->position().y()));
    if (row < 0 || event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const int n = m_model->nodeAtRow(row);
    if (expanderRect(row).adjusted(-3, -3, 3, 3).contains(event->position().toPoint())) {
        toggleNode(n);
        return;
    }
    setSelectedNode(n);
}

void TraceWaterfallView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int row = rowAt(int(event->position().y()));
    if (row < 0)
        return;
    const int n = m_model->nodeAtRow(row);
    if (event->position().x() > m_nameWidth)
        zoomToNode(n);
    else
        toggleNode(n);
}

void TraceWaterfallView::keyPressEvent(QKeyEvent *event)
{
    if (!m_model || m_model->isEmpty()) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    const int row = m_selected >= 0 ? m_model->rowOfNode(m_selected) : -1;
    const int pageRows = std::max(1, (viewport()->height() - kHeaderHeight) / kRowHeight - 1);
    const auto selectRow = [this](int r) {
        r = std::clamp(r, 0, m_model->rowCount() - 1);
        setSelectedNode(m_model->nodeAtRow(r));
    };
    switch (event->key()) {
    case Qt::Key_Down: selectRow(row + 1); break;
    case Qt::Key_Up: selectRow(row < 0 ? 0 : row - 1); break;
    case Qt::Key_PageDown: selectRow(row + pageRows); break;
    case Qt::Key_PageUp: selectRow(row - pageRows); break;
    case Qt::Key_Home: selectRow(0); break;
    case Qt::Key_End: selectRow(m_model->rowCount() - 1); break;
    case Qt::Key_Left:
        if (m_selected >= 0) {
            if (m_model->node(m_selected).childCount > 0 && !m_model->isCollapsed(m_selected))
                toggleNode(m_selected);
            else if (m_model->node(m_selected).parent >= 0)
                setSelectedNode(m_model->node(m_selected).parent);
        }
        break;
    case Qt::Key_Right:
        if (m_selected >= 0) {
            if (m_model->isCollapsed(m_selected))
                toggleNode(m_selected);
            else if (m_model->node(m_selected).childCount > 0)
                selectRow(row + 1);
        }
        break;
    case Qt::Key_Space:
    case Qt::Key_Return:
    case Qt::Key_Enter: toggleNode(m_selected); break;
    case Qt::Key_Z: zoomToNode(m_selected); break;
    case Qt::Key_Escape: resetZoom(); break;
    default: QAbstractScrollArea::keyPressEvent(event); return;
    }
    event->accept();
}

void TraceWaterfallView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    // Ctrl+wheel zooms the time axis around the pointer.
    const int barLeft = m_nameWidth + 8;
    const int barWidth = std::max(1, viewport()->width() - barLeft - 8);
    const double fx = std::clamp((event->position().x() - barLeft) / barWidth, 0.0, 1.0);
    const double at = m_from + fx * (m_to - m_from);
    const double factor = event->angleDelta().y() > 0 ? 0.8 : 1.25;
    const double w = std::min(1.0, (m_to - m_from) * factor);
    double from = at - fx * w;
    from = std::clamp(from, 0.0, 1.0 - w);
    setWindow(from, from + w);
    event->accept();
}

bool TraceWaterfallView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && m_model) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAt(help->pos().y());
        if (row >= 0) {
            const int n = m_model->nodeAtRow(row);
            const model::Span &s = m_model->span(n);
            QToolTip::showText(help->globalPos(),
                               tr("%1: %2\n%3 at +%4%5")
                                   .arg(s.serviceName, s.name, formatDurationNs(s.duration()),
                                        formatDurationNs(s.start - m_model->start()),
                                        s.status == model::Span::Status::Error
                                            ? tr("\nerror: %1").arg(s.statusMessage)
                                            : QString()),
                               viewport());
            return true;
        }
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace spyglass::gui::traces
