#pragma once

#include "app/gui/traces/trace_analysis.h"

#include <QWidget>
#include <memory>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace spyglass::gui::traces {

// Two traces compared (Jaeger's trace diff): the merged tree of both, each
// node by its path of service and span name, with the span counts in A and
// B. Nodes only in A are red, only in B green, in both with a different
// count amber; a summary line counts each kind. The merge runs on the
// thread pool (setTraces); setComparison shows one computed elsewhere.
class TraceCompareView : public QWidget
{
    Q_OBJECT
public:
    enum Column { SpanColumn, CountA, CountB, Delta, DurationA, DurationB, ColumnCount };

    explicit TraceCompareView(QWidget *parent = nullptr);

    void setTraces(QList<model::Span> a, QList<model::Span> b);
    void setComparison(const TraceComparison &comparison, const QString &titleA, const QString &titleB);
    const TraceComparison &comparison() const { return m_comparison; }
    QTreeWidget *tree() const { return m_tree; }
    QString summaryText() const;
    // Background of a row by presence, for tests.
    static QColor presenceColor(TraceComparison::Presence presence, bool countChanged);

signals:
    void comparisonReady();

private:
    TraceComparison m_comparison;
    int m_job = 0;
    QLabel *m_summary;
    QTreeWidget *m_tree;
};

} // namespace spyglass::gui::traces
