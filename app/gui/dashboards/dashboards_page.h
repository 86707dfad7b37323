#pragma once

#include "core/model/result.h"

#include <QWidget>

class QStackedWidget;
class QToolButton;

namespace spyglass::datasource {
class DatasourceRegistry;
}

namespace spyglass::gui::dashboards {

class DashboardBrowser;
class DashboardView;

// The Dashboards page of the main window: the browser, and the open
// dashboard with a way back to the list.
class DashboardsPage : public QWidget
{
    Q_OBJECT
public:
    DashboardsPage(datasource::DatasourceRegistry &registry, const QString &settingsPath = {}, QWidget *parent = nullptr);

    Result<void> openDashboard(const QString &path);
    void showBrowser();
    DashboardView *view() const { return m_view; }
    DashboardBrowser *browser() const { return m_browser; }

public slots:
    void openDashboardDialog();

private:
    QStackedWidget *m_stack;
    DashboardBrowser *m_browser;
    DashboardView *m_view;
};

} // namespace spyglass::gui::dashboards
