#pragma once

#include "app/gui/logs/derived_fields.h"
#include "app/gui/logs/log_details_panel.h"
#include "app/gui/logs/logs_model.h"
#include "core/model/frame.h"
#include "core/model/time_range.h"

#include <QTimeZone>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QSplitter;
class QToolButton;

namespace spyglass::gui::logs {

class LogLineDelegate;
class LogVolumeHistogram;

// The logs half of Explore (and the dashboards' logs panel): a volume
// histogram stacked by level (drag to zoom), a virtualised list of lines
// (QListView + LogsModel + LogLineDelegate with uniform row heights, fluid
// at a million lines), and the details of the expanded line with filter
// for / filter out buttons. Options: newest/oldest first, dedup, wrap,
// prettify JSON, time column, search within the results with highlighting,
// "load more" in the direction of travel, live tail controls.
//
// The view fetches nothing: its host runs queries and answers the signals
// (loadMoreRequested, contextRequested, liveTailToggled, filterRequested).
class LogsView : public QWidget
{
    Q_OBJECT
public:
    explicit LogsView(QWidget *parent = nullptr);
    ~LogsView() override;

    // Replaces the lines with the Logs frames among `frames`; TimeSeries
    // frames among them (a `count_over_time` by level) feed the histogram,
    // otherwise it counts the loaded lines.
    void setFrames(const model::Frames &frames);
    // Load more / live tail: adds lines, keeping scroll position and order.
    qsizetype appendFrames(const model::Frames &frames);
    // Volume from a metric query, replacing the counts of loaded lines.
    void setVolumeFrames(const model::Frames &frames);
    void clear();

    // The queried range: the histogram's x axis.
    void setTimeRange(model::TimestampMs from, model::TimestampMs to);
    void setTimeZone(const QTimeZone &zone);
    // The query: its positive line filters are highlighted in the lines.
    void setQuery(const QString &logql);
    void setDerivedFields(const DerivedFields &fields);
    // A message instead of lines (errors, "no logs").
    void setMessage(const QString &text);

    void setOrder(LogsModel::Order order);
    void setDedup(LogsModel::Dedup dedup);
    void setWrap(bool wrap);
    void setPrettifyJson(bool on);
    void setSearchText(const QString &text);
    // Moves the current row to the next / previous search match; returns it (-1: none).
    int findNext(bool forward = true);

    // Opens the details of `row` (-1 closes them).
    void expandRow(int row);
    int expandedRow() const { return m_expandedRow; }

    // Live tail state, driven by the host.
    void setLive(bool live);
    bool isLive() const { return m_live; }
    bool isPaused() const { return m_paused; }
    // Lines per second received by the tail (shown next to the buttons).
    void setTailRate(double linesPerSecond);
    // Whether "load more" can find more (the host knows whether the last page was full).
    void setCanLoadMore(bool can);

    LogsModel *model() const { return m_model; }
    QListView *listView() const { return m_list; }
    LogLineDelegate *delegate() const { return m_delegate; }
    LogVolumeHistogram *histogram() const { return m_histogram; }
    LogDetailsPanel *detailsPanel() const { return m_details; }
    QComboBox *orderCombo() const { return m_orderCombo; }
    QComboBox *dedupCombo() const { return m_dedupCombo; }
    QCheckBox *wrapCheck() const { return m_wrapCheck; }
    QCheckBox *prettifyCheck() const { return m_prettifyCheck; }
    QLineEdit *searchEdit() const { return m_searchEdit; }
    QPushButton *loadMoreButton() const { return m_loadMore; }
    QToolButton *liveButton() const { return m_liveButton; }
    QToolButton *pauseButton() const { return m_pauseButton; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *rateLabel() const { return m_rate; }

signals:
    // A derived trace-id link was clicked (in a line or in the details).
    void traceLinkActivated(const QString &traceId);
    // Filter for (include) / out a label value: the host edits its query.
    void filterRequested(const QString &label, const QString &value, bool include);
    // Same, saying whether the label is a stream label (so the host can put
    // it in the stream selector) or a metadata / parsed one.
    void scopedFilterRequested(const QString &label, const QString &value, bool include, FilterScope scope);
    // Drag in the histogram.
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    // "Load more": lines older than `beforeNs` (newest first) or newer than
    // `afterNs` (oldest first); the other bound is 0.
    void loadMoreRequested(std::int64_t beforeNs, std::int64_t afterNs);
    // Lines around `line` of its stream.
    void contextRequested(const LogLine &line);
    void liveTailToggled(bool live);
    void pauseToggled(bool paused);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateStatus();
    void onClicked(const QModelIndex &index);
    void refreshList();

    LogsModel *m_model;
    LogLineDelegate *m_delegate;
    LogVolumeHistogram *m_histogram;
    LogDetailsPanel *m_details;
    QListView *m_list;
    QSplitter *m_splitter;
    QComboBox *m_orderCombo;
    QComboBox *m_dedupCombo;
    QCheckBox *m_wrapCheck;
    QCheckBox *m_prettifyCheck;
    QCheckBox *m_timeCheck;
    QLineEdit *m_searchEdit;
    QLabel *m_searchCount;
    QPushButton *m_loadMore;
    QToolButton *m_liveButton;
    QToolButton *m_pauseButton;
    QLabel *m_rate;
    QLabel *m_status;
    QLabel *m_message;
    bool m_volumeFromSeries = false;
    bool m_live = false;
    bool m_paused = false;
    bool m_canLoadMore = true;
    int m_expandedRow = -1;
};

} // namespace spyglass::gui::logs
