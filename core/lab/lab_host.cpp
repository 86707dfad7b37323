#include "core/lab/lab_host.h"

#include "core/api/http_server.h"
#include "core/api/loki_api.h"
#include "core/api/prometheus_api.h"
#include "core/api/pyroscope_api.h"
#include "core/api/tempo_api.h"
#include "core/ingest/http_ingest_receiver.h"
#include "core/ingest/http_push_sink.h"
#include "core/ingest/otlp_grpc_receiver.h"
#include "core/ingest/span_metrics_generator.h"
#include "core/ingest/storage_sink.h"
#include "core/store/storage.h"

namespace spyglass::lab {

struct LabHost::Impl
{
    Impl(store::Storage &s, LabHostOptions o)
        : storage(s), options(std::move(o)), sink(s), spanMetrics(s.metrics()), grpc(sink)
    {
        sink.setSpanMetrics(&spanMetrics);
    }
    store::Storage &storage;
    LabHostOptions options;
    ingest::StorageSink sink;
    ingest::SpanMetricsGenerator spanMetrics;
    std::unique_ptr<api::HttpServer> server;
    ingest::OtlpGrpcReceiver grpc;
    std::unique_ptr<ingest::HttpPushSink> push;
    std::unique_ptr<Lab> lab;
};

LabHost::LabHost(store::Storage &storage, LabHostOptions options)
    : m_impl(std::make_unique<Impl>(storage, std::move(options)))
{
}

LabHost::~LabHost() { stop(); }

Result<void> LabHost::startReceivers()
{
    Impl &d = *m_impl;
    if (d.server && d.server->isListening())
        return {};
    d.server = std::make_unique<api::HttpServer>();
    api::PrometheusApi::registerRoutes(d.server->router(), d.storage);
    api::LokiApi::registerRoutes(d.server->router(), d.storage);
    api::PyroscopeApi::registerRoutes(d.server->router(), d.storage);
    api::TempoApi::registerRoutes(d.server->router(), d.storage);
    ingest::HttpIngestReceiver::registerRoutes(d.server->router(), d.sink);
    auto port = d.server->listen(d.options.address, d.options.preferredHttpPort);
    if (!port)
        port = d.server->listen(d.options.address, 0);
    if (!port)
        return fail(port.error());
    auto grpcPort = d.grpc.start(d.options.address, d.options.preferredGrpcPort);
    if (!grpcPort)
        grpcPort = d.grpc.start(d.options.address, 0);
    if (!grpcPort) {
        d.server->stop();
        return fail(grpcPort.error());
    }
    ingest::HttpPushOptions push;
    push.host = d.options.address;
    push.port = *port;
    d.push = std::make_unique<ingest::HttpPushSink>(push);
    LabOptions lo = d.options.lab;
    lo.feedSpanMetrics = false; // the receiving StorageSink feeds the generator
    d.lab = std::make_unique<Lab>(*d.push, lo, &d.spanMetrics);
    return {};
}

quint16 LabHost::httpPort() const { return m_impl->server ? m_impl->server->port() : 0; }

quint16 LabHost::grpcPort() const { return m_impl->grpc.port(); }

QString LabHost::address() const { return m_impl->options.address; }

Lab *LabHost::lab() { return m_impl->lab.get(); }

void LabHost::stop()
{
    Impl &d = *m_impl;
    if (d.lab)
        d.lab->stop();
    d.grpc.stop();
    if (d.server)
        d.server->stop();
}

} // namespace spyglass::lab
