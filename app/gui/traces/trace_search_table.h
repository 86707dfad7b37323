#pragma once

#include "core/store/span_store.h"

#include <QAbstractTableModel>
#include <QTableView>

class QSortFilterProxyModel;

namespace spyglass::gui::traces {

// Trace summaries as rows: trace id, root service, root name, start,
// duration, span count, errors. Sorting uses the raw numbers.
class TraceSummaryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TraceId, RootService, RootName, Start, Duration, Spans, Errors, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    void setSummaries(QList<store::TraceSummary> summaries);
    const QList<store::TraceSummary> &summaries() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<store::TraceSummary> m_rows;
};

// The search results table: double click (or Enter) opens the trace.
class TraceSearchTable : public QTableView
{
    Q_OBJECT
public:
    explicit TraceSearchTable(QWidget *parent = nullptr);

    void setSummaries(QList<store::TraceSummary> summaries);
    TraceSummaryModel *summaryModel() const { return m_model; }
    // Trace id of a row as shown (after sorting).
    QByteArray traceIdAt(int viewRow) const;
    // Makes the row of a trace current (the one the viewer shows); false when not listed.
    bool selectTrace(const QByteArray &traceId);
    // Selected rows' trace ids, in table order.
    QList<QByteArray> selectedTraceIds() const;
    int rowOf(const QByteArray &traceId) const; // -1 when not listed

signals:
    void traceActivated(const QByteArray &traceId);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    TraceSummaryModel *m_model;
    QSortFilterProxyModel *m_proxy;
};

} // namespace spyglass::gui::traces
