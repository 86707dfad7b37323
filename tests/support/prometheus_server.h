#pragma once

#include "core/model/result.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace spyglass::test {

// A real Prometheus server for tests: the OpenMetrics text given to start()
// becomes TSDB blocks (promtool tsdb create-blocks-from openmetrics), then
// `prometheus` serves them on 127.0.0.1 at a free port, with no scrape jobs
// and a 100 y retention so old fixed timestamps stay queryable. The process
// is killed when the object dies.
//
// Binaries: $SPYGLASS_PROMETHEUS / $SPYGLASS_PROMTOOL, else /usr/bin/...,
// else the PATH. promtool needs "# EOF" at the end and a timestamp on every
// sample; start() checks both to fail with a clear message.
class PrometheusServer
{
public:
    PrometheusServer();
    ~PrometheusServer();
    PrometheusServer(const PrometheusServer &) = delete;
    PrometheusServer &operator=(const PrometheusServer &) = delete;

    // Empty when both binaries exist, else why not (for QSKIP).
    static QString unavailableReason();
    static QString prometheusBinary();
    static QString promtoolBinary();

    // Imports, starts, and waits (up to readyTimeoutMs) for /-/ready.
    Result<void> start(const QByteArray &openMetrics, int readyTimeoutMs = 60000);
    void stop();
    bool isRunning() const;

    QString url() const; // "http://127.0.0.1:<port>"
    quint16 port() const { return m_port; }
    QString dataDir() const;
    QString log() const; // prometheus's own output so far, for failure messages

private:
    Result<void> importBlocks(const QByteArray &openMetrics);
    Result<void> launch(int readyTimeoutMs, bool *portTaken);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    mutable QByteArray m_log;
};

// A port on 127.0.0.1 that was free a moment ago.
quint16 freeLoopbackPort();

} // namespace spyglass::test
