#pragma once

#include "app/gui/traces/trace_file_loader.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QSplitter;

namespace spyglass::store {
class Storage;
}

namespace spyglass::gui::traces {

class TraceSearchTable;
class TraceViewer;

// The Traces page: "Open trace file..." (OTLP JSON or protobuf) and a
// search of the embedded store's traces (service, span name, trace
// duration, limit) filling the results table; double click on a result
// opens it in the viewer below. Files are read and the store is queried
// on the thread pool; stale answers are dropped.
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

public slots:
    // Loads the file, lists its traces and opens the biggest one.
    void openFile(const QString &path);
    void openFileDialog();
    void searchStore();
    // From the file just opened when it holds the trace, else from the store.
    void openTrace(const QByteArray &traceId);

signals:
    void loadFinished(bool ok, const QString &message);
    void searchFinished(bool ok, int traces);
    void traceOpened(const QByteArray &traceId);

private:
    void setStatus(const QString &text);

    store::Storage *m_storage;
    QHash<QByteArray, QList<model::Span>> m_fileTraces;
    int m_loadJob = 0;
    int m_searchJob = 0;
    int m_traceJob = 0;
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
};

} // namespace spyglass::gui::traces
