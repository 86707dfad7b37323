#include "app/gui/traces/trace_search_table.h"

#include "app/gui/traces/trace_row_model.h"

#include <QDateTime>
#include <QHeaderView>
#include <QKeyEvent>
#include <QSortFilterProxyModel>
#include <QTimeZone>

#include <algorithm>

namespace spyglass::gui::traces {

void TraceSummaryModel::setSummaries(QList<store::TraceSummary> summaries)
{
    beginResetModel();
    m_rows = std::move(summaries);
    endResetModel();
}

int TraceSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TraceSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TraceSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const store::TraceSummary &s = m_rows[index.row()];
    if (role == kSortRole) {
        switch (index.column()) {
        case Start: return qlonglong(s.start);
        case Duration: return qlonglong(s.durationNs());
        case Spans: return qlonglong(s.spanCount);
        case Errors: return qlonglong(s.errorCount);
        default: break;
        }
        role = Qt::DisplayRole;
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TraceId: return hexId(s.traceId);
        case RootService: return s.rootServiceName.isEmpty() ? tr("(root span missing)") : s.rootServiceName;
        case RootName: return s.rootSpanName;
        case Start:
            return QDateTime::fromMSecsSinceEpoch(s.start / 1'000'000, QTimeZone::utc())
                .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        case Duration: return formatDurationNs(s.durationNs());
        case Spans: return qlonglong(s.spanCount);
        case Errors: return qlonglong(s.errorCount);
        default: break;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Duration)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == Errors && s.errorCount > 0)
        return QColor(0xE0, 0x2F, 0x44);
    if (role == Qt::UserRole)
        return s.traceId;
    return {};
}

QVariant TraceSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TraceId: return tr("Trace ID");
    case RootService: return tr("Root service");
    case RootName: return tr("Root name");
    case Start: return tr("Start (UTC)");
    case Duration: return tr("Duration");
    case Spans: return tr("Spans");
    case Errors: return tr("Errors");
    default: return {};
    }
}

TraceSearchTable::TraceSearchTable(QWidget *parent)
    : QTableView(parent),
      m_model(new TraceSummaryModel(this)),
      m_proxy(new QSortFilterProxyModel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TraceSummaryModel::kSortRole);
    setModel(m_proxy);
    setSortingEnabled(true);
    sortByColumn(TraceSummaryModel::Start, Qt::DescendingOrder);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection); // two rows: compare
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->resizeSection(TraceSummaryModel::TraceId, 270);
    horizontalHeader()->resizeSection(TraceSummaryModel::RootName, 220);
    horizontalHeader()->resizeSection(TraceSummaryModel::Start, 170);
    // Not `activated`: whether that fires on one click or two depends on
    // the platform theme, and a single click must only select.
    connect(this, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        emit traceActivated(traceIdAt(index.row()));
    });
}

void TraceSearchTable::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) && currentIndex().isValid()) {
        emit traceActivated(traceIdAt(currentIndex().row()));
        event->accept();
        return;
    }
    QTableView::keyPressEvent(event);
}

void TraceSearchTable::setSummaries(QList<store::TraceSummary> summaries)
{
    m_model->setSummaries(std::move(summaries));
}

QByteArray TraceSearchTable::traceIdAt(int viewRow) const
{
    return m_proxy->index(viewRow, 0).data(Qt::UserRole).toByteArray();
}

} // namespace spyglass::gui::traces

namespace spyglass::gui::traces {

QList<QByteArray> TraceSearchTable::selectedTraceIds() const
{
    QList<QByteArray> out;
    for (const QModelIndex &i : selectionModel()->selectedRows())
        out.push_back(traceIdAt(i.row()));
    std::sort(out.begin(), out.end(), [this](const QByteArray &a, const QByteArray &b) {
        // Compare in table order (A above B).
        return rowOf(a) < rowOf(b);
    });
    return out;
}

int TraceSearchTable::rowOf(const QByteArray &traceId) const
{
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        if (traceIdAt(r) == traceId)
            return r;
    return -1;
}

bool TraceSearchTable::selectTrace(const QByteArray &traceId)
{
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        if (traceIdAt(r) == traceId) {
            setCurrentIndex(m_proxy->index(r, 0));
            scrollTo(m_proxy->index(r, 0));
            return true;
        }
    }
    return false;
}

} // namespace spyglass::gui::traces
