#include "app/gui/traces/span_stats_model.h"

namespace spyglass::gui::traces {

void SpanStatsModel::setRows(QList<SpanStatRow> rows, std::int64_t traceDurationNs)
{
    beginResetModel();
    m_rows = std::move(rows);
    // Parallel spans make summed self time exceed the trace's duration, so
    // shares are of the summed self time (they add up to 100 %).
    (void)traceDurationNs;
    m_selfTotal = 0;
    for (const SpanStatRow &r : m_rows)
        m_selfTotal += r.selfNs;
    endResetModel();
}

int SpanStatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SpanStatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SpanStatsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SpanStatRow &r = m_rows[index.row()];
    const double share = m_selfTotal > 0 ? double(r.selfNs) / double(m_selfTotal) : 0.0;
    const std::int64_t avg = r.count > 0 ? r.totalNs / r.count : 0;
    if (role == kSortRole) {
        switch (Column(index.column())) {
        case Service: return r.service;
        case Name: return r.name;
        case Count: return r.count;
        case Errors: return r.errors;
        case Total: return qlonglong(r.totalNs);
        case Self: return qlonglong(r.selfNs);
        case SelfShare: return share;
        case Average: return qlonglong(avg);
        case Min: return qlonglong(r.minNs);
        case Max: return qlonglong(r.maxNs);
        case ColumnCount: break;
        }
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (Column(index.column())) {
        case Service: return r.service;
        case Name: return r.name;
        case Count: return r.count;
        case Errors: return r.errors;
        case Total: return formatDurationNs(r.totalNs);
        case Self: return formatDurationNs(r.selfNs);
        case SelfShare: return QStringLiteral("%1 %").arg(100.0 * share, 0, 'f', 1);
        case Average: return formatDurationNs(avg);
        case Min: return formatDurationNs(r.minNs);
        case Max: return formatDurationNs(r.maxNs);
        case ColumnCount: break;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Count)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant SpanStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Service: return tr("Service");
    case Name: return tr("Span name");
    case Count: return tr("Count");
    case Errors: return tr("Errors");
    case Total: return tr("Total");
    case Self: return tr("Self time");
    case SelfShare: return tr("Self %");
    case Average: return tr("Avg");
    case Min: return tr("Min");
    case Max: return tr("Max");
    case ColumnCount: break;
    }
    return {};
}

} // namespace spyglass::gui::traces
