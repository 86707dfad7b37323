#include "app/gui/flamegraph/call_tree.h"

#include <QHash>
#include <QRegularExpression>
#include <algorithm>

namespace spyglass::gui::flamegraph {

std::int64_t StackSet::total() const
{
    std::int64_t t = 0;
    for (const Stack &s : stacks)
        t += s.value;
    return t;
}

std::int64_t StackSet::baseTotal() const
{
    std::int64_t t = 0;
    for (const Stack &s : stacks)
        t += s.baseValue;
    return t;
}

int StackSet::functionId(const QString &name) const
{
    return int(names.indexOf(name));
}

namespace {

QList<std::uint32_t> rootFirst(const QList<std::uint32_t> &leafFirst, const QList<std::uint32_t> &map,
                               qsizetype tableSize)
{
    QList<std::uint32_t> out;
    out.reserve(leafFirst.size());
    for (auto it = leafFirst.crbegin(); it != leafFirst.crend(); ++it) {
        // A stack pointing outside the function table is malformed input;
        // keep the sample (its value still counts) but drop the bad frame.
        if (*it >= tableSize)
            continue;
        out.push_back(map.isEmpty() ? *it : map[*it]);
    }
    return out;
}

} // namespace

StackSet StackSet::fromProfile(const model::Profile &profile)
{
    StackSet set;
    set.names = profile.functionNames;
    set.stacks.reserve(profile.stacks.size());
    for (const auto &s : profile.stacks)
        set.stacks.push_back({rootFirst(s.functions, {}, profile.functionNames.size()), s.value, 0});
    return set;
}

StackSet StackSet::diff(const model::Profile &baseline, const model::Profile &comparison)
{
    StackSet set;
    set.isDiff = true;
    QHash<QString, std::uint32_t> ids;
    auto mapOf = [&](const model::Profile &p) {
        QList<std::uint32_t> map;
        map.reserve(p.functionNames.size());
        for (const QString &n : p.functionNames) {
            auto it = ids.constFind(n);
            if (it == ids.cend()) {
                it = ids.insert(n, std::uint32_t(set.names.size()));
                set.names.push_back(n);
            }
            map.push_back(*it);
        }
        return map;
    };
    const QList<std::uint32_t> baseMap = mapOf(baseline);
    const QList<std::uint32_t> compMap = mapOf(comparison);
    for (const auto &s : baseline.stacks)
        set.stacks.push_back({rootFirst(s.functions, baseMap, baseMap.size()), 0, s.value});
    for (const auto &s : comparison.stacks)
        set.stacks.push_back({rootFirst(s.functions, compMap, compMap.size()), s.value, 0});
    return set;
}

StackSet collapseRecursion(StackSet set)
{
    for (auto &s : set.stacks) {
        auto last = std::unique(s.frames.begin(), s.frames.end());
        s.frames.erase(last, s.frames.end());
    }
    return set;
}

StackSet hideFunctions(StackSet set, const QSet<std::uint32_t> &functions)
{
    if (functions.isEmpty())
        return set;
    for (auto &s : set.stacks)
        s.frames.removeIf([&](std::uint32_t f) { return functions.contains(f); });
    return set;
}

StackSet calleesOf(StackSet set, std::uint32_t function)
{
    QList<StackSet::Stack> kept;
    for (auto &s : set.stacks) {
        const qsizetype at = s.frames.indexOf(function);
        if (at < 0)
            continue;
        s.frames.remove(0, at);
        kept.push_back(std::move(s));
    }
    set.stacks = std::move(kept);
    return set;
}

StackSet callersOf(StackSet set, std::uint32_t function)
{
    QList<StackSet::Stack> kept;
    for (auto &s : set.stacks) {
        const qsizetype at = s.frames.indexOf(function);
        if (at < 0)
            continue;
        s.frames.resize(at + 1);
        std::reverse(s.frames.begin(), s.frames.end());
        kept.push_back(std::move(s));
    }
    set.stacks = std::move(kept);
    return set;
}

CallTree CallTree::build(const StackSet &set, const QString &rootName)
{
    // Pass 1: a trie in insertion order.
    struct Temp
    {
        std::uint32_t name;
        std::int32_t parent;
        std::int64_t total = 0, self = 0, baseTotal = 0, baseSelf = 0;
        QList<std::int32_t> children;
    };
    QList<Temp> temp;
    temp.push_back({kRootName, -1, 0, 0, 0, 0, {}});
    QHash<quint64, std::int32_t> childOf;
    for (const auto &s : set.stacks) {
        std::int32_t cur = 0;
        temp[0].total += s.value;
        temp[0].baseTotal += s.baseValue;
        for (std::uint32_t f : s.frames) {
            const quint64 key = (quint64(quint32(cur)) << 32) | f;
            auto it = childOf.constFind(key);
            std::int32_t next;
            if (it == childOf.cend()) {
                next = std::int32_t(temp.size());
                temp.push_back({f, cur, 0, 0, 0, 0, {}});
                temp[cur].children.push_back(next);
                childOf.insert(key, next);
            } else {
                next = *it;
            }
            cur = next;
            temp[cur].total += s.value;
            temp[cur].baseTotal += s.baseValue;
        }
        temp[cur].self += s.value;
        temp[cur].baseSelf += s.baseValue;
    }

    // Pass 2: preorder with children sorted by name, as flamegraph.pl and
    // Pyroscope do, so the same profile always looks the same.
    CallTree tree;
    tree.m_names = set.names;
    tree.m_rootName = rootName;
    tree.m_isDiff = set.isDiff;
    tree.m_nodes.reserve(temp.size());
    QList<std::int32_t> newIndex(temp.size(), -1);
    QList<std::pair<std::int32_t, std::int32_t>> stack{{0, -1}}; // temp index, new parent
    while (!stack.isEmpty()) {
        const auto [t, parent] = stack.takeLast();
        const Temp &src = temp[t];
        Node n;
        n.name = src.name;
        n.parent = parent;
        n.depth = parent < 0 ? 0 : tree.m_nodes[parent].depth + 1;
        n.total = src.total;
        n.self = src.self;
        n.baseTotal = src.baseTotal;
        n.baseSelf = src.baseSelf;
        newIndex[t] = std::int32_t(tree.m_nodes.size());
        tree.m_maxDepth = std::max(tree.m_maxDepth, int(n.depth));
        tree.m_nodes.push_back(n);
        QList<std::int32_t> kids = src.children;
        std::sort(kids.begin(), kids.end(), [&](std::int32_t a, std::int32_t b) {
            return set.names[temp[a].name] < set.names[temp[b].name];
        });
        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
            stack.push_back({*it, newIndex[t]});
    }
    // Subtree ends: a node's subtree ends where the next node not below it starts.
    for (int i = tree.size() - 1; i >= 0; --i) {
        Node &n = tree.m_nodes[i];
        if (n.end < i + 1)
            n.end = i + 1;
        if (n.parent >= 0)
            tree.m_nodes[n.parent].end = std::max(tree.m_nodes[n.parent].end, n.end);
    }

    // Layout: a diff is laid out by both profiles, the baseline scaled to the
    // comparison's total, so frames only in A stay visible.
    const Node &root = tree.m_nodes[0];
    tree.m_baseScale = root.baseTotal > 0 ? double(root.total) / double(root.baseTotal) : 0.0;
    if (tree.m_isDiff && root.total == 0)
        tree.m_baseScale = 1.0;
    auto weight = [&](const Node &n) {
        return tree.m_isDiff ? double(n.total) + double(n.baseTotal) * tree.m_baseScale : double(n.total);
    };
    const double rootWeight = weight(root);
    QList<double> cursor(tree.size(), 0.0);
    for (int i = 0; i < tree.size(); ++i) {
        Node &n = tree.m_nodes[i];
        if (i == 0) {
            n.start = 0;
            n.width = rootWeight > 0 ? 1.0 : 0.0;
        } else {
            n.start = cursor[n.parent];
            n.width = rootWeight > 0 ? weight(n) / rootWeight : 0.0;
            cursor[n.parent] += n.width;
        }
        cursor[i] = n.start;
    }
    return tree;
}

QString CallTree::name(int i) const
{
    return functionName(m_nodes[i].name);
}

QString CallTree::functionName(std::uint32_t id) const
{
    if (id == kRootName)
        return m_rootName;
    return id < m_names.size() ? m_names[id] : QString();
}

QList<int> CallTree::children(int i) const
{
    QList<int> out;
    for (int j = i + 1; j < m_nodes[i].end; j = m_nodes[j].end)
        out.push_back(j);
    return out;
}

QList<int> CallTree::ancestors(int i) const
{
    QList<int> out;
    for (int p = m_nodes[i].parent; p >= 0; p = m_nodes[p].parent)
        out.prepend(p);
    return out;
}

int CallTree::findPath(const QStringList &rootFirst) const
{
    if (m_nodes.isEmpty())
        return -1;
    int cur = 0;
    for (const QString &n : rootFirst) {
        int found = -1;
        for (int c : children(cur)) {
            if (name(c) == n) {
                found = c;
                break;
            }
        }
        if (found < 0)
            return -1;
        cur = found;
    }
    return cur;
}

QBitArray CallTree::nodesOfFunction(std::uint32_t function) const
{
    QBitArray bits(size());
    for (int i = 1; i < size(); ++i)
        if (m_nodes[i].name == function)
            bits.setBit(i);
    return bits;
}

double CallTree::shareDelta(int i) const
{
    const Node &n = m_nodes[i];
    const double b = total() > 0 ? double(n.total) / double(total()) : 0.0;
    const double a = baseTotal() > 0 ? double(n.baseTotal) / double(baseTotal()) : 0.0;
    return b - a;
}

SearchResult searchTree(const CallTree &tree, const QRegularExpression &pattern)
{
    SearchResult r;
    r.matched = QBitArray(tree.size());
    if (!pattern.isValid() || pattern.pattern().isEmpty() || tree.isEmpty())
        return r;
    // Names repeat across many nodes: match each once.
    QList<signed char> nameMatches(tree.names().size(), -1);
    int coveredEnd = 0;
    for (int i = 1; i < tree.size(); ++i) {
        const auto &n = tree.node(i);
        signed char &m = nameMatches[n.name];
        if (m < 0)
            m = pattern.match(tree.names()[n.name]).hasMatch() ? 1 : 0;
        if (m == 0)
            continue;
        r.matched.setBit(i);
        ++r.matchedNodes;
        if (i >= coveredEnd) {
            r.matchedTotal += n.total;
            r.baseMatchedTotal += n.baseTotal;
            coveredEnd = n.end;
        }
    }
    r.share = tree.total() > 0 ? double(r.matchedTotal) / double(tree.total()) : 0.0;
    return r;
}

QList<FunctionStat> functionStats(const CallTree &tree)
{
    const int nameCount = int(tree.names().size());
    QList<FunctionStat> stats(nameCount);
    QList<int> onPath(nameCount, 0);
    QList<bool> seen(nameCount, false);
    QList<int> path; // ancestors of the current node, excluding the root
    for (int i = 1; i < tree.size(); ++i) {
        const auto &n = tree.node(i);
        while (!path.isEmpty() && tree.node(path.last()).end <= i)
            --onPath[tree.node(path.takeLast()).name];
        FunctionStat &s = stats[n.name];
        seen[n.name] = true;
        s.self += n.self;
        s.baseSelf += n.baseSelf;
        if (onPath[n.name] == 0) {
            s.total += n.total;
            s.baseTotal += n.baseTotal;
        }
        ++onPath[n.name];
        path.push_back(i);
    }
    QList<FunctionStat> out;
    for (int f = 0; f < nameCount; ++f) {
        if (!seen[f])
            continue;
        stats[f].name = std::uint32_t(f);
        out.push_back(stats[f]);
    }
    return out;
}

} // namespace spyglass::gui::flamegraph
