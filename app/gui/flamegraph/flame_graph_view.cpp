#include "app/gui/flamegraph/flame_graph_view.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPaintEvent>
#include <QRegularExpression>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::flamegraph {

namespace {

const QColor kBackground(0x11, 0x12, 0x17);
const QColor kDimmed(0x2c, 0x30, 0x37);
const QColor kDimmedText(0x6e, 0x72, 0x7c);

} // namespace

FlameGraphView::FlameGraphView(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    m_rowHeight = fontMetrics().height() + 6;
}

FlameGraphView::~FlameGraphView() = default;

void FlameGraphView::setTree(std::shared_ptr<const CallTree> tree, ValueUnit unit)
{
    m_tree = std::move(tree);
    m_unit = unit;
    m_zoom = 0;
    m_hover = -1;
    const int n = m_tree ? m_tree->size() : 0;
    m_elided = QList<QString>(n);
    m_elidedWidth = QList<int>(n, -1);
    recomputeColors();
    // Search and highlight refer to the new tree's node and name ids.
    const QString pattern = m_searchPattern;
    m_searchPattern.clear();
    setSearchPattern(pattern);
    m_highlightFunction = -1;
    m_highlighted = QBitArray();
    updateGeometryForTree();
    update();
    emit zoomChanged(m_zoom);
}

void FlameGraphView::recomputeColors()
{
    m_nameColors.clear();
    m_maxSelf = 0;
    if (!m_tree)
        return;
    m_nameColors.reserve(m_tree->names().size());
    for (const QString &name : m_tree->names())
        m_nameColors.push_back(packageColor(packageOf(name)));
    for (const auto &n : m_tree->nodes())
        if (n.name != CallTree::kRootName)
            m_maxSelf = std::max(m_maxSelf, n.self);
}

void FlameGraphView::updateGeometryForTree()
{
    const int rows = m_tree ? m_tree->maxDepth() + 1 : 1;
    setMinimumHeight(rows * m_rowHeight);
    updateGeometry();
}

void FlameGraphView::setOrientation(Orientation orientation)
{
    if (m_orientation == orientation)
        return;
    m_orientation = orientation;
    update();
}

void FlameGraphView::setColorMode(ColorMode mode)
{
    if (m_colorMode == mode)
        return;
    m_colorMode = mode;
    update();
}

void FlameGraphView::setDiffPalette(DiffPalette palette)
{
    if (m_diffPalette == palette)
        return;
    m_diffPalette = palette;
    update();
}

bool FlameGraphView::setSearchPattern(const QString &pattern)
{
    m_searchPattern = pattern;
    m_search = SearchResult{};
    bool ok = true;
    if (m_tree) {
        m_search.matched = QBitArray(m_tree->size());
        if (!pattern.isEmpty()) {
            const QRegularExpression re(pattern, QRegularExpression::CaseInsensitiveOption);
            ok = re.isValid();
            m_search = searchTree(*m_tree, re);
        }
    }
    update();
    return ok;
}

void FlameGraphView::setHighlightedFunction(int function)
{
    m_highlightFunction = function;
    m_highlighted = (m_tree && function >= 0) ? m_tree->nodesOfFunction(std::uint32_t(function)) : QBitArray();
    update();
}

void FlameGraphView::zoomTo(int node)
{
    if (!m_tree || node < 0 || node >= m_tree->size())
        node = 0;
    if (node == m_zoom)
        return;
    m_zoom = node;
    update();
    emit zoomChanged(node);
}

QList<int> FlameGraphView::breadcrumb() const
{
    if (!m_tree || m_tree->isEmpty())
        return {0};
    QList<int> path = m_tree->ancestors(m_zoom);
    path.push_back(m_zoom);
    return path;
}

bool FlameGraphView::frameSpan(int i, double &x0, double &x1) const
{
    const auto &z = m_tree->node(m_zoom);
    if (z.width <= 0)
        return false;
    const double w = width();
    if (m_tree->contains(i, m_zoom)) {
        x0 = 0;
        x1 = w;
        return true;
    }
    const auto &n = m_tree->node(i);
    x0 = (n.start - z.start) / z.width * w;
    x1 = x0 + n.width / z.width * w;
    // Half a pixel of slack absorbs rounding at the zoomed range's edges.
    if (x1 - x0 < kMinFrameWidth || x1 <= 0.5 || x0 >= w - 0.5)
        return false;
    x0 = std::max(x0, 0.0);
    x1 = std::min(x1, w);
    return true;
}

double FlameGraphView::rowTop(int depth) const
{
    if (m_orientation == Orientation::Icicle)
        return double(depth) * m_rowHeight;
    return double(height()) - double(depth + 1) * m_rowHeight;
}

QRectF FlameGraphView::frameRect(int node) const
{
    if (!m_tree || node < 0 || node >= m_tree->size())
        return {};
    // A frame under a skipped (too narrow) ancestor is not drawn either.
    for (int a : m_tree->ancestors(node)) {
        double x0, x1;
        if (!frameSpan(a, x0, x1))
            return {};
    }
    double x0, x1;
    if (!frameSpan(node, x0, x1))
        return {};
    return QRectF(x0, rowTop(m_tree->node(node).depth), x1 - x0, m_rowHeight);
}

int FlameGraphView::nodeAt(const QPoint &pos) const
{
    if (!m_tree || m_tree->isEmpty())
        return -1;
    const int depth = m_orientation == Orientation::Icicle ? pos.y() / m_rowHeight
                                                            : (height() - 1 - pos.y()) / m_rowHeight;
    if (pos.y() < 0 || pos.y() >= height() || depth < 0 || depth > m_tree->maxDepth())
        return -1;
    // Walk down from the root through the child under the cursor.
    int cur = 0;
    for (int d = 0; d < depth; ++d) {
        int next = -1;
        for (int c : m_tree->children(cur)) {
            double x0, x1;
            if (frameSpan(c, x0, x1) && pos.x() >= x0 && pos.x() < x1) {
                next = c;
                break;
            }
        }
        if (next < 0)
            return -1;
        cur = next;
    }
    double x0, x1;
    if (!frameSpan(cur, x0, x1) || pos.x() < x0 || pos.x() >= x1)
        return -1;
    return cur;
}

QColor FlameGraphView::frameColor(int i) const
{
    const auto &n = m_tree->node(i);
    if (m_tree->isDiff()) {
        const double b = double(n.total);
        const double a = double(n.baseTotal) * m_tree->baseScale();
        const double m = std::max(a, b);
        return diffColor(m > 0 ? (b - a) / m : 0.0, m_diffPalette);
    }
    if (n.name == CallTree::kRootName)
        return QColor(0x8e, 0x8e, 0x9e);
    if (m_colorMode == ColorMode::SelfShare)
        return selfShareColor(m_maxSelf > 0 ? double(n.self) / double(m_maxSelf) : 0.0);
    return n.name < m_nameColors.size() ? m_nameColors[n.name] : QColor(Qt::gray);
}

const QString &FlameGraphView::elidedLabel(int node, int pixels)
{
    if (m_elidedWidth[node] != pixels) {
        m_elided[node] = fontMetrics().elidedText(m_tree->name(node), Qt::ElideRight, pixels);
        m_elidedWidth[node] = pixels;
    }
    return m_elided[node];
}

void FlameGraphView::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    p.fillRect(event->rect(), kBackground);
    m_paintedFrames = 0;
    m_paintedLabels = 0;
    if (!m_tree || m_tree->isEmpty()) {
        p.setPen(kDimmedText);
        p.drawText(rect(), Qt::AlignCenter, tr("No profile data"));
        return;
    }
    const bool dimming = !m_searchPattern.isEmpty() || m_highlightFunction >= 0;
    const int exposedTop = event->rect().top();
    const int exposedBottom = event->rect().bottom();
    const int textPad = 4;
    const int n = m_tree->size();
    for (int i = 0; i < n;) {
        double x0, x1;
        const auto &node = m_tree->node(i);
        if (!frameSpan(i, x0, x1)) {
            i = node.end; // children are narrower still
            continue;
        }
        const int top = int(rowTop(node.depth));
        if (top + m_rowHeight <= exposedTop || top > exposedBottom) {
            ++i;
            continue;
        }
        const int left = int(std::lround(x0));
        const int w = std::max(1, int(std::lround(x1)) - left - 1); // 1 px gap between siblings
        const QRect r(left, top, w, m_rowHeight - 1);
        const bool highlighted = !m_highlighted.isEmpty() && m_highlighted.testBit(i);
        const bool matched = !m_search.matched.isEmpty() && m_search.matched.testBit(i);
        QColor fill = frameColor(i);
        if (dimming && !highlighted && !matched)
            fill = kDimmed;
        else if (i == m_hover)
            fill = fill.lighter(118);
        p.fillRect(r, fill);
        if (m_tree->isDiff() && i > 0 && (node.total == 0 || node.baseTotal == 0) && w >= 4) {
            // Only in one profile: hatched, one direction per side.
            p.fillRect(r, QBrush(QColor(0, 0, 0, 90),
                                 node.total == 0 ? Qt::BDiagPattern : Qt::FDiagPattern));
        }
        if (highlighted) {
            p.setPen(QColor(0xff, 0xff, 0xff));
            p.drawRect(r.adjusted(0, 0, -1, -1));
        }
        ++m_paintedFrames;
        if (w >= kMinLabelWidth) {
            const QString &label = elidedLabel(i, w - 2 * textPad);
            if (!label.isEmpty()) {
                p.setPen(dimming && !highlighted && !matched ? kDimmedText : textColorOn(fill));
                p.drawText(r.adjusted(textPad, 0, -textPad, 0), Qt::AlignVCenter | Qt::AlignLeft, label);
                ++m_paintedLabels;
            }
        }
        ++i;
    }
}

QString FlameGraphView::toolTipText(int i) const
{
    if (!m_tree || i < 0 || i >= m_tree->size())
        return {};
    const auto &n = m_tree->node(i);
    const auto total = m_tree->total();
    auto share = [](std::int64_t v, std::int64_t of) { return of > 0 ? double(v) / double(of) : 0.0; };
    QString text = QStringLiteral("<b>%1</b>").arg(m_tree->name(i).toHtmlEscaped());
    if (!m_tree->isDiff()) {
        const std::int64_t parentTotal = n.parent >= 0 ? m_tree->node(n.parent).total : n.total;
        text += tr("<br>Total: %1 (%2 of total, %3 of parent)")
                    .arg(formatValue(n.total, m_unit), formatShare(share(n.total, total)),
                         formatShare(share(n.total, parentTotal)));
        text += tr("<br>Self: %1 (%2 of total)").arg(formatValue(n.self, m_unit), formatShare(share(n.self, total)));
        return text;
    }
    const auto baseTotal = m_tree->baseTotal();
    text += tr("<br>Baseline (A): %1 (%2 of total)")
                .arg(formatValue(n.baseTotal, m_unit), formatShare(share(n.baseTotal, baseTotal)));
    text += tr("<br>Comparison (B): %1 (%2 of total)")
                .arg(formatValue(n.total, m_unit), formatShare(share(n.total, total)));
    const double delta = m_tree->shareDelta(i);
    text += tr("<br>Change: %1%2").arg(delta > 0 ? QStringLiteral("+") : QString(), formatShare(delta));
    if (i > 0 && n.baseTotal == 0)
        text += tr("<br><i>only in B</i>");
    else if (i > 0 && n.total == 0)
        text += tr("<br><i>only in A</i>");
    return text;
}

void FlameGraphView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    const int node = nodeAt(event->position().toPoint());
    if (node < 0)
        return;
    emit frameClicked(node);
    zoomTo(node);
}

void FlameGraphView::mouseMoveEvent(QMouseEvent *event)
{
    const int node = nodeAt(event->position().toPoint());
    if (node != m_hover) {
        m_hover = node;
        update();
    }
    setCursor(node >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
}

void FlameGraphView::leaveEvent(QEvent *event)
{
    if (m_hover >= 0) {
        m_hover = -1;
        update();
    }
    QWidget::leaveEvent(event);
}

void FlameGraphView::contextMenuEvent(QContextMenuEvent *event)
{
    const int node = nodeAt(event->pos());
    if (node > 0)
        emit frameContextMenuRequested(node, event->globalPos());
}

void FlameGraphView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange) {
        m_rowHeight = fontMetrics().height() + 6;
        m_elidedWidth.fill(-1);
        updateGeometryForTree();
    }
    QWidget::changeEvent(event);
}

bool FlameGraphView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int node = nodeAt(help->pos());
        if (node >= 0)
            QToolTip::showText(help->globalPos(), toolTipText(node), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

QSize FlameGraphView::sizeHint() const
{
    const int rows = m_tree ? m_tree->maxDepth() + 1 : 8;
    return {900, rows * m_rowHeight};
}

QSize FlameGraphView::minimumSizeHint() const
{
    return {200, m_rowHeight};
}

} // namespace spyglass::gui::flamegraph
