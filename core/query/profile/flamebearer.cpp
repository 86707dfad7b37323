#include "core/query/profile/flamebearer.h"

#include <QHash>

#include <algorithm>

namespace spyglass::query::profile {

namespace {

std::uint32_t nameIndex(Flamebearer &fb, QHash<QString, std::uint32_t> &index, const QString &name)
{
    auto it = index.constFind(name);
    if (it != index.cend())
        return *it;
    const auto i = std::uint32_t(fb.names.size());
    fb.names.append(name);
    index.insert(name, i);
    return i;
}

} // namespace

Flamebearer Flamebearer::fromTree(const CallTree &tree)
{
    Flamebearer fb;
    QHash<QString, std::uint32_t> index;
    fb.numTicks = tree.total();
    // Absolute x of each node: parent's x + totals of earlier siblings.
    std::vector<std::int64_t> x(size_t(tree.size()), 0);
    std::vector<std::int64_t> levelEnd;
    for (auto n : tree.preorder()) {
        const auto &node = tree.node(n);
        const auto level = size_t(node.level);
        if (fb.levels.size() <= qsizetype(level)) {
            fb.levels.resize(qsizetype(level) + 1);
            levelEnd.resize(level + 1, 0);
        }
        std::int64_t start = 0;
        if (node.parent >= 0) {
            // Start where the previous node on this level ended, but never
            // before the parent's start.
            start = std::max(x[size_t(node.parent)], levelEnd[level]);
        }
        x[size_t(n)] = start;
        auto &lv = fb.levels[qsizetype(level)];
        lv.append(start - levelEnd[level]);
        lv.append(node.total);
        lv.append(node.self);
        lv.append(nameIndex(fb, index, tree.name(n)));
        levelEnd[level] = start + node.total;
        fb.maxSelf = std::max(fb.maxSelf, node.self);
    }
    return fb;
}

Flamebearer Flamebearer::fromDiff(const DiffTree &diff)
{
    Flamebearer fb;
    QHash<QString, std::uint32_t> index;
    const auto &nodes = diff.nodes();
    fb.leftTicks = nodes.front().leftTotal;
    fb.rightTicks = nodes.front().rightTotal;
    fb.numTicks = fb.leftTicks + fb.rightTicks;
    std::vector<std::int64_t> xl(nodes.size(), 0), xr(nodes.size(), 0);
    std::vector<std::int64_t> endL, endR;
    std::vector<std::int32_t> stack{0};
    while (!stack.empty()) {
        const auto i = stack.back();
        stack.pop_back();
        const auto &n = nodes[size_t(i)];
        const auto level = size_t(n.level);
        if (fb.levels.size() <= qsizetype(level)) {
            fb.levels.resize(qsizetype(level) + 1);
            endL.resize(level + 1, 0);
            endR.resize(level + 1, 0);
        }
        std::int64_t sl = 0, sr = 0;
        if (n.parent >= 0) {
            sl = std::max(xl[size_t(n.parent)], endL[level]);
            sr = std::max(xr[size_t(n.parent)], endR[level]);
        }
        xl[size_t(i)] = sl;
        xr[size_t(i)] = sr;
        auto &lv = fb.levels[qsizetype(level)];
        lv << sl - endL[level] << n.leftTotal << n.leftSelf << sr - endR[level] << n.rightTotal << n.rightSelf
           << nameIndex(fb, index, n.name);
        endL[level] = sl + n.leftTotal;
        endR[level] = sr + n.rightTotal;
        fb.maxSelf = std::max({fb.maxSelf, n.leftSelf, n.rightSelf});
        for (auto it = n.children.crbegin(); it != n.children.crend(); ++it)
            stack.push_back(*it);
    }
    return fb;
}

} // namespace spyglass::query::profile
