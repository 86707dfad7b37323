#pragma once

#include "app/gui/import_controller.h"
#include "core/model/time_range.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QProgressBar;
class QStackedWidget;
class QToolButton;

namespace spyglass::gui {

namespace explore {
class ExploreView;
}
namespace flamegraph {
class FlameGraphPage;
}
namespace dashboards {
class DashboardsPage;
}
namespace widgets {
class TimeRangePicker;
}
class DatasourcesView;
class Workbench;

// The window: a sidebar switching between the views, the global time range
// in the toolbar, imports (File > Import... or dropping files) running in
// the background with progress and Cancel in the status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Page { Dashboards, Explore, Traces, Profiles, Lab, Datasources };

    explicit MainWindow(Workbench &workbench, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Without a user (screenshots, tests): errors go to the status bar and
    // stderr instead of message boxes that would wait for a click.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    void showPage(Page page);
    Page currentPage() const;

    explore::ExploreView *explore() const { return m_explore; }
    flamegraph::FlameGraphPage *profilesPage() const { return m_profiles; }
    dashboards::DashboardsPage *dashboardsPage() const { return m_dashboards; }
    widgets::TimeRangePicker *timePicker() const { return m_timePicker; }
    ImportController *importer() const { return m_importer; }
    DatasourcesView *datasourcesView() const { return m_datasourcesView; }
    QListWidget *sidebar() const { return m_sidebar; }
    QString statusMessage() const;
    // Error text of the last import, one "file:line:column: message" per line.
    QString lastImportErrors() const { return m_lastImportErrors; }

public slots:
    void importFiles(const QStringList &files);
    void openImportDialog();
    // Loads on the thread pool and shows the Profiles page.
    void openProfile(const QString &path);
    void openProfileDialog();

signals:
    void importFinished(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void onImportProgress(int perMille, const QString &file, int index, int count);
    void onImportFinished(const QList<ImportFileResult> &results, bool cancelled);
    void onTimeRangeChanged(const model::TimeRange &range);
    void setStatus(const QString &text);

    Workbench &m_workbench;
    bool m_interactive = true;
    QListWidget *m_sidebar;
    QStackedWidget *m_pages;
    widgets::TimeRangePicker *m_timePicker;
    explore::ExploreView *m_explore;
    flamegraph::FlameGraphPage *m_profiles;
    dashboards::DashboardsPage *m_dashboards = nullptr;
    DatasourcesView *m_datasourcesView;
    ImportController *m_importer;
    QLabel *m_statusLabel;
    QProgressBar *m_progress;
    QToolButton *m_cancelImport;
    QString m_lastImportErrors;
};

} // namespace spyglass::gui
