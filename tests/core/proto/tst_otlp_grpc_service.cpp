// The generated gRPC code of core/proto, end to end on loopback: a server
// built from our service classes receives the captured OTLP/gRPC messages
// sent to the exact :path the JS exporter used (from requests.jsonl), and the
// typed stubs reach the same services.

#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <chrono>

namespace collector_trace = opentelemetry::proto::collector::trace::v1;
namespace collector_metrics = opentelemetry::proto::collector::metrics::v1;
namespace collector_logs = opentelemetry::proto::collector::logs::v1;
namespace collector_profiles = opentelemetry::proto::collector::profiles::v1development;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

class TraceService final : public collector_trace::TraceService::Service
{
public:
    std::atomic<int> spans{0};
    grpc::Status Export(grpc::ServerContext *, const collector_trace::ExportTraceServiceRequest *req,
                        collector_trace::ExportTraceServiceResponse *resp) override
    {
        for (const auto &rs : req->resource_spans())
            for (const auto &ss : rs.scope_spans())
                spans += ss.spans_size();
        // A warning-only partial success: nothing rejected, message set.
        resp->mutable_partial_success()->set_error_message("seen");
        return grpc::Status::OK;
    }
};

class MetricsService final : public collector_metrics::MetricsService::Service
{
public:
    std::atomic<int> metrics{0};
    grpc::Status Export(grpc::ServerContext *, const collector_metrics::ExportMetricsServiceRequest *req,
                        collector_metrics::ExportMetricsServiceResponse *) override
    {
        for (const auto &rm : req->resource_metrics())
            for (const auto &sm : rm.scope_metrics())
                metrics += sm.metrics_size();
        return grpc::Status::OK;
    }
};

class LogsService final : public collector_logs::LogsService::Service
{
public:
    std::atomic<int> records{0};
    grpc::Status Export(grpc::ServerContext *, const collector_logs::ExportLogsServiceRequest *req,
                        collector_logs::ExportLogsServiceResponse *resp) override
    {
        for (const auto &rl : req->resource_logs())
            for (const auto &sl : rl.scope_logs())
                records += sl.log_records_size();
        resp->mutable_partial_success()->set_rejected_log_records(0);
        return grpc::Status::OK;
    }
};

class ProfilesService final : public collector_profiles::ProfilesService::Service
{
public:
    grpc::Status Export(grpc::ServerContext *, const collector_profiles::ExportProfilesServiceRequest *req,
                        collector_profiles::ExportProfilesServiceResponse *resp) override
    {
        if (req->dictionary().string_table_size() == 0)
            return {grpc::StatusCode::INVALID_ARGUMENT, "empty string table"};
        resp->mutable_partial_success()->set_rejected_profiles(req->resource_profiles_size());
        resp->mutable_partial_success()->set_error_message("profiles are not stored yet");
        return grpc::Status::OK;
    }
};

std::chrono::system_clock::time_point deadline() { return std::chrono::system_clock::now() + std::chrono::seconds(30); }

} // namespace

class TestOtlpGrpcService : public QObject
{
    Q_OBJECT
private:
    TraceService m_trace;
    MetricsService m_metrics;
    LogsService m_logs;
    ProfilesService m_profiles;
    std::unique_ptr<grpc::Server> m_server;
    std::shared_ptr<grpc::Channel> m_channel;

private slots:
    void initTestCase()
    {
        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(&m_trace);
        builder.RegisterService(&m_metrics);
        builder.RegisterService(&m_logs);
        builder.RegisterService(&m_profiles);
        m_server = builder.BuildAndStart();
        QVERIFY(m_server);
        QVERIFY(port > 0);
        m_channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
    }

    void cleanupTestCase()
    {
        if (m_server) {
            m_server->Shutdown();
            m_server->Wait();
        }
    }

    // Replays the uncompressed captures byte for byte to the recorded :path.
    void capturedRequestsReachOurServices()
    {
        const QString dir = QString::fromUtf8(SPYGLASS_CORPUS_DIR "/captures/otlp-grpc/");
        grpc::GenericStub stub(m_channel);
        int calls = 0;
        for (const QByteArray &line : readAll(dir + u"requests.jsonl").split('\n')) {
            const QJsonObject request = QJsonDocument::fromJson(line).object();
            if (request.isEmpty())
                continue;
            const QByteArray body = readAll(dir + request.value(u"file").toString());
            QVERIFY(body.size() > 5);
            QCOMPARE(body.at(0), '\0'); // not compressed
            const QByteArray message = body.mid(5);

            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            grpc::Slice slice(message.constData(), size_t(message.size()));
            grpc::ByteBuffer requestBuffer(&slice, 1);
            grpc::CompletionQueue cq;
            auto call = stub.PrepareUnaryCall(&ctx, request.value(u"path").toString().toStdString(),
                                              requestBuffer, &cq);
            QVERIFY(call);
            call->StartCall();
            grpc::ByteBuffer responseBuffer;
            grpc::Status status;
            call->Finish(&responseBuffer, &status, reinterpret_cast<void *>(1));
            void *tag = nullptr;
            bool ok = false;
            QVERIFY(cq.Next(&tag, &ok));
            QVERIFY(ok);
            QVERIFY2(status.ok(), status.error_message().c_str());

            std::vector<grpc::Slice> slices;
            QVERIFY(responseBuffer.Dump(&slices).ok());
            std::string response;
            for (const auto &s : slices)
                response.append(reinterpret_cast<const char *>(s.begin()), s.size());
            if (request.value(u"path").toString().contains(u"TraceService")) {
                collector_trace::ExportTraceServiceResponse parsed;
                QVERIFY(parsed.ParseFromString(response));
                QCOMPARE(parsed.partial_success().error_message(), std::string("seen"));
                QCOMPARE(parsed.partial_success().rejected_spans(), 0);
            }
            ++calls;
            cq.Shutdown();
        }
        QCOMPARE(calls, 4);
        QCOMPARE(m_trace.spans.load(), 48);
        QCOMPARE(m_metrics.metrics.load(), 18 + 20);
        QCOMPARE(m_logs.records.load(), 16);
    }

    void typedStubs()
    {
        auto traceStub = collector_trace::TraceService::NewStub(m_channel);
        collector_trace::ExportTraceServiceRequest traceRequest;
        traceRequest.add_resource_spans()->add_scope_spans()->add_spans()->set_name("one");
        collector_trace::ExportTraceServiceResponse traceResponse;
        const int before = m_trace.spans.load();
        grpc::ClientContext traceCtx;
        traceCtx.set_deadline(deadline());
        QVERIFY(traceStub->Export(&traceCtx, traceRequest, &traceResponse).ok());
        QCOMPARE(m_trace.spans.load(), before + 1);
        QVERIFY(traceResponse.has_partial_success());

        auto profilesStub = collector_profiles::ProfilesService::NewStub(m_channel);
        collector_profiles::ExportProfilesServiceRequest profilesRequest;
        collector_profiles::ExportProfilesServiceResponse profilesResponse;
        {
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            const grpc::Status status = profilesStub->Export(&ctx, profilesRequest, &profilesResponse);
            QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
            QCOMPARE(status.error_message(), std::string("empty string table"));
        }
        profilesRequest.mutable_dictionary()->add_string_table("");
        profilesRequest.add_resource_profiles()->add_scope_profiles()->add_profiles();
        {
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            QVERIFY(profilesStub->Export(&ctx, profilesRequest, &profilesResponse).ok());
            QCOMPARE(profilesResponse.partial_success().rejected_profiles(), 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestOtlpGrpcService)
#include "tst_otlp_grpc_service.moc"
