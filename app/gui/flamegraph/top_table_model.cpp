#include "app/gui/flamegraph/top_table_model.h"

#include <QColor>

namespace spyglass::gui::flamegraph {

TopTableModel::TopTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void TopTableModel::setTree(const CallTree &tree, ValueUnit unit)
{
    beginResetModel();
    m_rows = functionStats(tree);
    m_names = tree.names();
    m_total = tree.total();
    m_baseTotal = tree.baseTotal();
    m_diff = tree.isDiff();
    m_unit = unit;
    m_rowOf.clear();
    for (int r = 0; r < m_rows.size(); ++r)
        m_rowOf.insert(m_rows[r].name, r);
    endResetModel();
}

void TopTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_names.clear();
    m_rowOf.clear();
    m_total = m_baseTotal = 0;
    endResetModel();
}

int TopTableModel::rowOfFunction(std::uint32_t function) const
{
    return m_rowOf.value(function, -1);
}

int TopTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TopTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_diff ? int(DiffColumnCount) : 3;
}

double TopTableModel::rawValue(int row, int column) const
{
    const FunctionStat &s = m_rows[row];
    if (!m_diff)
        return column == Self ? double(s.self) : double(s.total);
    auto shareB = [&](std::int64_t v) { return m_total > 0 ? double(v) / double(m_total) : 0.0; };
    auto shareA = [&](std::int64_t v) { return m_baseTotal > 0 ? double(v) / double(m_baseTotal) : 0.0; };
    switch (column) {
    case SelfBaseline: return shareA(s.baseSelf);
    case SelfComparison: return shareB(s.self);
    case SelfChange: return shareB(s.self) - shareA(s.baseSelf);
    case TotalBaseline: return shareA(s.baseTotal);
    case TotalComparison: return shareB(s.total);
    case TotalChange: return shareB(s.total) - shareA(s.baseTotal);
    default: return 0;
    }
}

QVariant TopTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= columnCount())
        return {};
    const int row = index.row();
    const int col = index.column();
    const FunctionStat &s = m_rows[row];
    if (role == FunctionIdRole)
        return QVariant::fromValue(uint(s.name));
    if (col == Function) {
        const QString name = s.name < m_names.size() ? m_names[s.name] : QString();
        if (role == Qt::DisplayRole || role == SortRole || role == Qt::ToolTipRole)
            return name;
        if (role == Qt::ForegroundRole && m_diff) {
            if (s.baseTotal == 0)
                return QColor(0xf5, 0x8c, 0x1b);
            if (s.total == 0)
                return QColor(0x6e, 0x9f, 0xff);
        }
        return {};
    }
    const double raw = rawValue(row, col);
    switch (role) {
    case SortRole:
        return raw;
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::DisplayRole:
        if (!m_diff) {
            const double share = m_total > 0 ? raw / double(m_total) : 0.0;
            return QString(formatValue(std::int64_t(raw), m_unit) + QStringLiteral("  ") + formatShare(share));
        }
        if (col == SelfChange || col == TotalChange)
            return QString((raw > 0 ? QStringLiteral("+") : QString()) + formatShare(raw));
        return formatShare(raw);
    case Qt::ToolTipRole:
        if (m_diff && (col == SelfChange || col == TotalChange)) {
            if (s.baseTotal == 0)
                return tr("Only in the comparison profile");
            if (s.total == 0)
                return tr("Only in the baseline profile");
        }
        return {};
    case Qt::ForegroundRole:
        if (m_diff && (col == SelfChange || col == TotalChange) && raw != 0)
            return raw > 0 ? QColor(0xf2, 0x6d, 0x6d) : QColor(0x6e, 0x9f, 0xff);
        return {};
    default:
        return {};
    }
}

QVariant TopTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (!m_diff) {
        switch (section) {
        case Function: return tr("Function");
        case Self: return tr("Self");
        case Total: return tr("Total");
        default: return {};
        }
    }
    switch (section) {
    case DiffFunction: return tr("Function");
    case SelfBaseline: return tr("Self A");
    case SelfComparison: return tr("Self B");
    case SelfChange: return tr("Self change");
    case TotalBaseline: return tr("Total A");
    case TotalComparison: return tr("Total B");
    case TotalChange: return tr("Total change");
    default: return {};
    }
}

} // namespace spyglass::gui::flamegraph
