// The OTLP/gRPC receiver with real gRPC client stubs on loopback: every
// captured Export call (plain and gzip) is sent again, metrics land in the
// store, logs and spans reach the sink, and sink failures map to the gRPC
// codes OTLP exporters retry on.

#include "core/ingest/otlp_grpc_receiver.h"
#include "core/ingest/storage_sink.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "core/store/storage.h"
#include "tests/core/ingest/corpus.h"

#include <grpcpp/grpcpp.h>

#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace spyglass;
using namespace spyglass::ingest;
using namespace spyglass::ingest::testing;
namespace ct = opentelemetry::proto::collector::trace::v1;
namespace cm = opentelemetry::proto::collector::metrics::v1;
namespace cl = opentelemetry::proto::collector::logs::v1;
namespace cp = opentelemetry::proto::collector::profiles::v1development;

namespace {

// Samples go to the real store; logs and spans are kept here (their stores
// are other modules), unless `refuse` makes every append fail.
class TestSink : public IngestSink
{
public:
    explicit TestSink(store::Storage &s) : m_store(s) {}
    std::mutex mutex;
    QList<model::LogRecord> logs;
    QList<model::Span> spans;
    std::optional<Error> refuse;

    Result<AppendCounts> appendSamples(const QList<model::Series> &s) override
    {
        if (refuse)
            return fail(*refuse);
        return m_store.appendSamples(s);
    }
    Result<AppendCounts> appendLogs(const QList<model::LogRecord> &r) override
    {
        if (refuse)
            return fail(*refuse);
        std::lock_guard l(mutex);
        logs += r;
        return AppendCounts{r.size(), 0, {}};
    }
    Result<AppendCounts> appendSpans(const QList<model::Span> &s) override
    {
        if (refuse)
            return fail(*refuse);
        std::lock_guard l(mutex);
        spans += s;
        return AppendCounts{s.size(), 0, {}};
    }
    Result<AppendCounts> appendProfiles(const QList<model::Profile> &) override { return AppendCounts{}; }

private:
    StorageSink m_store;
};

std::chrono::system_clock::time_point deadline()
{
    return std::chrono::system_clock::now() + std::chrono::seconds(30);
}

template <typename Message>
Message parse(const QByteArray &body)
{
    Message m;
    const QByteArray raw = grpcMessage(body);
    if (!m.ParseFromArray(raw.constData(), int(raw.size())))
        qFatal("bad capture");
    return m;
}

} // namespace

class TestOtlpGrpcReceiver : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<TestSink> m_sink;
    std::unique_ptr<OtlpGrpcReceiver> m_receiver;
    std::shared_ptr<grpc::Channel> m_channel;

private slots:
    void initTestCase()
    {
        auto s = store::Storage::open(m_dir.path());
        QVERIFY(s);
        m_storage = std::move(*s);
        m_sink = std::make_unique<TestSink>(*m_storage);
        m_receiver = std::make_unique<OtlpGrpcReceiver>(*m_sink);
        auto port = m_receiver->start();
        QVERIFY2(port, qPrintable(port ? QString() : port.error().toString()));
        QVERIFY(*port > 0);
        QVERIFY(m_receiver->isRunning());
        m_channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
    }

    void cleanupTestCase()
    {
        m_receiver->stop();
        QVERIFY(!m_receiver->isRunning());
        m_receiver->stop(); // idempotent
    }

    void replayCaptures_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<bool>("gzip");
        QTest::newRow("plain") << "otlp-grpc" << false;
        QTest::newRow("gzip") << "otlp-grpc-gzip" << true;
    }
    void replayCaptures()
    {
        QFETCH(QString, folder);
        QFETCH(bool, gzip);
        m_sink->logs.clear();
        m_sink->spans.clear();
        auto traces = ct::TraceService::NewStub(m_channel);
        auto metrics = cm::MetricsService::NewStub(m_channel);
        auto logs = cl::LogsService::NewStub(m_channel);
        int calls = 0;
        for (const QJsonObject &req : captureRequests(folder)) {
            const QByteArray body = readCapture(folder + u'/' + req[u"file"].toString());
            const QString path = req[u"path"].toString();
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            if (gzip)
                ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
            grpc::Status st;
            if (path.contains(u"TraceService")) {
                ct::ExportTraceServiceResponse resp;
                st = traces->Export(&ctx, parse<ct::ExportTraceServiceRequest>(body), &resp);
                QVERIFY(!resp.has_partial_success());
            } else if (path.contains(u"MetricsService")) {
                cm::ExportMetricsServiceResponse resp;
                st = metrics->Export(&ctx, parse<cm::ExportMetricsServiceRequest>(body), &resp);
                QVERIFY(!resp.has_partial_success());
            } else {
                cl::ExportLogsServiceResponse resp;
                st = logs->Export(&ctx, parse<cl::ExportLogsServiceRequest>(body), &resp);
                QVERIFY(!resp.has_partial_success());
            }
            QVERIFY2(st.ok(), st.error_message().c_str());
            ++calls;
        }
        QCOMPARE(calls, 4);
        QCOMPARE(m_sink->spans.size(), 48);
        QCOMPARE(m_sink->logs.size(), 16);
        QCOMPARE(m_sink->logs.front().stream.value(u"service_name"), QStringLiteral("corpus-shop"));

        // The orders counter is in the store with the translated name.
        auto m = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                             QStringLiteral("shop_orders_total"));
        QVERIFY(m);
        auto refs = m_storage->metrics().select({*m});
        QVERIFY(refs);
        QVERIFY(!refs->isEmpty());
        auto samples = m_storage->metrics().samples(refs->front().id, 0, std::numeric_limits<qint64>::max());
        QVERIFY(samples);
        QVERIFY(!samples->isEmpty());
        QVERIFY(samples->back().v >= 1);
    }

    void partialSuccessAndProfiles()
    {
        auto traces = ct::TraceService::NewStub(m_channel);
        ct::ExportTraceServiceRequest req;
        auto *ss = req.add_resource_spans()->add_scope_spans();
        ss->add_spans()->set_name("no ids");
        auto *good = ss->add_spans();
        good->set_trace_id(std::string(16, '\x01'));
        good->set_span_id(std::string(8, '\x02'));
        good->set_start_time_unix_nano(1);
        good->set_end_time_unix_nano(2);
        ct::ExportTraceServiceResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(deadline());
        QVERIFY(traces->Export(&ctx, req, &resp).ok());
        QCOMPARE(resp.partial_success().rejected_spans(), 1);
        QVERIFY(resp.partial_success().error_message().find("trace_id") != std::string::npos);

        auto profiles = cp::ProfilesService::NewStub(m_channel);
        cp::ExportProfilesServiceRequest preq;
        preq.add_resource_profiles()->add_scope_profiles()->add_profiles();
        cp::ExportProfilesServiceResponse presp;
        grpc::ClientContext pctx;
        pctx.set_deadline(deadline());
        QVERIFY(profiles->Export(&pctx, preq, &presp).ok());
        QCOMPARE(presp.partial_success().rejected_profiles(), 1);
    }

    void sinkFailuresMapToRetryableCodes()
    {
        auto logs = cl::LogsService::NewStub(m_channel);
        cl::ExportLogsServiceRequest req;
        req.add_resource_logs()->add_scope_logs()->add_log_records()->set_time_unix_nano(5);
        m_sink->refuse = Error{Error::Kind::Unavailable, QStringLiteral("the log store is not available yet"), {}, 0, 0};
        {
            cl::ExportLogsServiceResponse resp;
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            const auto st = logs->Export(&ctx, req, &resp);
            QCOMPARE(st.error_code(), grpc::StatusCode::UNAVAILABLE);
            QCOMPARE(st.error_message(), std::string("the log store is not available yet"));
        }
        m_sink->refuse = Error::io(QStringLiteral("disk full"));
        {
            cl::ExportLogsServiceResponse resp;
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            const auto st = logs->Export(&ctx, req, &resp);
            QCOMPARE(st.error_code(), grpc::StatusCode::INTERNAL);
            QVERIFY(st.error_message().find("disk full") != std::string::npos);
        }
        m_sink->refuse.reset();
    }

    void secondReceiverOnSamePortFails()
    {
        OtlpGrpcReceiver other(*m_sink);
        auto r = other.start(QStringLiteral("127.0.0.1"), m_receiver->port());
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(u"cannot listen"));
    }
};

QTEST_GUILESS_MAIN(TestOtlpGrpcReceiver)
#include "tst_otlp_grpc_receiver.moc"
