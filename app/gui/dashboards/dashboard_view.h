#pragma once

#include "app/gui/dashboards/panel_frame.h"
#include "core/dashboard/dashboard.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/dashboard/variable_set.h"
#include "core/model/cancel_token.h"
#include "core/model/time_range.h"

#include <QHash>
#include <QPointer>
#include <QThreadPool>
#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QScrollArea;
class QTimer;
class QToolButton;

namespace spyglass::datasource {
class DatasourceRegistry;
}
namespace spyglass::gui::widgets {
class TimeRangePicker;
}

namespace spyglass::gui::dashboards {

class DashboardCanvas;
class VariableBar;

// What one run of a panel's queries produced (on a worker thread).
struct PanelQueryResult
{
    model::Frames frames;
    QStringList errors;
    QList<datasource::QueryRequest> executed;
    QList<dashboard::DatasourceResolution> unmatched;
    model::TimestampMs from = 0;
    model::TimestampMs to = 0;
};

// A Grafana dashboard rendered natively: toolbar (title, time range, auto
// refresh, save, settings), variable bar, and the panels on the 24-column
// grid with collapsible rows. Panels query in parallel on a thread pool;
// each run has a job id so a slow answer to an old run never overwrites a
// newer one; only panels on screen query (the rest when scrolled to).
class DashboardView : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardView(datasource::DatasourceRegistry &registry, QWidget *parent = nullptr);
    ~DashboardView() override;

    // Opens a dashboard file (Grafana JSON); the path is where Save writes.
    Result<void> openFile(const QString &path);
    void setDashboard(dashboard::Dashboard dashboard, const QString &path = {});
    bool hasDashboard() const { return m_loaded; }
    // The model as it would be saved: variables' selections, time range and
    // refresh written in.
    dashboard::Dashboard currentDashboard() const;
    const dashboard::VariableSet &variables() const { return m_variables; }
    QString filePath() const { return m_path; }

    void setTimeRange(const model::TimeRange &range);
    model::TimeRange timeRange() const { return m_range; }
    // "" (off), "5s", "1m", ...: re-runs every visible panel periodically.
    void setAutoRefresh(const QString &interval);
    QString autoRefresh() const { return m_autoRefresh; }

    // Maps an unmatched datasource reference to a configured datasource.
    void chooseDatasource(const QString &refKey, const QString &uid);
    // Extra datasource references resolved by uid (e.g. a provisioning file).
    const dashboard::DatasourceMapper &mapper() const { return m_mapper; }

    // Every visible panel finished its last run (and the variables theirs).
    bool isSettled() const;
    QList<PanelFrame *> panelFrames() const;
    PanelFrame *panelFrame(int panelId) const;
    VariableBar *variableBar() const { return m_variableBar; }
    widgets::TimeRangePicker *timePicker() const { return m_timePicker; }
    QScrollArea *scrollArea() const { return m_scroll; }
    // Executed requests of a panel's last run.
    QList<datasource::QueryRequest> executedQueries(int panelId) const { return m_executed.value(panelId); }

    Result<void> save();
    Result<void> saveAs(const QString &path);

    // Panel menu actions.
    void viewPanel(int panelId); // full view; again (or Escape) returns to the grid
    bool isViewingPanel() const { return m_viewPanelId >= 0; }
    void editPanel(int panelId);
    void inspectPanel(int panelId, PanelFrame::Action what);
    int duplicatePanel(int panelId);
    void removePanel(int panelId);
    void replacePanel(int panelId, const QJsonObject &json);
    void toggleRow(int rowIndex);
    void openSettings();

    // Runs a panel JSON's queries (for the editor's live preview).
    void runPreview(const QJsonObject &panelJson, int widthPx, QObject *context,
                    std::function<void(const PanelQueryResult &)> done);

public slots:
    // Re-runs variables that refresh on time change, then every visible panel.
    void refresh();

signals:
    void settled();
    void titleChanged(const QString &title);
    void exploreRequested(const QString &datasourceUid, const QString &expr);
    void linkActivated(const QString &url);
    void saved(const QString &path);
    void modifiedChanged(bool modified);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    friend class DashboardCanvas;
    void rebuildPanels();
    void refreshVariables(dashboard::VariableSet::Trigger trigger, const QString &changed = {});
    void onVariablesRefreshed(quint64 job, dashboard::VariableSet vars, QStringList errors);
    void invalidatePanels();
    void queryVisiblePanels();
    void runPanel(PanelFrame *frame);
    void onPanelResult(int panelId, quint64 job, const PanelQueryResult &result);
    void checkSettled();
    void onPanelAction(int panelId, PanelFrame::Action action);
    void onVariableChanged(const QString &name, const QStringList &values);
    void setModified(bool modified);
    void updateMapper();
    dashboard::InterpolationScope scope() const;
    QJsonObject interpolatedPanelJson(const dashboard::Panel &panel) const;
    const dashboard::Panel *findPanel(int id) const { return m_dashboard.findPanel(id); }

    datasource::DatasourceRegistry &m_registry;
    QThreadPool m_pool;
    dashboard::Dashboard m_dashboard;
    dashboard::VariableSet m_variables;
    dashboard::DatasourceMapper m_mapper;
    QHash<QString, QString> m_choices;
    QString m_path;
    bool m_loaded = false;
    bool m_modified = false;
    model::TimeRange m_range;
    model::TimestampMs m_resolvedFrom = 0;
    model::TimestampMs m_resolvedTo = 0;
    QString m_autoRefresh;
    int m_viewPanelId = -1;

    QLabel *m_title;
    widgets::TimeRangePicker *m_timePicker;
    QComboBox *m_refreshPicker;
    QToolButton *m_saveButton;
    VariableBar *m_variableBar;
    QLabel *m_variableErrors;
    QScrollArea *m_scroll;
    DashboardCanvas *m_canvas;
    QTimer *m_autoTimer;

    QList<PanelFrame *> m_frames;
    QSet<int> m_needsQuery;
    QHash<int, quint64> m_jobs;            // panel id -> current job
    QHash<int, CancelToken> m_cancel;      // panel id -> token of the running job
    QHash<int, QList<datasource::QueryRequest>> m_executed;
    quint64 m_nextJob = 1;
    quint64 m_variablesJob = 0;
    bool m_variablesBusy = false;
    bool m_loadPending = false; // the on-load refresh has not completed yet
    bool m_wasSettled = false;
};

} // namespace spyglass::gui::dashboards
