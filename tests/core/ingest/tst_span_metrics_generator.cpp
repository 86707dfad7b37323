#include "core/ingest/span_metrics_generator.h"
#include "core/ingest/storage_sink.h"
#include "core/model/label_matcher.h"
#include "core/store/storage.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using ingest::SpanMetricsGenerator;
using model::Labels;
using model::Span;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000LL;

Span makeSpan(int trace, int id, int parent, const char *service, const char *name, Span::Kind kind,
              Span::Status status, std::int64_t startMs, std::int64_t durMs)
{
    Span s;
    s.traceId = QByteArray(15, '\x01') + char(trace);
    s.spanId = QByteArray(7, '\x02') + char(id);
    if (parent > 0)
        s.parentSpanId = QByteArray(7, '\x02') + char(parent);
    s.serviceName = QString::fromUtf8(service);
    s.name = QString::fromUtf8(name);
    s.kind = kind;
    s.status = status;
    s.start = kT0 + startMs * kMs;
    s.end = s.start + durMs * kMs;
    return s;
}

double valueOf(const QList<model::Series> &all, const Labels &l)
{
    for (const auto &s : all)
        if (s.labels == l)
            return s.samples.front().v;
    return -1;
}

// One request: frontend server -> frontend client -> checkout server (error).
QList<Span> request(int trace, std::int64_t atMs)
{
    Span root = makeSpan(trace, 1, 0, "frontend", "GET /checkout", Span::Kind::Server, Span::Status::Ok, atMs, 200);
    root.attributes = {{QStringLiteral("http.method"), QStringLiteral("GET")},
                       {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(200)}};
    root.resourceAttributes = {{QStringLiteral("service.name"), QStringLiteral("frontend")},
                               {QStringLiteral("service.version"), QStringLiteral("1.2")}};
    Span client = makeSpan(trace, 2, 1, "frontend", "HTTP POST", Span::Kind::Client, Span::Status::Unset, atMs + 10, 150);
    Span server = makeSpan(trace, 3, 2, "checkout", "POST /pay", Span::Kind::Server, Span::Status::Error, atMs + 20, 100);
    return {root, client, server};
}

const Labels kRootCalls{{QStringLiteral("__name__"), QStringLiteral("traces_spanmetrics_calls_total")},
                        {QStringLiteral("service"), QStringLiteral("frontend")},
                        {QStringLiteral("span_name"), QStringLiteral("GET /checkout")},
                        {QStringLiteral("span_kind"), QStringLiteral("SPAN_KIND_SERVER")},
                        {QStringLiteral("status_code"), QStringLiteral("STATUS_CODE_OK")},
                        {QStringLiteral("http_method"), QStringLiteral("GET")},
                        {QStringLiteral("http_status_code"), QStringLiteral("200")},
                        {QStringLiteral("service_version"), QStringLiteral("1.2")}};

Labels named(const Labels &base, const char *name)
{
    return base.with(QStringLiteral("__name__"), QString::fromUtf8(name));
}

} // namespace

class TestSpanMetricsGenerator : public QObject
{
    Q_OBJECT

private slots:
    void redMetricsWithTempoNames()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        SpanMetricsGenerator gen((*storage)->metrics());
        gen.consume(request(1, 0));
        gen.consume(request(2, 1000));
        const auto snap = gen.snapshot(1234);
        QCOMPARE(snap.front().samples.front().t, 1234);

        QCOMPARE(valueOf(snap, kRootCalls), 2.0);
        const Labels lat = kRootCalls.withoutMetricName();
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_count")), 2.0);
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_sum")), 0.4);
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_bucket").with(QStringLiteral("le"), QStringLiteral("0.128"))), 0.0);
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_bucket").with(QStringLiteral("le"), QStringLiteral("0.256"))), 2.0);
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_bucket").with(QStringLiteral("le"), QStringLiteral("4.096"))), 2.0);
        QCOMPARE(valueOf(snap, named(lat, "traces_spanmetrics_latency_bucket").with(QStringLiteral("le"), QStringLiteral("+Inf"))), 2.0);

        const Labels errCalls{{QStringLiteral("__name__"), QStringLiteral("traces_spanmetrics_calls_total")},
                              {QStringLiteral("service"), QStringLiteral("checkout")},
                              {QStringLiteral("span_name"), QStringLiteral("POST /pay")},
                              {QStringLiteral("span_kind"), QStringLiteral("SPAN_KIND_SERVER")},
                              {QStringLiteral("status_code"), QStringLiteral("STATUS_CODE_ERROR")}};
        QCOMPARE(valueOf(snap, errCalls), 2.0);
        const Labels clientCalls{{QStringLiteral("__name__"), QStringLiteral("traces_spanmetrics_calls_total")},
                                 {QStringLiteral("service"), QStringLiteral("frontend")},
                                 {QStringLiteral("span_name"), QStringLiteral("HTTP POST")},
                                 {QStringLiteral("span_kind"), QStringLiteral("SPAN_KIND_CLIENT")},
                                 {QStringLiteral("status_code"), QStringLiteral("STATUS_CODE_UNSET")}};
        QCOMPARE(valueOf(snap, clientCalls), 2.0);
        QCOMPARE(gen.exemplarTraceId(kRootCalls), QString::fromLatin1(QByteArray(QByteArray(15, 1) + char(2)).toHex()));

        const Labels edge{{QStringLiteral("client"), QStringLiteral("frontend")}, {QStringLiteral("server"), QStringLiteral("checkout")}};
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_total")), 2.0);
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_failed_total")), 2.0);
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_server_seconds_bucket").with(QStringLiteral("le"), QStringLiteral("0.1"))), 2.0);
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_client_seconds_bucket").with(QStringLiteral("le"), QStringLiteral("0.1"))), 0.0);
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_client_seconds_bucket").with(QStringLiteral("le"), QStringLiteral("0.2"))), 2.0);
        QCOMPARE(valueOf(snap, named(edge, "traces_service_graph_request_server_seconds_sum")), 0.2);
        // Only one edge: the frontend server span has no client parent.
        int edges = 0;
        for (const auto &s : snap)
            edges += s.labels.metricName() == QLatin1String("traces_service_graph_request_total");
        QCOMPARE(edges, 1);
    }

    void storedSpansFeedTheGenerator()
    {
        // What `spyglass-core serve` wires up: spans arriving through the
        // receivers' sink are stored, then counted; a refused batch is not.
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        SpanMetricsGenerator gen((*storage)->metrics());
        ingest::StorageSink sink(**storage);
        sink.setSpanMetrics(&gen);
        QVERIFY(sink.appendSpans(request(1, 0)));
        QVERIFY(sink.appendSpans(request(2, 1000)));
        Span bad = makeSpan(3, 1, 0, "frontend", "GET /checkout", Span::Kind::Server, Span::Status::Ok, 0, 1);
        bad.traceId = QByteArray("short"); // refused by the store: all or nothing
        QVERIFY(!sink.appendSpans({bad}));
        QCOMPARE(valueOf(gen.snapshot(1234), kRootCalls), 2.0);
        QCOMPARE((*storage)->traces().stats()->spans, std::int64_t(6));
    }

    void serverBeforeClientAndExpiry()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        ingest::SpanMetricsOptions opts;
        opts.dimensions = {QStringLiteral("db.system")};
        SpanMetricsGenerator gen((*storage)->metrics(), opts);
        auto r = request(1, 0);
        gen.consume({r[2]}); // server first
        gen.consume({r[1]});
        // A client whose server arrives too late is dropped.
        auto late = request(2, 0);
        gen.consume({late[1]});
        gen.consume({makeSpan(3, 1, 0, "x", "later", Span::Kind::Internal, Span::Status::Unset, 30'000, 1)});
        gen.consume({late[2]});
        const auto snap = gen.snapshot(1);
        const Labels edge{{QStringLiteral("__name__"), QStringLiteral("traces_service_graph_request_total")},
                          {QStringLiteral("client"), QStringLiteral("frontend")},
                          {QStringLiteral("server"), QStringLiteral("checkout")}};
        QCOMPARE(valueOf(snap, edge), 1.0);
        // Custom dimensions replace the defaults.
        for (const auto &s : snap)
            QVERIFY(!s.labels.has(u"http_method"));
    }

    void flushWritesCumulativeSamples()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        SpanMetricsGenerator gen((*storage)->metrics());
        auto empty = gen.flush(1000);
        QVERIFY(empty);
        QCOMPARE(empty->samples, 0);
        gen.consume(request(1, 0));
        auto r = gen.flush(15'000);
        QVERIFY(r);
        QVERIFY(r->samples > 10);
        gen.consume(request(2, 0));
        QVERIFY(gen.flush(30'000));

        auto m = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                             QStringLiteral("traces_spanmetrics_calls_total"));
        QVERIFY(m);
        auto m2 = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("span_name"),
                                              QStringLiteral("GET /checkout"));
        auto series = (*storage)->metrics().select({*m, *m2});
        QVERIFY(series);
        QCOMPARE(series->size(), 1);
        QCOMPARE(series->front().labels, kRootCalls);
        auto samples = (*storage)->metrics().samples(series->front().id, 0, 100'000);
        QVERIFY(samples);
        QCOMPARE(samples->size(), 2);
        QCOMPARE(samples->at(0).t, 15'000);
        QCOMPARE(samples->at(0).v, 1.0);
        QCOMPARE(samples->at(1).v, 2.0);
    }

    void periodicFlush()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        SpanMetricsGenerator gen((*storage)->metrics());
        gen.consume(request(1, 0));
        gen.start(std::chrono::milliseconds(20));
        // Waits for the effect, not for a time: the flush thread must write.
        auto m = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                             QStringLiteral("traces_spanmetrics_calls_total"));
        QTRY_VERIFY_WITH_TIMEOUT((*storage)->metrics().select({*m})->size() == 3, 60'000);
        gen.stop();
        gen.stop(); // idempotent
    }

    void labelNames()
    {
        QCOMPARE(SpanMetricsGenerator::spanKindLabel(Span::Kind::Consumer), QStringLiteral("SPAN_KIND_CONSUMER"));
        QCOMPARE(SpanMetricsGenerator::statusCodeLabel(Span::Status::Unset), QStringLiteral("STATUS_CODE_UNSET"));
    }
};

QTEST_GUILESS_MAIN(TestSpanMetricsGenerator)
#include "tst_span_metrics_generator.moc"
