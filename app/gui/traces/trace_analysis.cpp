#include "app/gui/traces/trace_analysis.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace spyglass::gui::traces {

namespace {

std::int64_t coveredByChildren(const TraceRowModel &m, int n)
{
    const model::Span &s = m.span(n);
    std::vector<std::pair<model::TimestampNs, model::TimestampNs>> iv;
    for (int c : m.children(n)) {
        const model::Span &cs = m.span(c);
        const model::TimestampNs a = std::max(cs.start, s.start);
        const model::TimestampNs b = std::min(cs.end, s.end);
        if (b > a)
            iv.emplace_back(a, b);
    }
    std::sort(iv.begin(), iv.end());
    std::int64_t covered = 0;
    model::TimestampNs curA = 0, curB = 0;
    bool open = false;
    for (auto [a, b] : iv) {
        if (open && a <= curB) {
            curB = std::max(curB, b);
            continue;
        }
        if (open)
            covered += curB - curA;
        curA = a;
        curB = b;
        open = true;
    }
    if (open)
        covered += curB - curA;
    return covered;
}

std::int64_t selfTime(const TraceRowModel &m, int n)
{
    return std::max<std::int64_t>(0, m.span(n).duration() - coveredByChildren(m, n));
}

QString quoted(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

} // namespace

QList<SpanStatRow> spanStatistics(const TraceRowModel &model)
{
    QHash<QPair<QString, QString>, int> index;
    QList<SpanStatRow> rows;
    for (int n = 0; n < model.nodeCount(); ++n) {
        const model::Span &s = model.span(n);
        const auto key = qMakePair(s.serviceName, s.name);
        auto it = index.find(key);
        if (it == index.end()) {
            it = index.insert(key, int(rows.size()));
            SpanStatRow r;
            r.service = s.serviceName;
            r.name = s.name;
            r.minNs = s.duration();
            r.maxNs = s.duration();
            rows.push_back(r);
        }
        SpanStatRow &r = rows[*it];
        ++r.count;
        if (model.node(n).error)
            ++r.errors;
        r.totalNs += s.duration();
        r.selfNs += selfTime(model, n);
        r.minNs = std::min(r.minNs, s.duration());
        r.maxNs = std::max(r.maxNs, s.duration());
    }
    std::stable_sort(rows.begin(), rows.end(), [](const SpanStatRow &a, const SpanStatRow &b) {
        return a.selfNs > b.selfNs;
    });
    return rows;
}

int ServiceGraph::edgeIndex(const QString &from, const QString &to) const
{
    const int f = int(services.indexOf(from));
    const int t = int(services.indexOf(to));
    for (int i = 0; i < edges.size(); ++i)
        if (edges[i].from == f && edges[i].to == t)
            return i;
    return -1;
}

int ServiceGraphBuilder::serviceIndex(const QString &name)
{
    const qsizetype i = m_graph.services.indexOf(name);
    if (i >= 0)
        return int(i);
    m_graph.services.push_back(name);
    m_graph.spanCounts.push_back(0);
    m_graph.errorCounts.push_back(0);
    return int(m_graph.services.size() - 1);
}

void ServiceGraphBuilder::addTrace(const QList<model::Span> &spans)
{
    QHash<QByteArray, int> serviceOfSpan;
    serviceOfSpan.reserve(spans.size());
    for (const model::Span &s : spans) {
        const int svc = serviceIndex(s.serviceName);
        serviceOfSpan.insert(s.spanId, svc);
        ++m_graph.spanCounts[svc];
        if (s.status == model::Span::Status::Error)
            ++m_graph.errorCounts[svc];
    }
    for (const model::Span &s : spans) {
        if (s.parentSpanId.isEmpty())
            continue;
        const auto parent = serviceOfSpan.constFind(s.parentSpanId);
        const int to = serviceOfSpan.value(s.spanId);
        if (parent == serviceOfSpan.constEnd() || *parent == to)
            continue;
        int e = -1;
        for (int i = 0; i < m_graph.edges.size(); ++i)
            if (m_graph.edges[i].from == *parent && m_graph.edges[i].to == to) {
                e = i;
                break;
            }
        if (e < 0) {
            m_graph.edges.push_back({*parent, to});
            e = int(m_graph.edges.size() - 1);
        }
        ServiceGraph::Edge &edge = m_graph.edges[e];
        ++edge.calls;
        if (s.status == model::Span::Status::Error)
            ++edge.errors;
        edge.totalNs += s.duration();
    }
    ++m_graph.traces;
}

ServiceGraph ServiceGraphBuilder::finish(double windowSeconds)
{
    ServiceGraph g = std::move(m_graph);
    m_graph = {};
    g.windowSeconds = windowSeconds;
    for (ServiceGraph::Edge &e : g.edges) {
        e.requestRate = windowSeconds > 0 ? double(e.calls) / windowSeconds : 0;
        e.errorRate = e.calls > 0 ? double(e.errors) / double(e.calls) : 0;
    }
    return g;
}

ServiceGraph traceServiceGraph(const TraceRowModel &model)
{
    ServiceGraphBuilder b;
    b.addTrace(model.spans());
    return b.finish(0);
}

ServiceGraphLayout layoutServiceGraph(const ServiceGraph &graph)
{
    const int n = int(graph.services.size());
    ServiceGraphLayout out;
    out.layer = QList<int>(n, 0);
    out.row = QList<int>(n, 0);
    if (n == 0)
        return out;
    // Longest path from a source over a DFS order that ignores back edges.
    QList<QList<int>> succ(n);
    QList<int> indeg(n, 0);
    for (const ServiceGraph::Edge &e : graph.edges) {
        if (e.from == e.to)
            continue;
        succ[e.from].push_back(e.to);
    }
    QList<int> state(n, 0); // 0 new, 1 on stack, 2 done
    QList<QPair<int, int>> forward;
    std::vector<std::pair<int, int>> stack;
    QList<int> order;
    const auto dfs = [&](int root) {
        stack.push_back({root, 0});
        state[root] = 1;
        while (!stack.empty()) {
            auto &[v, i] = stack.back();
            if (i < succ[v].size()) {
                const int w = succ[v][i++];
                if (state[w] == 0) {
                    forward.push_back({v, w});
                    state[w] = 1;
                    stack.push_back({w, 0});
                } else if (state[w] == 2) {
                    forward.push_back({v, w});
                }
                continue;
            }
            state[v] = 2;
            order.push_front(v);
            stack.pop_back();
        }
    };
    for (const ServiceGraph::Edge &e : graph.edges)
        if (e.from != e.to)
            ++indeg[e.to];
    for (int v = 0; v < n; ++v)
        if (indeg[v] == 0 && state[v] == 0)
            dfs(v);
    for (int v = 0; v < n; ++v)
        if (state[v] == 0)
            dfs(v);
    // `order` is a topological order of the forward edges.
    QList<QList<int>> fwdSucc(n);
    for (auto [a, b] : forward)
        fwdSucc[a].push_back(b);
    for (int v : order)
        for (int w : fwdSucc[v])
            out.layer[w] = std::max(out.layer[w], out.layer[v] + 1);
    QList<int> rowsInLayer;
    for (int v : order) {
        const int l = out.layer[v];
        if (rowsInLayer.size() <= l)
            rowsInLayer.resize(l + 1, 0);
        out.row[v] = rowsInLayer[l]++;
    }
    out.layers = int(rowsInLayer.size());
    out.maxRows = *std::max_element(rowsInLayer.begin(), rowsInLayer.end());
    return out;
}

model::Profile traceAsProfile(const TraceRowModel &model)
{
    model::Profile p;
    p.typeId = QStringLiteral("trace:self:nanoseconds:wall:nanoseconds");
    p.time = model.start();
    p.durationNs = model.duration();
    QHash<QString, std::uint32_t> ids;
    // Stack of function ids from the root to the node being visited, by depth.
    QList<std::uint32_t> path;
    QHash<QList<std::uint32_t>, int> stackIndex;
    for (int n = 0; n < model.nodeCount(); ++n) {
        const model::Span &s = model.span(n);
        const QString frame = s.serviceName + QStringLiteral(": ") + s.name;
        auto it = ids.constFind(frame);
        if (it == ids.constEnd()) {
            it = ids.insert(frame, std::uint32_t(p.functionNames.size()));
            p.functionNames.push_back(frame);
        }
        const int depth = model.node(n).depth;
        path.resize(depth);
        path.push_back(*it);
        const std::int64_t self = selfTime(model, n);
        if (self <= 0)
            continue;
        QList<std::uint32_t> leafFirst(path.crbegin(), path.crend());
        const auto found = stackIndex.constFind(leafFirst);
        if (found != stackIndex.constEnd()) {
            p.stacks[*found].value += self;
        } else {
            stackIndex.insert(leafFirst, int(p.stacks.size()));
            p.stacks.push_back({leafFirst, self, {}});
        }
    }
    return p;
}

TraceComparison compareTraces(const TraceRowModel &a, const TraceRowModel &b)
{
    struct Building
    {
        TraceComparison::Node node;
        QList<int> children;
    };
    std::vector<Building> nodes;
    QHash<QString, int> index; // "parent\x1fservice\x1fname"
    const auto add = [&](const TraceRowModel &m, bool isA) {
        // Merged node of each model node, so children find their parent.
        std::vector<int> merged(std::size_t(m.nodeCount()), -1);
        for (int n = 0; n < m.nodeCount(); ++n) {
            const model::Span &s = m.span(n);
            const int parentNode = m.node(n).parent;
            const int parent = parentNode >= 0 ? merged[std::size_t(parentNode)] : -1;
            const QString key = QString::number(parent) + QChar(0x1f) + s.serviceName + QChar(0x1f) + s.name;
            auto it = index.constFind(key);
            if (it == index.constEnd()) {
                it = index.insert(key, int(nodes.size()));
                Building bn;
                bn.node.service = s.serviceName;
                bn.node.name = s.name;
                bn.node.parent = parent;
                bn.node.depth = parent >= 0 ? nodes[std::size_t(parent)].node.depth + 1 : 0;
                nodes.push_back(bn);
                if (parent >= 0)
                    nodes[std::size_t(parent)].children.push_back(*it);
            }
            TraceComparison::Node &t = nodes[std::size_t(*it)].node;
            const bool err = m.node(n).error;
            if (isA) {
                ++t.countA;
                t.durationA += s.duration();
                t.errorsA += err;
            } else {
                ++t.countB;
                t.durationB += s.duration();
                t.errorsB += err;
            }
            merged[std::size_t(n)] = *it;
        }
    };
    add(a, true);
    add(b, false);

    TraceComparison out;
    out.nodes.reserve(qsizetype(nodes.size()));
    std::vector<int> newIndex(nodes.size(), -1);
    std::vector<int> stack;
    for (int i = int(nodes.size()) - 1; i >= 0; --i)
        if (nodes[std::size_t(i)].node.parent < 0)
            stack.push_back(i);
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        TraceComparison::Node node = nodes[std::size_t(i)].node;
        node.parent = node.parent >= 0 ? newIndex[std::size_t(node.parent)] : -1;
        newIndex[std::size_t(i)] = int(out.nodes.size());
        switch (node.presence()) {
        case TraceComparison::Presence::OnlyA: ++out.onlyA; break;
        case TraceComparison::Presence::OnlyB: ++out.onlyB; break;
        case TraceComparison::Presence::Both: out.countChanged += node.countA != node.countB; break;
        }
        out.nodes.push_back(node);
        const QList<int> &children = nodes[std::size_t(i)].children;
        for (auto it = children.crbegin(); it != children.crend(); ++it)
            stack.push_back(*it);
    }
    return out;
}

SignalJump logsForSpan(const model::Span &span, std::int64_t marginNs)
{
    SignalJump j;
    j.query = QStringLiteral("{service_name=%1} |= %2").arg(quoted(span.serviceName), quoted(hexId(span.traceId)));
    j.from = span.start - marginNs;
    j.to = span.end + marginNs;
    return j;
}

SignalJump metricsForService(const QString &service, model::TimestampNs traceStart, model::TimestampNs traceEnd)
{
    SignalJump j;
    j.query = QStringLiteral("sum by (span_name, status_code) "
                             "(rate(traces_spanmetrics_calls_total{service=%1}[5m]))")
                  .arg(quoted(service));
    constexpr std::int64_t margin = 15LL * 60 * 1'000'000'000;
    j.from = traceStart - margin;
    j.to = traceEnd + margin;
    return j;
}

} // namespace spyglass::gui::traces
