#pragma once

#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/value_format.h"

#include <QAbstractTableModel>
#include <QHash>

namespace spyglass::gui::flamegraph {

// The top table: one row per function with its self and total values. In
// diff mode the columns are shares of each profile's total and their change
// (positive = a regression), so sorting by "Self change" lists the biggest
// regressions first.
class TopTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Function = 0, Self = 1, Total = 2 };
    enum DiffColumn { DiffFunction = 0, SelfBaseline, SelfComparison, SelfChange, TotalBaseline,
                      TotalComparison, TotalChange, DiffColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // raw number (value, or share in diff mode)
        FunctionIdRole,              // the function's id in the tree's name table
    };

    explicit TopTableModel(QObject *parent = nullptr);

    void setTree(const CallTree &tree, ValueUnit unit);
    void clear();

    bool isDiff() const { return m_diff; }
    int rowOfFunction(std::uint32_t function) const; // -1 when absent
    std::uint32_t functionAt(int row) const { return m_rows[row].name; }
    const FunctionStat &statAt(int row) const { return m_rows[row]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    double rawValue(int row, int column) const;

    QList<FunctionStat> m_rows;
    QList<QString> m_names;
    QHash<std::uint32_t, int> m_rowOf;
    std::int64_t m_total = 0;
    std::int64_t m_baseTotal = 0;
    bool m_diff = false;
    ValueUnit m_unit = ValueUnit::Count;
};

} // namespace spyglass::gui::flamegraph
