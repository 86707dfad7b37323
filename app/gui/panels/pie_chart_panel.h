#pragma once

#include "app/gui/panels/frame_panel.h"

#include <QAbstractTableModel>

namespace spyglass::gui::panels {

// The slices of a pie chart: name, value (formatted), percent of the total,
// colour; RawValueRole holds the number. Used by the legend and by tests.
class PieSliceModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Value, Percent, ColumnCount };
    static constexpr int RawValueRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    void setSlices(QList<ReducedValue> slices);
    const QList<ReducedValue> &slices() const { return m_slices; }
    double total() const { return m_total; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ReducedValue> m_slices;
    double m_total = 0;
};

// Grafana's pie chart: pieType pie or donut, one slice per reduced value,
// legend (list or table) with value and/or percent, labels on slices.
class PieChartPanel : public FramePanel
{
    Q_OBJECT
public:
    explicit PieChartPanel(QWidget *parent = nullptr);
    PieSliceModel *sliceModel() const { return m_model; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    PieSliceModel *m_model;
};

} // namespace spyglass::gui::panels
