#pragma once

#include "app/gui/traces/trace_analysis.h"
#include "app/gui/traces/trace_row_model.h"

#include <QWidget>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;
class QToolButton;

namespace spyglass::gui::flamegraph {
class FlameGraphPage;
}

namespace spyglass::gui::traces {

class ServiceGraphView;
class SpanDetailPanel;
class SpanStatsModel;
class TraceMinimap;
class TraceWaterfallView;

// One trace: a header (root service and name, start, duration, span count,
// services), a search box with next/previous, the minimap, the waterfall
// and the selected span's details, with buttons that jump to the span's
// logs and its service's metrics. Other tabs show the same trace as span
// statistics, its service graph and a flame graph (self time per call
// path). setSpans() lays the trace out on the thread pool, and the other
// views are computed there too; a newer call drops older results.
class TraceViewer : public QWidget
{
    Q_OBJECT
public:
    explicit TraceViewer(QWidget *parent = nullptr);

    void setSpans(QList<model::Span> spans);
    // Synchronous, for a model built elsewhere (tests, benchmarks).
    void setModel(std::shared_ptr<TraceRowModel> model);
    std::shared_ptr<TraceRowModel> model() const { return m_model; }

    TraceWaterfallView *waterfall() const { return m_waterfall; }
    SpanDetailPanel *detailPanel() const { return m_details; }
    TraceMinimap *minimap() const { return m_minimap; }
    QLineEdit *searchBox() const { return m_search; }
    enum Tab { WaterfallTab = 0, StatisticsTab = 1, ServiceGraphTab = 2, FlameGraphTab = 3 };
    QTabWidget *tabs() const { return m_tabs; }
    SpanStatsModel *statsModel() const { return m_statsModel; }
    QTableView *statsTable() const { return m_statsTable; }
    ServiceGraphView *serviceGraph() const { return m_serviceGraph; }
    // Created with the tab's first showing.
    flamegraph::FlameGraphPage *flameGraph() const { return m_flame; }
    bool analysisReady() const { return m_analysisReady; }

    // The jumps offered for the selected span (what the buttons emit).
    SignalJump logsJump() const;
    SignalJump metricsJump() const;
    QString headerText() const;
    QString matchText() const;

    void search(const QString &text);

signals:
    void modelReady();
    void linkActivated(const QByteArray &traceId, const QByteArray &spanId);
    // Statistics, service graph and flame-graph profile of the current trace are set.
    void analysisFinished();
    // "Logs for this span": LogQL over [fromNs, toNs].
    void logsRequested(const QString &logql, qint64 fromNs, qint64 toNs);
    // "Metrics for this service": PromQL over [fromNs, toNs].
    void metricsRequested(const QString &promql, qint64 fromNs, qint64 toNs);

private:
    void updateHeader();
    void updateMatchLabel();
    void startAnalysis();
    void showFlameTab();

    std::shared_ptr<TraceRowModel> m_model;
    int m_jobId = 0;
    QLabel *m_header;
    QLineEdit *m_search;
    QToolButton *m_prev;
    QToolButton *m_next;
    QLabel *m_matchLabel;
    QCheckBox *m_critical;
    TraceMinimap *m_minimap;
    TraceWaterfallView *m_waterfall;
    SpanDetailPanel *m_details;
    QSplitter *m_splitter;
    QPushButton *m_logsButton;
    QPushButton *m_metricsButton;
    QTabWidget *m_tabs;
    SpanStatsModel *m_statsModel;
    QTableView *m_statsTable;
    ServiceGraphView *m_serviceGraph;
    flamegraph::FlameGraphPage *m_flame = nullptr;
    std::shared_ptr<const model::Profile> m_profile; // trace as a profile, for the flame tab
    bool m_flameStale = true;
    bool m_analysisReady = false;
    int m_analysisJob = 0;
};

} // namespace spyglass::gui::traces
