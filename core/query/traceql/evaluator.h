#pragma once

#include "core/query/traceql/ast.h"

#include <QHash>
#include <QList>
#include <QPair>

namespace spyglass::query::traceql {

// One trace prepared for evaluation: its spans plus the tree (parent and
// children by index) and nested-set numbers the structural operators and
// intrinsics need. Spans whose parent is not in the trace count as roots.
class TraceView
{
public:
    explicit TraceView(QList<model::Span> spans);

    const QList<model::Span> &spans() const { return m_spans; }
    qsizetype size() const { return m_spans.size(); }
    int parent(int i) const { return m_parent[i]; }
    const QList<int> &children(int i) const { return m_children[i]; }
    int root() const { return m_root; } // -1 when no span is a true root
    model::TimestampNs start() const { return m_start; }
    model::TimestampNs end() const { return m_end; }
    int nestedLeft(int i) const { return m_left[i]; }
    int nestedRight(int i) const { return m_right[i]; }

private:
    QList<model::Span> m_spans;
    QList<int> m_parent;
    QList<QList<int>> m_children;
    QList<int> m_left, m_right;
    int m_root = -1;
    model::TimestampNs m_start = 0, m_end = 0;
};

using NamedValues = QList<QPair<QString, Value>>;

// A set of spans of one trace (indices into TraceView::spans(), ascending)
// plus what the pipeline attached: by() values and aggregate results.
struct SpanSet
{
    QList<int> spans;
    NamedValues attributes;
    QList<FieldExprPtr> selected; // select() fields to show per span
};

class Evaluator
{
public:
    // Runs the query's pipeline (not its metrics stage) on one trace.
    static QList<SpanSet> evaluate(const Query &query, const TraceView &trace);
    static QList<SpanSet> evaluate(const Pipeline &pipeline, const TraceView &trace);

    // The value of a field expression on one span (events and links: the
    // first that makes it non-nil).
    static Value value(const FieldExpr &e, const TraceView &trace, int span);
    // Whether a `{ }` filter expression holds for a span (any event/link).
    static bool matches(const FieldExpr &e, const TraceView &trace, int span);

    // The attributes a query's filters mention (to show them in results,
    // as Tempo does), in order of first appearance.
    static QList<FieldExprPtr> referencedFields(const Query &query);
};

} // namespace spyglass::query::traceql
