#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace spyglass::gui {

class Workbench;

// The configured datasources (with a health check run off the GUI thread)
// and every plugin found, loaded or not, with the reason it failed.
class DatasourcesView : public QWidget
{
    Q_OBJECT
public:
    explicit DatasourcesView(Workbench &workbench, QWidget *parent = nullptr);

    QTreeWidget *datasourceList() const { return m_datasources; }
    QTreeWidget *pluginList() const { return m_plugins; }

public slots:
    void refresh();
    void checkHealth();

signals:
    void healthChecked();

private:
    Workbench &m_workbench;
    QTreeWidget *m_datasources;
    QTreeWidget *m_plugins;
    QPushButton *m_checkButton;
    QLabel *m_storeLabel;
    int m_pendingChecks = 0;
};

} // namespace spyglass::gui
