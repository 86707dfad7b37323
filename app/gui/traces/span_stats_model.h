#pragma once

#include "app/gui/traces/trace_analysis.h"

#include <QAbstractTableModel>

namespace spyglass::gui::traces {

// A trace's span statistics as a table (service, name, count, errors,
// total, self, avg, min, max); sorting uses the raw numbers (kSortRole).
class SpanStatsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Service, Name, Count, Errors, Total, Self, SelfShare, Average, Min, Max, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    // The self-share column divides by the rows' summed self time.
    void setRows(QList<SpanStatRow> rows, std::int64_t traceDurationNs);
    const QList<SpanStatRow> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<SpanStatRow> m_rows;
    std::int64_t m_selfTotal = 0;
};

} // namespace spyglass::gui::traces
