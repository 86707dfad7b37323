// Ingest throughput on this machine with a load generator on loopback:
//   OTLP/HTTP protobuf and OTLP/gRPC: spans, log records, metric points per second;
//   overload: many senders against maxInFlight = 4 -> 429/UNAVAILABLE, peak RSS;
//   remote_write samples/s vs `promtool tsdb create-blocks-from openmetrics`
//   on the same samples, in the same run.
// Not a CTest test: run build/tests/bench/bench_ingest [seconds-per-phase].

#include "core/api/http_server.h"
#include "core/ingest/blocking_http_client.h"
#include "core/ingest/http_ingest_receiver.h"
#include "core/ingest/otlp_grpc_receiver.h"
#include "core/ingest/snappy_codec.h"
#include "core/ingest/storage_sink.h"
#include "core/ingest/wire_encoder.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "core/store/storage.h"

#include <grpcpp/grpcpp.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace spyglass;
namespace ct = opentelemetry::proto::collector::trace::v1;
namespace cl = opentelemetry::proto::collector::logs::v1;
namespace cm = opentelemetry::proto::collector::metrics::v1;

namespace {

constexpr int kPerRequest = 1000;
std::atomic<std::int64_t> g_clockNs{0};

long rssKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &l : f.readAll().split('\n'))
        if (l.startsWith(field))
            return l.mid(qsizetype(strlen(field))).trimmed().split(' ').first().toLong();
    return 0;
}

void setKv(opentelemetry::proto::common::v1::KeyValue *kv, const char *k, const std::string &v)
{
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
}

ct::ExportTraceServiceRequest traces(int seed)
{
    ct::ExportTraceServiceRequest r;
    auto *rs = r.add_resource_spans();
    setKv(rs->mutable_resource()->add_attributes(), "service.name", "bench");
    auto *ss = rs->add_scope_spans();
    const std::int64_t t = g_clockNs.fetch_add(kPerRequest * 1000);
    for (int i = 0; i < kPerRequest; ++i) {
        auto *s = ss->add_spans();
        std::string tid(16, '\0'), sid(8, '\0');
        const std::uint64_t a = std::uint64_t(seed) * 1'000'003 + std::uint64_t(i / 10) + 1, b = std::uint64_t(seed) * 7919 + std::uint64_t(i) + 1;
        memcpy(tid.data(), &a, 8);
        memcpy(sid.data(), &b, 8);
        s->set_trace_id(tid);
        s->set_span_id(sid);
        s->set_name(i % 10 ? "pg.query:SELECT" : "GET /unicorn");
        s->set_kind(i % 10 ? opentelemetry::proto::trace::v1::Span::SPAN_KIND_CLIENT
                           : opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
        s->set_start_time_unix_nano(std::uint64_t(t + i * 1000));
        s->set_end_time_unix_nano(std::uint64_t(t + i * 1000 + 500'000));
        setKv(s->add_attributes(), "http.method", "GET");
        setKv(s->add_attributes(), "db.statement", "SELECT name FROM unicorn WHERE id = $1");
    }
    return r;
}

cl::ExportLogsServiceRequest logs(int seed)
{
    cl::ExportLogsServiceRequest r;
    auto *rl = r.add_resource_logs();
    setKv(rl->mutable_resource()->add_attributes(), "service.name", "bench-" + std::to_string(seed % 8));
    auto *sl = rl->add_scope_logs();
    const std::int64_t t = g_clockNs.fetch_add(kPerRequest * 1000);
    for (int i = 0; i < kPerRequest; ++i) {
        auto *l = sl->add_log_records();
        l->set_time_unix_nano(std::uint64_t(t + i * 1000));
        l->set_severity_text(i % 20 ? "INFO" : "ERROR");
        l->mutable_body()->set_string_value("level=info msg=\"requested beast\" beast=unicorn status=OK seq=" + std::to_string(seed * kPerRequest + i));
    }
    return r;
}

cm::ExportMetricsServiceRequest metrics(int seed)
{
    cm::ExportMetricsServiceRequest r;
    auto *rm = r.add_resource_metrics();
    setKv(rm->mutable_resource()->add_attributes(), "service.name", "bench");
    auto *g = rm->add_scope_metrics()->add_metrics();
    g->set_name("bench.value");
    const std::int64_t t = (g_clockNs.fetch_add(1'000'000'000) / 1'000'000) * 1'000'000;
    for (int i = 0; i < kPerRequest; ++i) {
        auto *p = g->mutable_gauge()->add_data_points();
        setKv(p->add_attributes(), "series", std::to_string(i));
        p->set_time_unix_nano(std::uint64_t(t));
        p->set_as_double(seed + i);
    }
    return r;
}

QByteArray bytes(const google::protobuf::Message &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

struct Run
{
    double seconds = 0;
    std::int64_t items = 0, ok = 0, refused = 0, failed = 0;
};

// `threads` senders each calling send(seed) until the time is up.
template <typename Send>
Run load(int threads, double seconds, Send send)
{
    std::atomic<std::int64_t> items{0}, ok{0}, refused{0}, failed{0}, seq{0};
    QElapsedTimer timer;
    timer.start();
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k)
        ts.emplace_back([&, k] {
            auto ctx = send.makeContext();
            while (timer.elapsed() < seconds * 1000) {
                const int r = send(ctx, int(seq.fetch_add(1)));
                if (r == 0) {
                    ok += 1;
                    items += kPerRequest;
                } else if (r == 1) {
                    refused += 1;
                } else {
                    failed += 1;
                }
            }
            (void)k;
        });
    for (auto &t : ts)
        t.join();
    return {double(timer.elapsed()) / 1000.0, items, ok, refused, failed};
}

struct HttpSender
{
    quint16 port;
    QByteArray path;
    std::function<QByteArray(int)> body;
    std::unique_ptr<ingest::BlockingHttpClient> makeContext() const
    {
        return std::make_unique<ingest::BlockingHttpClient>(QStringLiteral("127.0.0.1"), port);
    }
    int operator()(std::unique_ptr<ingest::BlockingHttpClient> &c, int seed) const
    {
        auto r = c->post(path, "application/x-protobuf", body(seed));
        if (!r)
            return 2;
        return r->status == 200 || r->status == 204 ? 0 : (r->status == 429 || r->status == 503 ? 1 : 2);
    }
};

template <typename Stub, typename Req, typename Resp>
struct GrpcSender
{
    std::shared_ptr<grpc::Channel> channel;
    std::function<Req(int)> request;
    std::unique_ptr<Stub> makeContext() const { return std::make_unique<Stub>(channel); }
    int operator()(std::unique_ptr<Stub> &stub, int seed) const
    {
        grpc::ClientContext ctx;
        Resp resp;
        const auto st = stub->Export(&ctx, request(seed), &resp);
        return st.ok() ? 0 : (st.error_code() == grpc::StatusCode::UNAVAILABLE ? 1 : 2);
    }
};

void report(const char *what, const char *unit, const Run &r)
{
    std::printf("%-34s %10.0f %s/s  (%lld requests ok, %lld refused, %lld failed, %.1f s)\n", what,
                double(r.items) / r.seconds, unit, (long long)r.ok, (long long)r.refused, (long long)r.failed,
                r.seconds);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double seconds = argc > 1 ? std::atof(argv[1]) : 4.0;
    g_clockNs = (QDateTime::currentMSecsSinceEpoch() - 3'600'000) * 1'000'000;
    QTemporaryDir dir;
    auto storage = store::Storage::open(dir.path());
    if (!storage) {
        std::fprintf(stderr, "%s\n", qPrintable(storage.error().toString()));
        return 1;
    }
    ingest::StorageSink sink(**storage);
    api::HttpServer server;
    ingest::HttpIngestReceiver::registerRoutes(server.router(), sink);
    auto port = server.listen();
    ingest::OtlpGrpcReceiver grpcReceiver(sink);
    auto grpcPort = grpcReceiver.start();
    if (!port || !grpcPort)
        return 1;
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*grpcPort), grpc::InsecureChannelCredentials());
    std::printf("bench_ingest: %d items per request, 2 sender threads, %.0f s per phase, RSS %ld kB at start\n",
                kPerRequest, seconds, rssKb("VmRSS:"));

    const auto http = [&](const char *path, std::function<QByteArray(int)> body) {
        return HttpSender{*port, path, std::move(body)};
    };
    report("OTLP/HTTP protobuf spans", "spans", load(2, seconds, http("/v1/traces", [](int s) { return bytes(traces(s)); })));
    report("OTLP/gRPC spans", "spans",
           load(2, seconds, GrpcSender<ct::TraceService::Stub, ct::ExportTraceServiceRequest, ct::ExportTraceServiceResponse>{
                                channel, [](int s) { return traces(100000 + s); }}));
    report("OTLP/HTTP protobuf log records", "records", load(2, seconds, http("/v1/logs", [](int s) { return bytes(logs(s)); })));
    report("OTLP/gRPC log records", "records",
           load(2, seconds, GrpcSender<cl::LogsService::Stub, cl::ExportLogsServiceRequest, cl::ExportLogsServiceResponse>{
                                channel, [](int s) { return logs(100000 + s); }}));
    report("OTLP/HTTP protobuf metric points", "points", load(2, seconds, http("/v1/metrics", [](int s) { return bytes(metrics(s)); })));
    report("OTLP/gRPC metric points", "points",
           load(2, seconds, GrpcSender<cm::MetricsService::Stub, cm::ExportMetricsServiceRequest, cm::ExportMetricsServiceResponse>{
                                channel, [](int s) { return metrics(100000 + s); }}));

    // Overload: 32 senders of 1000-span bodies against maxInFlight = 4.
    const long rssBefore = rssKb("VmRSS:");
    std::atomic<bool> sampling{true};
    std::atomic<long> peak{rssBefore};
    std::thread sampler([&] {
        while (sampling) {
            peak = std::max(peak.load(), rssKb("VmRSS:"));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    // A server like the default one but with 8 handler threads competing for
    // 2 in-flight permits, so the refusal path (429 + Retry-After) is what
    // bounds memory here, not the thread count.
    api::HttpServerOptions overloadServerOptions;
    overloadServerOptions.threads = 8;
    api::HttpServer overloadServer(overloadServerOptions);
    ingest::HttpIngestOptions overloadOptions;
    overloadOptions.maxInFlight = 2;
    ingest::HttpIngestReceiver::registerRoutes(overloadServer.router(), sink, overloadOptions);
    auto overloadPort = overloadServer.listen();
    if (!overloadPort)
        return 1;
    const Run over = load(32, seconds, HttpSender{*overloadPort, "/v1/traces", [](int s) { return bytes(traces(200000 + s)); }});
    overloadServer.stop();
    sampling = false;
    sampler.join();
    report("overload: 32 senders, 2 permits", "spans", over);
    std::printf("%-34s RSS before %ld kB, peak during %ld kB (+%ld kB); %.0f%% of requests answered 429\n",
                "overload memory", rssBefore, peak.load(), peak.load() - rssBefore,
                100.0 * double(over.refused) / double(std::max<std::int64_t>(1, over.ok + over.refused)));

    // remote_write vs promtool on the same samples: 1000 series x 120 samples.
    const int series = 1000, perSeries = 120;
    const std::int64_t t0 = QDateTime::currentMSecsSinceEpoch() - 3 * 3'600'000;
    QList<QByteArray> bodies;
    QByteArray openMetrics = "# TYPE bench_rw gauge\n";
    for (int chunk = 0; chunk < perSeries; chunk += 10) {
        QList<model::Series> batch;
        for (int s = 0; s < series; ++s) {
            model::Series x;
            x.labels = model::Labels{{QStringLiteral("__name__"), QStringLiteral("bench_rw")},
                                     {QStringLiteral("series"), QString::number(s)}};
            for (int i = chunk; i < chunk + 10; ++i)
                x.samples.append({t0 + i * 15'000, double(s * i)});
            batch.append(x);
        }
        bodies.append(ingest::SnappyCodec::compress(ingest::WireEncoder::remoteWrite(batch)));
    }
    for (int s = 0; s < series; ++s)
        for (int i = 0; i < perSeries; ++i)
            openMetrics += "bench_rw{series=\"" + QByteArray::number(s) + "\"} " + QByteArray::number(double(s * i)) + ' '
                + QByteArray::number(double(t0 + i * 15'000) / 1000.0, 'f', 3) + '\n';
    openMetrics += "# EOF\n";
    ingest::BlockingHttpClient rw(QStringLiteral("127.0.0.1"), *port);
    QElapsedTimer timer;
    timer.start();
    for (const QByteArray &b : bodies)
        if (auto r = rw.post("/api/v1/write", "application/x-protobuf", b,
                             {qMakePair(QByteArray("Content-Encoding"), QByteArray("snappy")),
                              qMakePair(QByteArray("X-Prometheus-Remote-Write-Version"), QByteArray("0.1.0"))});
            !r || r->status != 204)
            std::fprintf(stderr, "remote_write failed\n");
    const double rwSeconds = double(timer.nsecsElapsed()) / 1e9;
    const double total = double(series) * perSeries;
    QFile om(dir.filePath(QStringLiteral("bench.om")));
    om.open(QIODevice::WriteOnly);
    om.write(openMetrics);
    om.close();
    timer.restart();
    QProcess promtool;
    promtool.start(QStringLiteral("promtool"), {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"),
                                                QStringLiteral("openmetrics"), om.fileName(), dir.filePath(QStringLiteral("prom"))});
    const bool ran = promtool.waitForFinished(300'000) && promtool.exitCode() == 0;
    const double promSeconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("%-34s %10.0f samples/s  (%.0f samples in %.2f s)\n", "remote_write (1 sender)", total / rwSeconds, total,
                rwSeconds);
    if (ran)
        std::printf("%-34s %10.0f samples/s  (%.2f s) -> remote_write is %.2fx promtool\n",
                    "promtool create-blocks-from", total / promSeconds, promSeconds, promSeconds / rwSeconds);
    else
        std::printf("promtool not run: %s\n", promtool.readAllStandardError().constData());
    std::printf("peak RSS of the whole run (VmHWM): %ld kB\n", rssKb("VmHWM:"));
    grpcReceiver.stop();
    server.stop();
    return 0;
}
