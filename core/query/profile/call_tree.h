#pragma once

#include "core/model/frame.h"
#include "core/model/profile.h"

#include <QHash>
#include <QList>
#include <QString>
#include <cstdint>
#include <vector>

namespace spyglass::query::profile {

// A call tree (the data of a flame graph): node 0 is the root ("total"),
// every other node is one function called from its parent's path.
// total = self + sum of the children's totals.
class CallTree
{
public:
    struct Node
    {
        std::uint32_t name = 0; // index into names()
        std::int32_t parent = -1;
        std::int32_t level = 0; // root 0
        std::int64_t self = 0;
        std::int64_t total = 0;
        QList<std::int32_t> children; // sorted by name after finish()
    };

    CallTree();
    // Stacks are leaf first (model::Profile's order); stack labels ignored.
    static CallTree fromProfile(const model::Profile &profile);
    // Adds one stack given root first, e.g. from "a;b;c" fixtures.
    void addRootFirst(const QStringList &frames, std::int64_t value);

    const QList<QString> &names() const { return m_names; }
    const std::vector<Node> &nodes() const { return m_nodes; }
    const Node &node(std::int32_t i) const { return m_nodes[size_t(i)]; }
    const QString &name(std::int32_t i) const { return m_names[m_nodes[size_t(i)].name]; }
    std::int64_t total() const { return m_nodes.front().total; }
    qsizetype size() const { return qsizetype(m_nodes.size()); }

    // The node reached by following names from the root, or -1.
    std::int32_t find(const QStringList &rootFirstPath) const;
    std::int32_t child(std::int32_t parent, const QString &name) const;

    // Keeps about maxNodes nodes (the root included; "other" nodes may add
    // a few), dropping the smallest; what is dropped under a parent becomes
    // one "other" child, so every total still adds up. 0 keeps everything.
    CallTree truncated(int maxNodes) const;

    // Grafana's flame graph frame (nested set, depth-first pre-order,
    // children by name): fields level, value (total), self, label.
    model::Frame toFrame(const QString &unit = {}) const;

    // Pre-order node indices (children by name), as toFrame() and the
    // flamebearer levels list them.
    std::vector<std::int32_t> preorder() const;

private:
    std::int32_t childOrAdd(std::int32_t parent, const QString &name);
    QList<QString> m_names;
    QHash<QString, std::uint32_t> m_nameIndex;
    std::vector<Node> m_nodes;
    QHash<QPair<std::int32_t, std::uint32_t>, std::int32_t> m_childIndex;
};

// Self and total per function over a profile (the "top table"). A
// function's total counts each stack once even when recursion puts it on
// the stack several times.
struct FunctionTotal
{
    QString name;
    std::int64_t self = 0;
    std::int64_t total = 0;
};
QList<FunctionTotal> functionTotals(const model::Profile &profile); // by self, descending

// Two trees overlaid: every path of either, with both sides' values.
class DiffTree
{
public:
    struct Node
    {
        QString name;
        std::int32_t parent = -1;
        std::int32_t level = 0;
        std::int64_t leftSelf = 0, leftTotal = 0;
        std::int64_t rightSelf = 0, rightTotal = 0;
        QList<std::int32_t> children; // by name
    };

    // With `normalise`, the right side is scaled to the left's total
    // (rounded), so a function taking the same share of both has equal
    // values; leftTotal()/rightTotal() keep the unscaled sums.
    static DiffTree build(const CallTree &left, const CallTree &right, bool normalise);

    const std::vector<Node> &nodes() const { return m_nodes; }
    std::int64_t leftTotal() const { return m_leftTotal; }
    std::int64_t rightTotal() const { return m_rightTotal; }
    double scale() const { return m_scale; } // applied to the right side
    std::int32_t find(const QStringList &rootFirstPath) const;

    // Change of a node's share of the whole, right minus left, in [-1, 1].
    double shareDelta(std::int32_t node) const;

    // Grafana's diff frame: level, label, value (left + right total), self
    // (left + right self), valueRight, selfRight; pre-order.
    model::Frame toFrame(const QString &unit = {}) const;

private:
    std::vector<Node> m_nodes;
    std::int64_t m_leftTotal = 0, m_rightTotal = 0;
    double m_scale = 1.0;
};

} // namespace spyglass::query::profile
