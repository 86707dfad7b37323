#include "app/gui/traces/trace_row_model.h"

#include <QHash>
#include <QSet>
#include <algorithm>
#include <limits>

namespace spyglass::gui::traces {

namespace {

bool containsText(const model::Attributes &attrs, const QString &text)
{
    for (const model::Attribute &a : attrs) {
        if (a.key.contains(text, Qt::CaseInsensitive) || a.value.toString().contains(text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

TraceRowModel TraceRowModel::build(QList<model::Span> spans)
{
    TraceRowModel m;
    m.m_spans = std::move(spans);
    const int n = int(m.m_spans.size());
    if (n == 0)
        return m;

    QHash<QByteArray, int> byId;
    byId.reserve(n);
    for (int i = 0; i < n; ++i)
        byId.insert(m.m_spans[i].spanId, i);

    // Parent of each span (span indices), children per span as CSR.
    std::vector<int> parentOf(std::size_t(n), -1);
    std::vector<char> orphan(std::size_t(n), 0);
    std::vector<int> childCount(std::size_t(n), 0);
    for (int i = 0; i < n; ++i) {
        const model::Span &s = m.m_spans[i];
        if (s.parentSpanId.isEmpty())
            continue;
        const auto it = byId.constFind(s.parentSpanId);
        if (it == byId.constEnd() || it.value() == i) {
            orphan[std::size_t(i)] = 1;
            continue;
        }
        parentOf[std::size_t(i)] = it.value();
        ++childCount[std::size_t(it.value())];
    }
    std::vector<int> childStart(std::size_t(n) + 1, 0);
    for (int i = 0; i < n; ++i)
        childStart[std::size_t(i) + 1] = childStart[std::size_t(i)] + childCount[std::size_t(i)];
    std::vector<int> spanChildren(static_cast<std::size_t>(childStart[std::size_t(n)]));
    {
        std::vector<int> fill(childStart.begin(), childStart.end() - 1);
        for (int i = 0; i < n; ++i)
            if (parentOf[std::size_t(i)] >= 0)
                spanChildren[std::size_t(fill[std::size_t(parentOf[std::size_t(i)])]++)] = i;
    }
    const auto byStart = [&m](int a, int b) {
        const auto &sa = m.m_spans[a];
        const auto &sb = m.m_spans[b];
        return sa.start != sb.start ? sa.start < sb.start : a < b;
    };
    for (int i = 0; i < n; ++i)
        std::sort(spanChildren.begin() + childStart[std::size_t(i)],
                  spanChildren.begin() + childStart[std::size_t(i) + 1], byStart);

    // Real roots first (earliest first), then orphans: the first node is the
    // root the header and the critical path talk about.
    std::vector<int> roots;
    for (int i = 0; i < n; ++i)
        if (parentOf[std::size_t(i)] < 0)
            roots.push_back(i);
    // A cycle of parent ids leaves spans unreachable from any root; they
    // are appended as roots after the walk below.
    std::sort(roots.begin(), roots.end(), [&](int a, int b) {
        if (orphan[std::size_t(a)] != orphan[std::size_t(b)])
            return orphan[std::size_t(a)] < orphan[std::size_t(b)];
        return byStart(a, b);
    });

    // Pre-order walk with an explicit stack (deep traces must not overflow).
    std::vector<int> nodeOfSpan(std::size_t(n), -1);
    m.m_nodes.reserve(std::size_t(n));
    std::vector<std::pair<int, int>> stack; // span, depth
    const auto walk = [&](int root) {
        stack.push_back({root, 0});
        while (!stack.empty()) {
            const auto [s, depth] = stack.back();
            stack.pop_back();
            if (nodeOfSpan[std::size_t(s)] >= 0)
                continue;
            Node node;
            node.span = s;
            node.depth = depth;
            node.parent = parentOf[std::size_t(s)] >= 0 ? nodeOfSpan[std::size_t(parentOf[std::size_t(s)])] : -1;
            node.orphan = orphan[std::size_t(s)] != 0;
            nodeOfSpan[std::size_t(s)] = int(m.m_nodes.size());
            m.m_nodes.push_back(node);
            for (int c = childStart[std::size_t(s) + 1] - 1; c >= childStart[std::size_t(s)]; --c)
                stack.push_back({spanChildren[std::size_t(c)], depth + 1});
        }
    };
    for (int r : roots)
        walk(r);
    for (int i = 0; i < n; ++i) {
        if (nodeOfSpan[std::size_t(i)] < 0) {
            parentOf[std::size_t(i)] = -1; // break the cycle here
            orphan[std::size_t(i)] = 1;
            walk(i);
        }
    }

    // Children lists in node numbers, subtree sizes, services, bounds.
    QHash<QString, int> serviceIndex;
    QStringList serviceNames;
    m.m_childList.reserve(std::size_t(n));
    m.m_start = std::numeric_limits<model::TimestampNs>::max();
    m.m_end = std::numeric_limits<model::TimestampNs>::min();
    for (int ni = 0; ni < n; ++ni) {
        Node &node = m.m_nodes[std::size_t(ni)];
        const int s = node.span;
        node.firstChild = int(m.m_childList.size());
        for (int c = childStart[std::size_t(s)]; c < childStart[std::size_t(s) + 1]; ++c) {
            const int childNode = nodeOfSpan[std::size_t(spanChildren[std::size_t(c)])];
            // A child re-rooted to break a cycle is not listed under its old parent.
            if (m.m_nodes[std::size_t(childNode)].parent == ni)
                m.m_childList.push_back(childNode);
        }
        node.childCount = int(m.m_childList.size()) - node.firstChild;
        const model::Span &span = m.m_spans[s];
        node.error = span.status == model::Span::Status::Error;
        m.m_errorCount += node.error ? 1 : 0;
        m.m_maxDepth = std::max(m.m_maxDepth, node.depth);
        m.m_start = std::min(m.m_start, span.start);
        m.m_end = std::max(m.m_end, std::max(span.end, span.start));
        auto it = serviceIndex.constFind(span.serviceName);
        if (it == serviceIndex.constEnd()) {
            it = serviceIndex.insert(span.serviceName, int(serviceNames.size()));
            serviceNames.push_back(span.serviceName);
        }
        node.service = it.value();
    }
    for (int ni = n - 1; ni > 0; --ni) {
        const int p = m.m_nodes[std::size_t(ni)].parent;
        if (p >= 0)
            m.m_nodes[std::size_t(p)].subtreeSize += m.m_nodes[std::size_t(ni)].subtreeSize;
    }
    m.m_services = serviceNames;
    m.m_traceId = m.m_spans[m.m_nodes[0].span].traceId;

    // Critical path (Jaeger's definition): from the root's end walk back in
    // time; the last child to finish before the current point is on the
    // path, then the point moves to that child's start, and so on in each
    // chosen child.
    std::vector<std::pair<int, model::TimestampNs>> work{{0, m.m_spans[m.m_nodes[0].span].end}};
    std::vector<int> kids;
    while (!work.empty()) {
        const auto [ni, limit] = work.back();
        work.pop_back();
        Node &node = m.m_nodes[std::size_t(ni)];
        node.critical = true;
        const model::Span &span = m.m_spans[node.span];
        model::TimestampNs t = std::min(span.end, limit);
        kids.assign(m.m_childList.begin() + node.firstChild,
                    m.m_childList.begin() + node.firstChild + node.childCount);
        std::sort(kids.begin(), kids.end(), [&m](int a, int b) {
            return m.m_spans[m.m_nodes[std::size_t(a)].span].end > m.m_spans[m.m_nodes[std::size_t(b)].span].end;
        });
        for (int c : kids) {
            if (t <= span.start)
                break;
            const model::Span &cs = m.m_spans[m.m_nodes[std::size_t(c)].span];
            if (std::min(cs.end, span.end) <= t && cs.start < t) {
                work.push_back({c, t});
                t = cs.start;
            }
        }
    }

    m.m_collapsed.assign(std::size_t(n), 0);
    m.rebuildRows();
    return m;
}

QList<int> TraceRowModel::children(int n) const
{
    const Node &node = m_nodes[std::size_t(n)];
    return QList<int>(m_childList.begin() + node.firstChild, m_childList.begin() + node.firstChild + node.childCount);
}

int TraceRowModel::nodeOfSpanId(const QByteArray &spanId) const
{
    for (int i = 0; i < nodeCount(); ++i)
        if (span(i).spanId == spanId)
            return i;
    return -1;
}

int TraceRowModel::criticalCount() const
{
    return int(std::count_if(m_nodes.begin(), m_nodes.end(), [](const Node &n) { return n.critical; }));
}

int TraceRowModel::rowOfNode(int n) const
{
    return n >= 0 && n < nodeCount() ? m_rowOfNode[std::size_t(n)] : -1;
}

void TraceRowModel::setCollapsed(int n, bool collapsed)
{
    if (n < 0 || n >= nodeCount() || m_nodes[std::size_t(n)].childCount == 0)
        return;
    if ((m_collapsed[std::size_t(n)] != 0) == collapsed)
        return;
    m_collapsed[std::size_t(n)] = collapsed ? 1 : 0;
    rebuildRows();
}

void TraceRowModel::expandAll()
{
    std::fill(m_collapsed.begin(), m_collapsed.end(), 0);
    rebuildRows();
}

void TraceRowModel::collapseBelow(int depth)
{
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        m_collapsed[i] = m_nodes[i].depth >= depth && m_nodes[i].childCount > 0 ? 1 : 0;
    rebuildRows();
}

void TraceRowModel::reveal(int n)
{
    bool changed = false;
    for (int p = n >= 0 && n < nodeCount() ? m_nodes[std::size_t(n)].parent : -1; p >= 0;
         p = m_nodes[std::size_t(p)].parent) {
        if (m_collapsed[std::size_t(p)]) {
            m_collapsed[std::size_t(p)] = 0;
            changed = true;
        }
    }
    if (changed)
        rebuildRows();
}

void TraceRowModel::rebuildRows()
{
    m_rows.clear();
    m_rowOfNode.assign(m_nodes.size(), -1);
    for (std::size_t i = 0; i < m_nodes.size();) {
        m_rowOfNode[i] = int(m_rows.size());
        m_rows.push_back(int(i));
        i += m_collapsed[i] ? std::size_t(m_nodes[i].subtreeSize) : 1;
    }
}

QList<int> TraceRowModel::search(const QString &rawText) const
{
    QList<int> out;
    const QString text = rawText.trimmed();
    if (text.isEmpty())
        return out;
    for (int i = 0; i < nodeCount(); ++i) {
        const model::Span &s = span(i);
        if (s.name.contains(text, Qt::CaseInsensitive) || s.serviceName.contains(text, Qt::CaseInsensitive) ||
            s.statusMessage.contains(text, Qt::CaseInsensitive) ||
            hexId(s.spanId).compare(text, Qt::CaseInsensitive) == 0 || containsText(s.attributes, text)) {
            out.push_back(i);
        }
    }
    return out;
}

QString formatDurationNs(std::int64_t ns)
{
    const double v = double(ns);
    const double a = std::abs(v);
    const auto fmt = [](double x, const QString &unit) -> QString {
        const int decimals = std::abs(x) >= 100 ? 0 : std::abs(x) >= 10 ? 1 : 2;
        QString s = QString::number(x, 'f', decimals);
        if (s.contains(QLatin1Char('.'))) {
            while (s.endsWith(QLatin1Char('0')))
                s.chop(1);
            if (s.endsWith(QLatin1Char('.')))
                s.chop(1);
        }
        return s + QLatin1Char(' ') + unit;
    };
    if (a >= 60e9 * 60)
        return fmt(v / 3600e9, QStringLiteral("h"));
    if (a >= 60e9)
        return fmt(v / 60e9, QStringLiteral("min"));
    if (a >= 1e9)
        return fmt(v / 1e9, QStringLiteral("s"));
    if (a >= 1e6)
        return fmt(v / 1e6, QStringLiteral("ms"));
    if (a >= 1e3)
        return fmt(v / 1e3, QStringLiteral("µs"));
    return fmt(v, QStringLiteral("ns"));
}

QString hexId(const QByteArray &raw)
{
    return QString::fromLatin1(raw.toHex());
}

} // namespace spyglass::gui::traces
