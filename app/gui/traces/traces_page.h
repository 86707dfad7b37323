#pragma once

#include "app/gui/traces/trace_file_loader.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTabWidget;

namespace spyglass::store {
class Storage;
}

namespace spyglass::gui::traces {

class ServiceGraphView;
class TraceCompareView;
class TraceSearchTable;
class TraceViewer;
class TraceqlEditor;

// The Traces page: "Open trace file..." (OTLP JSON or protobuf) and a
// search of the embedded store's traces, by fields (service, span name,
// trace duration, limit) or by a TraceQL query (editor with completion of
// the store's attribute names and values), filling the results table;
// double click on a result opens it in the viewer below. Two selected
// results can be compared; the Service graph tab draws the calls between
// services over a time range. Files are read and the store is queried on
// the thread pool; stale answers are dropped.
class TracesPage : public QWidget
{
    Q_OBJECT
public:
    // `storage` may be null (no store: files only); it must outlive the page.
    explicit TracesPage(store::Storage *storage, QWidget *parent = nullptr);

    TraceViewer *viewer() const { return m_viewer; }
    TraceSearchTable *results() const { return m_results; }
    QLineEdit *serviceBox() const { return m_service; }
    QLineEdit *nameBox() const { return m_name; }
    QLineEdit *minDurationBox() const { return m_minDuration; }
    QString statusText() const;
    TraceqlEditor *traceqlEditor() const { return m_traceql; }
    QLabel *traceqlError() const { return m_traceqlError; }
    TraceCompareView *compareView() const { return m_compare; }
    ServiceGraphView *serviceMap() const { return m_serviceMap; }
    QComboBox *serviceMapRange() const { return m_mapRange; }
    QTabWidget *tabs() const { return m_tabs; }
    enum Tab { TraceTab = 0, CompareTab = 1, ServiceMapTab = 2 };

public slots:
    // Loads the file, lists its traces and opens the biggest one.
    void openFile(const QString &path);
    void openFileDialog();
    void searchStore();
    // From the file just opened when it holds the trace, else from the store.
    void openTrace(const QByteArray &traceId);
    // Compares two traces (from the open file or the store) in the Compare tab.
    void compareTraces(const QByteArray &a, const QByteArray &b);
    void compareSelected();
    // The calls between services of the store's traces over the chosen
    // range (or of the open file's traces).
    void buildServiceMap();

signals:
    void loadFinished(bool ok, const QString &message);
    void searchFinished(bool ok, int traces);
    void traceOpened(const QByteArray &traceId);
    void comparisonShown(bool ok);
    void serviceMapReady(bool ok);
    // Forwarded from the viewer's span detail buttons.
    void logsRequested(const QString &logql, qint64 fromNs, qint64 toNs);
    void metricsRequested(const QString &promql, qint64 fromNs, qint64 toNs);

private:
    void setStatus(const QString &text);
    void loadCompletionNames();
    void loadCompletionValues(const QString &attribute);

    store::Storage *m_storage;
    QHash<QByteArray, QList<model::Span>> m_fileTraces;
    int m_loadJob = 0;
    int m_searchJob = 0;
    int m_traceJob = 0;
    int m_compareJob = 0;
    int m_mapJob = 0;
    QPushButton *m_open;
    QLineEdit *m_service;
    QLineEdit *m_name;
    QLineEdit *m_minDuration;
    QLineEdit *m_maxDuration;
    QSpinBox *m_limit;
    QPushButton *m_search;
    QLabel *m_status;
    TraceSearchTable *m_results;
    TraceViewer *m_viewer;
    QSplitter *m_splitter;
    TraceqlEditor *m_traceql;
    QLabel *m_traceqlError;
    QPushButton *m_compareButton;
    QTabWidget *m_tabs;
    TraceCompareView *m_compare;
    ServiceGraphView *m_serviceMap;
    QComboBox *m_mapRange;
    QPushButton *m_mapBuild;
    QLabel *m_mapStatus;
};

} // namespace spyglass::gui::traces
