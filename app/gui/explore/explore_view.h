#pragma once

#include "app/gui/explore/datasource_metadata_cache.h"
#include "app/gui/explore/query_history.h"
#include "app/gui/widgets/promql_editor.h"
#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/time_range.h"

#include <QElapsedTimer>
#include <QTimeZone>
#include <QList>
#include <QPointer>
#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTableView;
class QToolButton;
class QTimer;

namespace spyglass::gui::widgets {
class TimeSeriesPlot;
enum class DrawStyle;
}

namespace spyglass::gui::logs {
class LogsView;
class LogqlEditor;
struct LogLine;
}

namespace spyglass::gui::explore {

class FramesTableModel;
class QueryHistoryPanel;

// A datasource the user can pick in a query editor.
struct DatasourceEntry
{
    QString uid;
    QString name;
    std::shared_ptr<datasource::Datasource> datasource; // null when unusable
    QString error;                                      // why it is unusable
};

// Explore for metrics: a PromQL editor (highlighting, completion from the
// datasource, parse errors as you type; Run or Shift+Enter), query options
// (min step, resolution, legend format, graph style), a graph and a table of
// the result, and the query history. One pane of an ExploreWorkspace. Queries run on the thread pool; each run gets a job
// id and cancels the previous one's token, and results of superseded jobs
// are dropped, so a fast typist never sees a stale answer.
class ExploreView : public QWidget
{
    Q_OBJECT
public:
    enum class QueryType { Range, Instant };
    // PromQL shows a graph and a table; LogQL shows the logs view (volume
    // histogram above the lines) for log queries and the graph for metric ones.
    enum class QueryLanguage { PromQL, LogQL };

    explicit ExploreView(QWidget *parent = nullptr);
    ~ExploreView() override;

    void setDatasources(const QList<DatasourceEntry> &datasources, const QString &defaultUid = {});
    const QList<DatasourceEntry> &datasources() const { return m_datasources; }
    QString currentDatasourceUid() const;
    void setCurrentDatasource(const QString &uid);
    void setTimeRange(const model::TimeRange &range);
    model::TimeRange timeRange() const { return m_range; }
    void setQuery(const QString &expr);
    QString query() const;
    void setQueryType(QueryType type);
    void setQueryLanguage(QueryLanguage language);
    QueryLanguage queryLanguage() const { return m_language; }
    // Lines per LogQL log query (and per "load more" page).
    void setLogLimit(int limit) { m_logLimit = limit; }
    int logLimit() const { return m_logLimit; }
    QueryType queryType() const { return m_queryType; }
    // Zone of the graph's time axis and the table's times (local by default).
    void setTimeZone(const QTimeZone &zone);
    QTimeZone timeZone() const { return m_zone; }

    // Query options. Min step: a duration ("15s"), empty = none.
    // Resolution: 1 = a point per pixel, 2 = one per two pixels, ...
    // Legend format: Grafana's `{{label}}` template, empty = the labels.
    void setMinStep(const QString &duration);
    void setResolution(int divisor);
    void setLegendFormat(const QString &format);
    QString legendFormat() const;
    void setDrawStyle(widgets::DrawStyle style);
    // The request runQuery() would send now (for tests and diagnostics);
    // an error when an option is invalid.
    Result<datasource::QueryRequest> buildRequest() const;

    // Shared with the other pane; not owned. Without a history nothing is
    // recorded; without a cache the view makes its own.
    void setHistory(QueryHistory *history);
    QueryHistory *history() const { return m_history; }
    void setMetadataCache(DatasourceMetadataCache *cache);
    DatasourceMetadataCache *metadataCache() const { return m_metadata; }
    void setHistoryVisible(bool visible);
    bool isHistoryVisible() const;

    // The split button reads "Split" in the first pane, "Close" in the second.
    enum class SplitButton { Split, Close };
    void setSplitButton(SplitButton mode);

    bool isRunning() const { return m_running; }
    int lastJobId() const { return m_jobId; }
    QString statusText() const;
    int lastSeriesCount() const { return m_lastSeriesCount; }

    // The parts, for tests and the main window.
    widgets::PromqlEditor *queryEdit() const { return m_queryEdit; }
    QLabel *parseErrorLabel() const { return m_parseError; }
    QLineEdit *minStepEdit() const { return m_minStepEdit; }
    QComboBox *resolutionCombo() const { return m_resolutionCombo; }
    QLineEdit *legendEdit() const { return m_legendEdit; }
    QComboBox *styleCombo() const { return m_styleCombo; }
    QComboBox *queryTypeCombo() const { return m_queryTypeCombo; }
    QToolButton *historyButton() const { return m_historyButton; }
    QPushButton *splitButton() const { return m_splitButton; }
    QueryHistoryPanel *historyPanel() const { return m_historyPanel; }
    QComboBox *datasourceCombo() const { return m_datasourceCombo; }
    QPushButton *runButton() const { return m_runButton; }
    QLabel *statusLabel() const { return m_status; }
    widgets::TimeSeriesPlot *plot() const { return m_plot; }
    QTableView *table() const { return m_table; }
    FramesTableModel *tableModel() const { return m_model; }
    QComboBox *languageCombo() const { return m_languageCombo; }
    logs::LogqlEditor *logqlEdit() const { return m_logqlEdit; }
    logs::LogsView *logsView() const { return m_logsView; }
    // True when the last result was shown in the logs view.
    bool isShowingLogs() const;

public slots:
    void runQuery();
    void cancelQuery();

signals:
    void queryStarted(int jobId);
    // After the result (or error) of the latest job is shown.
    void queryFinished(int jobId, bool ok);
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    void zoomOutRequested();
    // The split button: open a second pane, or close this one.
    void splitRequested();
    void closeRequested();
    // setTimeRange / setTimeZone were called (the workspace mirrors them).
    void timeRangeApplied(const model::TimeRange &range);
    void timeZoneApplied(const QTimeZone &zone);
    // A trace-id link in a log line was clicked (hex id).
    void traceLinkActivated(const QString &traceId);
    // A "load more" page or a live-tail poll was shown.
    void logsAppended(qsizetype lines);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showResult(int jobId, const Result<model::Frames> &result, model::TimestampMs from,
                    model::TimestampMs to, qint64 elapsedMs);
    void setStatus(const QString &text, bool error);
    void fitTableColumns();
    void onDatasourceChanged();
    void fetchCompletionData();
    void fetchLabelValues(const QString &label);
    void onParseError(const QString &message, int position);
    const DatasourceEntry *currentEntry() const;
    void setupLogs();
    void showLogsResult(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to);
    void runVolumeQuery(const QString &expr, model::TimestampMs from, model::TimestampMs to);
    void loadMoreLogs(std::int64_t beforeNs, std::int64_t afterNs);
    void showLogContext(const logs::LogLine &line);
    void pollTail();
    datasource::QueryRequest logsRequest(model::TimestampMs from, model::TimestampMs to, bool forward) const;

    QList<DatasourceEntry> m_datasources;
    model::TimeRange m_range;
    QueryType m_queryType = QueryType::Range;

    QTimeZone m_zone = QTimeZone::systemTimeZone();

    QComboBox *m_datasourceCombo;
    QComboBox *m_queryTypeCombo;
    widgets::PromqlEditor *m_queryEdit;
    QPushButton *m_runButton;
    QPushButton *m_cancelButton;
    QToolButton *m_historyButton;
    QPushButton *m_splitButton;
    QLabel *m_parseError;
    QLineEdit *m_minStepEdit;
    QComboBox *m_resolutionCombo;
    QLineEdit *m_legendEdit;
    QComboBox *m_styleCombo;
    QLabel *m_status;
    QueryHistoryPanel *m_historyPanel;
    QSplitter *m_bodySplitter;
    QSplitter *m_splitter;
    widgets::TimeSeriesPlot *m_plot;
    QTableView *m_table;
    FramesTableModel *m_model;
    QPointer<QueryHistory> m_history;
    QPointer<DatasourceMetadataCache> m_metadata;
    DatasourceMetadataCache *m_ownMetadata = nullptr;
    SplitButton m_splitMode = SplitButton::Split;

    int m_jobId = 0;
    bool m_running = false;
    CancelToken m_cancel;
    int m_lastSeriesCount = 0;

    QueryLanguage m_language = QueryLanguage::PromQL;
    QComboBox *m_languageCombo = nullptr;
    logs::LogqlEditor *m_logqlEdit = nullptr;
    logs::LogsView *m_logsView = nullptr;
    int m_logLimit = 1000;
    int m_volumeJob = 0;
    int m_moreJob = 0;
    QTimer *m_tailTimer = nullptr;
    bool m_tailBusy = false;
    model::TimestampMs m_tailFromMs = 0;
    QElapsedTimer m_tailClock;
    double m_tailRate = 0;
};

} // namespace spyglass::gui::explore
