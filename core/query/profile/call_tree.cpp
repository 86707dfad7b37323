#include "core/query/profile/call_tree.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace spyglass::query::profile {

CallTree::CallTree()
{
    m_names.append(QStringLiteral("total"));
    m_nameIndex.insert(m_names.front(), 0);
    m_nodes.push_back(Node{});
}

std::int32_t CallTree::childOrAdd(std::int32_t parent, const QString &name)
{
    auto ni = m_nameIndex.constFind(name);
    std::uint32_t nameId;
    if (ni == m_nameIndex.cend()) {
        nameId = std::uint32_t(m_names.size());
        m_names.append(name);
        m_nameIndex.insert(name, nameId);
    } else {
        nameId = *ni;
    }
    const QPair<std::int32_t, std::uint32_t> key{parent, nameId};
    auto it = m_childIndex.constFind(key);
    if (it != m_childIndex.cend())
        return *it;
    const auto idx = std::int32_t(m_nodes.size());
    Node n;
    n.name = nameId;
    n.parent = parent;
    n.level = m_nodes[size_t(parent)].level + 1;
    m_nodes.push_back(n);
    m_nodes[size_t(parent)].children.append(idx);
    m_childIndex.insert(key, idx);
    return idx;
}

void CallTree::addRootFirst(const QStringList &frames, std::int64_t value)
{
    std::int32_t cur = 0;
    m_nodes[0].total += value;
    for (const auto &f : frames) {
        cur = childOrAdd(cur, f);
        m_nodes[size_t(cur)].total += value;
    }
    m_nodes[size_t(cur)].self += value;
}

CallTree CallTree::fromProfile(const model::Profile &profile)
{
    CallTree t;
    for (const auto &s : profile.stacks) {
        std::int32_t cur = 0;
        t.m_nodes[0].total += s.value;
        for (auto it = s.functions.crbegin(); it != s.functions.crend(); ++it) {
            cur = t.childOrAdd(cur, profile.functionNames.value(*it));
            t.m_nodes[size_t(cur)].total += s.value;
        }
        t.m_nodes[size_t(cur)].self += s.value;
    }
    return t;
}

std::int32_t CallTree::child(std::int32_t parent, const QString &name) const
{
    auto ni = m_nameIndex.constFind(name);
    if (ni == m_nameIndex.cend())
        return -1;
    return m_childIndex.value({parent, *ni}, -1);
}

std::int32_t CallTree::find(const QStringList &path) const
{
    std::int32_t cur = 0;
    for (const auto &p : path) {
        cur = child(cur, p);
        if (cur < 0)
            return -1;
    }
    return cur;
}

std::vector<std::int32_t> CallTree::preorder() const
{
    std::vector<std::int32_t> out;
    out.reserve(m_nodes.size());
    std::vector<std::int32_t> stack{0};
    while (!stack.empty()) {
        const auto n = stack.back();
        stack.pop_back();
        out.push_back(n);
        QList<std::int32_t> kids = m_nodes[size_t(n)].children;
        std::sort(kids.begin(), kids.end(), [this](auto a, auto b) { return name(a) < name(b); });
        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
            stack.push_back(*it);
    }
    return out;
}

CallTree CallTree::truncated(int maxNodes) const
{
    if (maxNodes <= 0 || qsizetype(m_nodes.size()) <= maxNodes)
        return *this;
    // Threshold: the maxNodes-th largest total. Children are never larger
    // than their parent, so kept nodes form a connected tree. Room is left
    // for the "other" nodes.
    std::vector<std::int64_t> totals;
    totals.reserve(m_nodes.size());
    for (const auto &n : m_nodes)
        totals.push_back(n.total);
    const size_t keep = size_t(std::max(1, maxNodes / 2));
    std::nth_element(totals.begin(), totals.begin() + std::ptrdiff_t(keep - 1), totals.end(), std::greater<>());
    const std::int64_t threshold = std::max<std::int64_t>(totals[keep - 1], 1);

    CallTree out;
    out.m_nodes[0].total = m_nodes[0].total;
    out.m_nodes[0].self = m_nodes[0].self;
    std::vector<std::pair<std::int32_t, std::int32_t>> work{{0, 0}}; // (this node, out node)
    const QString other = QStringLiteral("other");
    while (!work.empty()) {
        auto [src, dst] = work.back();
        work.pop_back();
        std::int64_t dropped = 0;
        for (auto c : m_nodes[size_t(src)].children) {
            const Node &cn = m_nodes[size_t(c)];
            if (cn.total >= threshold && qsizetype(out.m_nodes.size()) < maxNodes - 1) {
                const auto d = out.childOrAdd(dst, name(c));
                out.m_nodes[size_t(d)].total += cn.total;
                out.m_nodes[size_t(d)].self += cn.self;
                work.push_back({c, d});
            } else {
                dropped += cn.total;
            }
        }
        if (dropped > 0) {
            const auto d = out.childOrAdd(dst, other);
            out.m_nodes[size_t(d)].total += dropped;
            out.m_nodes[size_t(d)].self += dropped;
        }
    }
    return out;
}

model::Frame CallTree::toFrame(const QString &unit) const
{
    QList<std::int64_t> level, value, self;
    QStringList label;
    for (auto n : preorder()) {
        const Node &node = m_nodes[size_t(n)];
        level.append(node.level);
        value.append(node.total);
        self.append(node.self);
        label.append(m_names[node.name]);
    }
    model::Frame f(QStringLiteral("response"), model::FrameKind::ProfileTree);
    f.addField(model::Field::int64(QStringLiteral("level"), level));
    auto v = model::Field::int64(QStringLiteral("value"), value);
    v.setUnit(unit);
    f.addField(v);
    auto s = model::Field::int64(QStringLiteral("self"), self);
    s.setUnit(unit);
    f.addField(s);
    f.addField(model::Field::string(QStringLiteral("label"), label));
    return f;
}

QList<FunctionTotal> functionTotals(const model::Profile &profile)
{
    std::vector<std::int64_t> self(size_t(profile.functionNames.size()), 0);
    std::vector<std::int64_t> total(size_t(profile.functionNames.size()), 0);
    std::vector<std::uint32_t> seenAt(size_t(profile.functionNames.size()), 0);
    std::uint32_t stamp = 0;
    for (const auto &s : profile.stacks) {
        if (s.functions.isEmpty())
            continue;
        ++stamp;
        self[s.functions.front()] += s.value;
        for (auto f : s.functions) {
            if (seenAt[f] == stamp)
                continue; // recursion: count the stack once
            seenAt[f] = stamp;
            total[f] += s.value;
        }
    }
    // Several function table entries may share a name (different files).
    QHash<QString, qsizetype> byName;
    QList<FunctionTotal> out;
    for (qsizetype i = 0; i < profile.functionNames.size(); ++i) {
        if (total[size_t(i)] == 0)
            continue;
        auto it = byName.constFind(profile.functionNames[i]);
        if (it == byName.cend()) {
            byName.insert(profile.functionNames[i], out.size());
            out.append({profile.functionNames[i], self[size_t(i)], total[size_t(i)]});
        } else {
            out[*it].self += self[size_t(i)];
            out[*it].total += total[size_t(i)];
        }
    }
    std::sort(out.begin(), out.end(), [](const FunctionTotal &a, const FunctionTotal &b) {
        return a.self != b.self ? a.self > b.self : (a.total != b.total ? a.total > b.total : a.name < b.name);
    });
    return out;
}

DiffTree DiffTree::build(const CallTree &left, const CallTree &right, bool normalise)
{
    DiffTree d;
    d.m_leftTotal = left.total();
    d.m_rightTotal = right.total();
    d.m_scale = normalise && d.m_rightTotal > 0 && d.m_leftTotal > 0
        ? double(d.m_leftTotal) / double(d.m_rightTotal)
        : 1.0;
    auto scaled = [&](std::int64_t v) { return std::int64_t(std::llround(double(v) * d.m_scale)); };

    d.m_nodes.push_back(Node{QStringLiteral("total"), -1, 0, left.node(0).self, left.total(),
                             scaled(right.node(0).self), scaled(right.total()), {}});
    // Walk both trees together: (left node or -1, right node or -1, diff node).
    struct Item { std::int32_t l, r, out; };
    std::vector<Item> work{{0, 0, 0}};
    while (!work.empty()) {
        const Item it = work.back();
        work.pop_back();
        QMap<QString, std::pair<std::int32_t, std::int32_t>> kids; // sorted by name
        if (it.l >= 0)
            for (auto c : left.node(it.l).children)
                kids[left.name(c)].first = c + 1;
        if (it.r >= 0)
            for (auto c : right.node(it.r).children)
                kids[right.name(c)].second = c + 1;
        for (auto k = kids.cbegin(); k != kids.cend(); ++k) {
            const std::int32_t l = k->first - 1, r = k->second - 1;
            Node n;
            n.name = k.key();
            n.parent = it.out;
            n.level = d.m_nodes[size_t(it.out)].level + 1;
            if (l >= 0) {
                n.leftSelf = left.node(l).self;
                n.leftTotal = left.node(l).total;
            }
            if (r >= 0) {
                n.rightSelf = scaled(right.node(r).self);
                n.rightTotal = scaled(right.node(r).total);
            }
            const auto idx = std::int32_t(d.m_nodes.size());
            d.m_nodes.push_back(n);
            d.m_nodes[size_t(it.out)].children.append(idx);
            work.push_back({l, r, idx});
        }
    }
    // Children were appended in name order per parent; pre-order needs them
    // visited that way, which toFrame does.
    return d;
}

std::int32_t DiffTree::find(const QStringList &path) const
{
    std::int32_t cur = 0;
    for (const auto &p : path) {
        std::int32_t next = -1;
        for (auto c : m_nodes[size_t(cur)].children)
            if (m_nodes[size_t(c)].name == p)
                next = c;
        if (next < 0)
            return -1;
        cur = next;
    }
    return cur;
}

double DiffTree::shareDelta(std::int32_t node) const
{
    const Node &n = m_nodes[size_t(node)];
    const double lt = double(m_nodes[0].leftTotal), rt = double(m_nodes[0].rightTotal);
    const double l = lt > 0 ? double(n.leftTotal) / lt : 0.0;
    const double r = rt > 0 ? double(n.rightTotal) / rt : 0.0;
    return r - l;
}

model::Frame DiffTree::toFrame(const QString &unit) const
{
    QList<std::int64_t> level, value, self, valueRight, selfRight;
    QStringList label;
    std::vector<std::int32_t> stack{0};
    while (!stack.empty()) {
        const auto i = stack.back();
        stack.pop_back();
        const Node &n = m_nodes[size_t(i)];
        level.append(n.level);
        label.append(n.name);
        value.append(n.leftTotal + n.rightTotal);
        self.append(n.leftSelf + n.rightSelf);
        valueRight.append(n.rightTotal);
        selfRight.append(n.rightSelf);
        for (auto it = n.children.crbegin(); it != n.children.crend(); ++it)
            stack.push_back(*it);
    }
    model::Frame f(QStringLiteral("response"), model::FrameKind::ProfileTree);
    f.addField(model::Field::int64(QStringLiteral("level"), level));
    f.addField(model::Field::string(QStringLiteral("label"), label));
    for (auto [name, values] : {std::pair{QStringLiteral("value"), &value}, std::pair{QStringLiteral("self"), &self},
                                std::pair{QStringLiteral("valueRight"), &valueRight},
                                std::pair{QStringLiteral("selfRight"), &selfRight}}) {
        auto fld = model::Field::int64(name, *values);
        fld.setUnit(unit);
        f.addField(fld);
    }
    f.meta().custom.insert(QStringLiteral("leftTotal"), qint64(m_leftTotal));
    f.meta().custom.insert(QStringLiteral("rightTotal"), qint64(m_rightTotal));
    return f;
}

} // namespace spyglass::query::profile
