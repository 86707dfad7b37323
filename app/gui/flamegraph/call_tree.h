#pragma once

#include "core/model/profile.h"

#include <QBitArray>
#include <QList>
#include <QSet>
#include <QString>
#include <cstdint>
#include <limits>

class QRegularExpression;

namespace spyglass::gui::flamegraph {

// Stacks root first, as ids into one name table; the form every view
// transformation (collapse recursion, focus, hide, sandwich) works on. A diff
// carries both profiles: `value` is the comparison, `baseValue` the baseline.
struct StackSet
{
    struct Stack
    {
        QList<std::uint32_t> frames; // root first
        std::int64_t value = 0;
        std::int64_t baseValue = 0;
    };

    QList<QString> names;
    QList<Stack> stacks;
    bool isDiff = false;

    std::int64_t total() const;
    std::int64_t baseTotal() const;
    int functionId(const QString &name) const; // -1 when absent

    static StackSet fromProfile(const model::Profile &profile);
    // One name table for both; functions are matched by name.
    static StackSet diff(const model::Profile &baseline, const model::Profile &comparison);
};

// a;b;b;b;c becomes a;b;c: direct recursion collapses into one frame.
StackSet collapseRecursion(StackSet set);
// Drops the frames of these functions; their callees move up to the caller.
StackSet hideFunctions(StackSet set, const QSet<std::uint32_t> &functions);
// Focus / sandwich callees: every stack through `function`, cut so that its
// outermost call is the root. Stacks not through it are dropped.
StackSet calleesOf(StackSet set, std::uint32_t function);
// Sandwich callers: the callers of the outermost call of `function`, reversed,
// so the tree is rooted at the function and grows towards main().
StackSet callersOf(StackSet set, std::uint32_t function);

// A call tree in depth-first preorder (children sorted by name), with the
// flame-graph layout precomputed into flat arrays: a node's subtree is the
// index range [i, end), x positions are fractions of the root's width.
class CallTree
{
public:
    static constexpr std::uint32_t kRootName = std::numeric_limits<std::uint32_t>::max();

    struct Node
    {
        std::uint32_t name = kRootName;
        std::int32_t parent = -1;
        std::int32_t depth = 0;
        std::int32_t end = 1;
        std::int64_t total = 0;
        std::int64_t self = 0;
        std::int64_t baseTotal = 0; // diff only
        std::int64_t baseSelf = 0;  // diff only
        double start = 0;           // layout, fraction of the root
        double width = 0;
    };

    static CallTree build(const StackSet &set, const QString &rootName = QStringLiteral("total"));

    bool isEmpty() const { return m_nodes.size() <= 1; }
    int size() const { return int(m_nodes.size()); }
    const Node &node(int i) const { return m_nodes[i]; }
    const QList<Node> &nodes() const { return m_nodes; }
    const QList<QString> &names() const { return m_names; }
    QString name(int i) const;
    QString functionName(std::uint32_t id) const;
    bool isDiff() const { return m_isDiff; }
    int maxDepth() const { return m_maxDepth; }
    std::int64_t total() const { return m_nodes.isEmpty() ? 0 : m_nodes[0].total; }
    std::int64_t baseTotal() const { return m_nodes.isEmpty() ? 0 : m_nodes[0].baseTotal; }
    // Comparison / baseline totals: baseline values times this compare with
    // comparison values (diff normalisation).
    double baseScale() const { return m_baseScale; }

    QList<int> children(int i) const;
    QList<int> ancestors(int i) const; // root first, without i
    bool contains(int ancestor, int node) const { return ancestor <= node && node < m_nodes[ancestor].end; }
    // The node reached from the root by these names (root not included), or -1.
    int findPath(const QStringList &rootFirst) const;
    // Nodes of one function (for highlighting a row of the top table).
    QBitArray nodesOfFunction(std::uint32_t function) const;

    // Diff: share of the comparison minus share of the baseline, for the
    // node's total (in [-1, 1]).
    double shareDelta(int i) const;

private:
    QList<Node> m_nodes;
    QList<QString> m_names;
    QString m_rootName;
    bool m_isDiff = false;
    int m_maxDepth = 0;
    double m_baseScale = 0;
};

struct SearchResult
{
    QBitArray matched;      // per node
    int matchedNodes = 0;
    std::int64_t matchedTotal = 0; // each matched subtree counted once
    std::int64_t baseMatchedTotal = 0;
    double share = 0; // matchedTotal / tree total
};

// Matches function names (QRegularExpression partial match, like Pyroscope's
// search box); an invalid or empty pattern matches nothing.
SearchResult searchTree(const CallTree &tree, const QRegularExpression &pattern);

struct FunctionStat
{
    std::uint32_t name = 0;
    std::int64_t self = 0;
    std::int64_t total = 0; // a function recursing counts once per stack
    std::int64_t baseSelf = 0;
    std::int64_t baseTotal = 0;
};

// One row per function of the tree (the top table), in name-id order.
QList<FunctionStat> functionStats(const CallTree &tree);

} // namespace spyglass::gui::flamegraph
