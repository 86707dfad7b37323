#pragma once

#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/time_range.h"

#include <QElapsedTimer>
#include <QTimeZone>
#include <QList>
#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QTableView;

namespace spyglass::gui::widgets {
class TimeSeriesPlot;
}

namespace spyglass::gui::explore {

class FramesTableModel;

// A datasource the user can pick in a query editor.
struct DatasourceEntry
{
    QString uid;
    QString name;
    std::shared_ptr<datasource::Datasource> datasource; // null when unusable
    QString error;                                      // why it is unusable
};

// Explore for metrics: a query editor (Run or Shift+Enter), a graph and a
// table of the result. Queries run on the thread pool; each run gets a job
// id and cancels the previous one's token, and results of superseded jobs
// are dropped, so a fast typist never sees a stale answer.
class ExploreView : public QWidget
{
    Q_OBJECT
public:
    enum class QueryType { Range, Instant };

    explicit ExploreView(QWidget *parent = nullptr);
    ~ExploreView() override;

    void setDatasources(const QList<DatasourceEntry> &datasources, const QString &defaultUid = {});
    QString currentDatasourceUid() const;
    void setTimeRange(const model::TimeRange &range);
    model::TimeRange timeRange() const { return m_range; }
    void setQuery(const QString &expr);
    QString query() const;
    void setQueryType(QueryType type);
    // Zone of the graph's time axis and the table's times (local by default).
    void setTimeZone(const QTimeZone &zone);

    bool isRunning() const { return m_running; }
    int lastJobId() const { return m_jobId; }
    QString statusText() const;
    int lastSeriesCount() const { return m_lastSeriesCount; }

    // The parts, for tests and the main window.
    QPlainTextEdit *queryEdit() const { return m_queryEdit; }
    QComboBox *datasourceCombo() const { return m_datasourceCombo; }
    QPushButton *runButton() const { return m_runButton; }
    QLabel *statusLabel() const { return m_status; }
    widgets::TimeSeriesPlot *plot() const { return m_plot; }
    QTableView *table() const { return m_table; }
    FramesTableModel *tableModel() const { return m_model; }

public slots:
    void runQuery();
    void cancelQuery();

signals:
    void queryStarted(int jobId);
    // After the result (or error) of the latest job is shown.
    void queryFinished(int jobId, bool ok);
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    void zoomOutRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showResult(int jobId, const Result<model::Frames> &result, model::TimestampMs from,
                    model::TimestampMs to, qint64 elapsedMs);
    void setStatus(const QString &text, bool error);
    void fitTableColumns();

    QList<DatasourceEntry> m_datasources;
    model::TimeRange m_range;
    QueryType m_queryType = QueryType::Range;

    QComboBox *m_datasourceCombo;
    QComboBox *m_queryTypeCombo;
    QPlainTextEdit *m_queryEdit;
    QPushButton *m_runButton;
    QPushButton *m_cancelButton;
    QLabel *m_status;
    QSplitter *m_splitter;
    widgets::TimeSeriesPlot *m_plot;
    QTableView *m_table;
    FramesTableModel *m_model;

    int m_jobId = 0;
    bool m_running = false;
    CancelToken m_cancel;
    int m_lastSeriesCount = 0;
};

} // namespace spyglass::gui::explore
