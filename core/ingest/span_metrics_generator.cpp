#include "core/ingest/span_metrics_generator.h"

#include "core/model/time_range.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace spyglass::ingest {

using model::Labels;
using model::Span;

namespace {

QString labelName(QString attribute)
{
    // Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*
    for (QChar &c : attribute)
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_')
            c = u'_';
    if (!attribute.isEmpty() && attribute[0].isDigit())
        attribute.prepend(u'_');
    return attribute;
}

QString attributeText(const Span &s, const QString &key)
{
    for (const auto *attrs : {&s.attributes, &s.resourceAttributes})
        for (const auto &a : *attrs)
            if (a.key == key)
                return a.value.typeId() == QMetaType::Bool ? (a.value.toBool() ? QStringLiteral("true")
                                                                                : QStringLiteral("false"))
                                                            : a.value.toString();
    return {};
}

QString formatBound(double v)
{
    return QString::number(v, 'g', 15);
}

} // namespace

QString SpanMetricsGenerator::spanKindLabel(Span::Kind k)
{
    static const char *names[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                                  "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
    return QString::fromLatin1(names[int(k)]);
}

QString SpanMetricsGenerator::statusCodeLabel(Span::Status s)
{
    static const char *names[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};
    return QString::fromLatin1(names[int(s)]);
}

SpanMetricsGenerator::SpanMetricsGenerator(store::MetricStore &metrics, SpanMetricsOptions options)
    : m_metrics(metrics), m_options(std::move(options))
{
    std::sort(m_options.latencyBuckets.begin(), m_options.latencyBuckets.end());
    std::sort(m_options.serviceGraphBuckets.begin(), m_options.serviceGraphBuckets.end());
    for (const auto &d : m_options.dimensions)
        m_dimensionLabels << labelName(d);
}

SpanMetricsGenerator::~SpanMetricsGenerator()
{
    stop();
}

void SpanMetricsGenerator::observe(Histogram &h, const QList<double> &bounds, double v)
{
    if (h.buckets.size() != bounds.size())
        h.buckets.fill(0, bounds.size());
    const auto it = std::lower_bound(bounds.begin(), bounds.end(), v); // le: v <= bound
    if (it != bounds.end())
        ++h.buckets[it - bounds.begin()];
    h.sum += v;
    ++h.count;
}

void SpanMetricsGenerator::consume(const QList<Span> &spans)
{
    std::lock_guard lock(m_mutex);
    for (const Span &s : spans) {
        QList<model::Label> labels{
            {QStringLiteral("service"), s.serviceName},
            {QStringLiteral("span_name"), s.name},
            {QStringLiteral("span_kind"), spanKindLabel(s.kind)},
            {QStringLiteral("status_code"), statusCodeLabel(s.status)},
        };
        for (qsizetype i = 0; i < m_options.dimensions.size(); ++i) {
            const QString v = attributeText(s, m_options.dimensions[i]);
            if (!v.isEmpty())
                labels.push_back({m_dimensionLabels[i], v});
        }
        const Labels key(labels);
        ++m_calls[key];
        m_exemplars[key] = QString::fromLatin1(s.traceId.toHex());
        observe(m_latency[key], m_options.latencyBuckets, double(s.end - s.start) / 1e9);
        m_latestEnd = std::max(m_latestEnd, s.end);

        if (!m_options.serviceGraphs)
            continue;
        // A client (or producer) span and the server (or consumer) span
        // whose parent it is make one edge client service -> server service.
        const PendingEdge half{s.serviceName, s.end, s.end - s.start, s.status == Span::Status::Error};
        if (s.kind == Span::Kind::Client || s.kind == Span::Kind::Producer) {
            const QByteArray k = s.traceId + s.spanId;
            if (auto it = m_pendingServers.find(k); it != m_pendingServers.end()) {
                pairEdge(half, *it);
                m_pendingServers.erase(it);
            } else {
                m_pendingClients.insert(k, half);
            }
        } else if ((s.kind == Span::Kind::Server || s.kind == Span::Kind::Consumer) && !s.parentSpanId.isEmpty()) {
            const QByteArray k = s.traceId + s.parentSpanId;
            if (auto it = m_pendingClients.find(k); it != m_pendingClients.end()) {
                pairEdge(*it, half);
                m_pendingClients.erase(it);
            } else {
                m_pendingServers.insert(k, half);
            }
        }
    }
    expirePending(m_latestEnd);
}

void SpanMetricsGenerator::pairEdge(const PendingEdge &client, const PendingEdge &server)
{
    Edge &e = m_edges[{client.service, server.service}];
    ++e.total;
    if (client.failed || server.failed)
        ++e.failed;
    observe(e.server, m_options.serviceGraphBuckets, double(server.durationNs) / 1e9);
    observe(e.client, m_options.serviceGraphBuckets, double(client.durationNs) / 1e9);
}

void SpanMetricsGenerator::expirePending(model::TimestampNs now)
{
    const std::int64_t wait = std::int64_t(m_options.serviceGraphWait.count()) * 1'000'000;
    for (auto *pending : {&m_pendingClients, &m_pendingServers})
        for (auto it = pending->begin(); it != pending->end();)
            it = it->end < now - wait ? pending->erase(it) : std::next(it);
}

void SpanMetricsGenerator::appendHistogram(QList<model::Series> &out, const QString &name, const Labels &labels,
                                           const Histogram &h, const QList<double> &bounds,
                                           model::TimestampMs t) const
{
    std::uint64_t cumulative = 0;
    for (qsizetype i = 0; i < bounds.size(); ++i) {
        cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
        out.push_back({labels.with(QStringLiteral("__name__"), name + QStringLiteral("_bucket"))
                           .with(QStringLiteral("le"), formatBound(bounds[i])),
                       {{t, double(cumulative)}}});
    }
    out.push_back({labels.with(QStringLiteral("__name__"), name + QStringLiteral("_bucket"))
                       .with(QStringLiteral("le"), QStringLiteral("+Inf")),
                   {{t, double(h.count)}}});
    out.push_back({labels.with(QStringLiteral("__name__"), name + QStringLiteral("_sum")), {{t, h.sum}}});
    out.push_back({labels.with(QStringLiteral("__name__"), name + QStringLiteral("_count")), {{t, double(h.count)}}});
}

QList<model::Series> SpanMetricsGenerator::snapshot(model::TimestampMs t) const
{
    QList<model::Series> out;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_calls.cbegin(); it != m_calls.cend(); ++it)
            out.push_back({it.key().with(QStringLiteral("__name__"), QStringLiteral("traces_spanmetrics_calls_total")),
                           {{t, double(it.value())}}});
        for (auto it = m_latency.cbegin(); it != m_latency.cend(); ++it)
            appendHistogram(out, QStringLiteral("traces_spanmetrics_latency"), it.key(), it.value(),
                            m_options.latencyBuckets, t);
        for (auto it = m_edges.cbegin(); it != m_edges.cend(); ++it) {
            const Labels l{{QStringLiteral("client"), it.key().first}, {QStringLiteral("server"), it.key().second}};
            out.push_back({l.with(QStringLiteral("__name__"), QStringLiteral("traces_service_graph_request_total")),
                           {{t, double(it->total)}}});
            out.push_back({l.with(QStringLiteral("__name__"), QStringLiteral("traces_service_graph_request_failed_total")),
                           {{t, double(it->failed)}}});
            appendHistogram(out, QStringLiteral("traces_service_graph_request_server_seconds"), l, it->server,
                            m_options.serviceGraphBuckets, t);
            appendHistogram(out, QStringLiteral("traces_service_graph_request_client_seconds"), l, it->client,
                            m_options.serviceGraphBuckets, t);
        }
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.labels < b.labels; });
    return out;
}

Result<store::AppendStats> SpanMetricsGenerator::flush(model::TimestampMs t)
{
    store::SampleBatch batch;
    batch.series = snapshot(t);
    if (batch.series.isEmpty())
        return store::AppendStats{};
    return m_metrics.append(batch);
}

QString SpanMetricsGenerator::exemplarTraceId(const Labels &callsSeries) const
{
    std::lock_guard lock(m_mutex);
    return m_exemplars.value(callsSeries.withoutMetricName());
}

void SpanMetricsGenerator::start(std::chrono::milliseconds interval)
{
    stop();
    {
        std::lock_guard lock(m_threadMutex);
        m_stopping = false;
    }
    m_thread = std::thread([this, interval] {
        std::unique_lock lock(m_threadMutex);
        while (!m_wake.wait_for(lock, interval, [this] { return m_stopping; })) {
            lock.unlock();
            if (auto r = flush(model::nowMs()); !r)
                qWarning("span metrics flush failed: %s", qPrintable(r.error().toString()));
            lock.lock();
        }
    });
}

void SpanMetricsGenerator::stop()
{
    {
        std::lock_guard lock(m_threadMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

} // namespace spyglass::ingest
