#pragma once

#include "core/model/result.h"
#include "core/model/sample.h"
#include "core/model/span.h"
#include "core/store/metric_store.h"

#include <QHash>
#include <QList>
#include <QStringList>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace spyglass::ingest {

struct SpanMetricsOptions
{
    // Span or resource attributes added as labels (dots become underscores).
    QStringList dimensions{QStringLiteral("http.method"), QStringLiteral("http.target"),
                           QStringLiteral("http.status_code"), QStringLiteral("service.version")};
    // Tempo's defaults: exponential buckets 0.002 * 2^n (n < 12) for span
    // latency, 0.1 * 2^n (n < 8) for service graph edges, in seconds.
    QList<double> latencyBuckets{0.002, 0.004, 0.008, 0.016, 0.032, 0.064,
                                 0.128, 0.256, 0.512, 1.024, 2.048, 4.096};
    QList<double> serviceGraphBuckets{0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8};
    bool serviceGraphs = true;
    // A client or server span waits this long (span end time) for its
    // partner before it is dropped as unpaired.
    std::chrono::milliseconds serviceGraphWait{10'000};
};

// Tempo's metrics generator (and Alloy's spanmetrics / servicegraph
// connectors) in-process: every consumed span updates RED counters kept in
// memory; flush() writes their current (cumulative) values as samples into
// the metric store under Tempo's names, so dashboards built for Tempo work:
//   traces_spanmetrics_calls_total, traces_spanmetrics_latency_{bucket,sum,count}
//     {service, span_name, span_kind="SPAN_KIND_*", status_code="STATUS_CODE_*", <dimensions>}
//   traces_service_graph_request_total, traces_service_graph_request_failed_total,
//   traces_service_graph_request_{server,client}_seconds_{bucket,sum,count}
//     {client, server}
// Thread-safe. start() flushes on an interval from a thread of its own.
class SpanMetricsGenerator
{
public:
    explicit SpanMetricsGenerator(store::MetricStore &metrics, SpanMetricsOptions options = {});
    ~SpanMetricsGenerator();
    SpanMetricsGenerator(const SpanMetricsGenerator &) = delete;
    SpanMetricsGenerator &operator=(const SpanMetricsGenerator &) = delete;

    void consume(const QList<model::Span> &spans);

    // Every series with its current value at time `t` (sorted by labels).
    QList<model::Series> snapshot(model::TimestampMs t) const;
    // Appends snapshot(t) to the metric store (durable on return).
    Result<store::AppendStats> flush(model::TimestampMs t);

    // Flushes every `interval` (at the wall-clock time) until stop().
    void start(std::chrono::milliseconds interval);
    void stop();

    // The latest trace id (hex) seen per calls series, for exemplars.
    QString exemplarTraceId(const model::Labels &callsSeries) const;

    static QString spanKindLabel(model::Span::Kind k);   // "SPAN_KIND_SERVER"
    static QString statusCodeLabel(model::Span::Status s); // "STATUS_CODE_OK"

private:
    struct Histogram
    {
        QList<std::uint64_t> buckets; // cumulative counts are computed at snapshot time
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct PendingEdge
    {
        QString service;
        model::TimestampNs end = 0;
        std::int64_t durationNs = 0;
        bool failed = false;
    };
    struct Edge
    {
        std::uint64_t total = 0;
        std::uint64_t failed = 0;
        Histogram server, client;
    };

    static void observe(Histogram &h, const QList<double> &bounds, double v);
    void pairEdge(const PendingEdge &client, const PendingEdge &server);
    void expirePending(model::TimestampNs now);
    void appendHistogram(QList<model::Series> &out, const QString &name, const model::Labels &labels,
                         const Histogram &h, const QList<double> &bounds, model::TimestampMs t) const;

    store::MetricStore &m_metrics;
    SpanMetricsOptions m_options;
    QStringList m_dimensionLabels;

    mutable std::mutex m_mutex;
    QHash<model::Labels, std::uint64_t> m_calls;
    QHash<model::Labels, Histogram> m_latency;
    QHash<model::Labels, QString> m_exemplars;
    QHash<QPair<QString, QString>, Edge> m_edges;
    // trace id + client span id -> the half seen first
    QHash<QByteArray, PendingEdge> m_pendingClients;
    QHash<QByteArray, PendingEdge> m_pendingServers;
    model::TimestampNs m_latestEnd = 0;

    std::mutex m_threadMutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace spyglass::ingest
