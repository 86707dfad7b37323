#pragma once

#include "core/model/frame.h"
#include "core/viz/field_config.h"

#include <QAbstractTableModel>

namespace spyglass::gui::panels {

// One frame as a table: a column per visible field (custom.hidden fields
// left out), cells formatted with the field's unit, decimals and value
// mappings. RawValueRole gives the sortable value (double or string),
// ColorRole the mapping/threshold colour, CellTypeRole the cell display
// mode, FractionRole the position between min and max for gauge cells.
class TablePanelModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role { RawValueRole = Qt::UserRole + 1, ColorRole, CellTypeRole, FractionRole };

    explicit TablePanelModel(QObject *parent = nullptr);

    void setFrame(const model::Frame &frame, const viz::FieldConfigSource &config);
    const model::Frame &frame() const { return m_frame; }
    // The frame's field index behind a column.
    int fieldIndex(int column) const { return m_columns.at(column); }
    const viz::FieldConfig &columnConfig(int column) const { return m_configs.at(column); }
    // Footer: reducer over a numeric column, formatted; empty for text columns.
    QString footerText(int column, const QString &reducerId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    model::Frame m_frame;
    QList<int> m_columns;
    QList<viz::FieldConfig> m_configs;
    QStringList m_headers;
    QStringList m_cellTypes;
    QList<std::pair<double, double>> m_ranges; // min/max per column for gauges
};

} // namespace spyglass::gui::panels
