#pragma once

#include "core/query/profile/call_tree.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace spyglass::query::profile {

// Pyroscope's flame graph encoding ("flamebearer"), shared by
// /pyroscope/render and the querier's SelectMergeStacktraces/Diff: unique
// names, then per level a flat list of nodes in x order. A single tree has
// 4 numbers per node: x offset from the end of the previous node on that
// level, total, self, name index. A diff has 7: left offset, left total,
// left self, right offset, right total, right self, name index.
struct Flamebearer
{
    QStringList names;
    QList<QList<std::int64_t>> levels;
    std::int64_t numTicks = 0;
    std::int64_t maxSelf = 0;
    std::int64_t leftTicks = 0;  // diff only
    std::int64_t rightTicks = 0; // diff only

    static Flamebearer fromTree(const CallTree &tree);
    static Flamebearer fromDiff(const DiffTree &diff);
};

} // namespace spyglass::query::profile
