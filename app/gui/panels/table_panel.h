#pragma once

#include "app/gui/panels/frame_panel.h"

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace spyglass::gui::panels {

class TablePanelModel;

// Grafana's table: the (transformed) frames as a sortable table, one frame at
// a time (a selector when there are several), cell display modes
// (color-text, color-background, gauge), column widths and alignment from the
// field config, initial sort from options.sortBy, optional footer reducer.
class TablePanel : public FramePanel
{
    Q_OBJECT
public:
    explicit TablePanel(QWidget *parent = nullptr);

    TablePanelModel *tableModel() const { return m_model; }
    QSortFilterProxyModel *sortModel() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QString footerText() const;

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    void showFrame(int index);

    QComboBox *m_frameSelector;
    QTableView *m_view;
    QLabel *m_footer;
    TablePanelModel *m_model;
    QSortFilterProxyModel *m_proxy;
};

} // namespace spyglass::gui::panels
