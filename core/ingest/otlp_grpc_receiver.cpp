#include "core/ingest/otlp_grpc_receiver.h"

#include "core/ingest/in_flight_limiter.h"
#include "core/ingest/ingest_logging.h"
#include "core/ingest/ingest_sink.h"
#include "core/ingest/otlp_logs_converter.h"
#include "core/ingest/otlp_metrics_converter.h"
#include "core/ingest/otlp_profiles_converter.h"
#include "core/api/http_server.h"
#include "core/ingest/otlp_traces_converter.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <chrono>

namespace spyglass::ingest {

namespace cm = opentelemetry::proto::collector::metrics::v1;
namespace cl = opentelemetry::proto::collector::logs::v1;
namespace ct = opentelemetry::proto::collector::trace::v1;
namespace cp = opentelemetry::proto::collector::profiles::v1development;

namespace {

grpc::Status sinkStatus(const Error &e)
{
    if (e.kind == Error::Kind::Unavailable)
        return {grpc::StatusCode::UNAVAILABLE, e.message.toStdString()};
    qCWarning(lcIngest) << "OTLP/gRPC: storing failed:" << e.toString();
    return {grpc::StatusCode::INTERNAL, QStringLiteral("storing failed: %1").arg(e.toString()).toStdString()};
}

grpc::Status busy(const InFlightLimiter &l)
{
    return {grpc::StatusCode::UNAVAILABLE,
            QStringLiteral("too many export calls in flight (%1); retry later").arg(l.limit()).toStdString()};
}

template <typename PartialSuccess>
void setMessage(PartialSuccess *ps, const QStringList &problems)
{
    ps->set_error_message(problems.join(QStringLiteral("; ")).toStdString());
}

struct Common
{
    Common(IngestSink &s, int maxInFlight, QByteArray token)
        : sink(s), limiter(maxInFlight), bearerToken(std::move(token))
    {
    }
    IngestSink &sink;
    InFlightLimiter limiter;
    OtlpMetricsConverter metrics;
    QByteArray bearerToken;
};

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// With a token set, every call needs `authorization: Bearer <token>` in its
// metadata (what OTLP exporters send with a `headers` setting).
std::optional<grpc::Status> unauthenticated(const Common &c, const grpc::ServerContext *ctx)
{
    if (c.bearerToken.isEmpty())
        return std::nullopt;
    const auto &md = ctx->client_metadata();
    const auto it = md.find("authorization");
    if (it != md.end()) {
        const QByteArrayView v(it->second.data(), qsizetype(it->second.size()));
        if (v.size() > 7 && QByteArrayView(v.first(7)).compare("Bearer ", Qt::CaseInsensitive) == 0
            && constantTimeEquals(v.sliced(7).trimmed(), c.bearerToken))
            return std::nullopt;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a valid bearer token is required (metadata \"authorization: Bearer <token>\")");
}

class TraceService final : public ct::TraceService::Service
{
public:
    explicit TraceService(Common &c) : m_c(c) {}
    grpc::Status Export(grpc::ServerContext *ctx, const ct::ExportTraceServiceRequest *req,
                        ct::ExportTraceServiceResponse *resp) override
    {
        if (auto denied = unauthenticated(m_c, ctx))
            return *denied;
        auto permit = m_c.limiter.tryAcquire();
        if (!permit)
            return busy(m_c.limiter);
        const SpansConversion c = OtlpTracesConverter::convert(*req);
        auto r = m_c.sink.appendSpans(c.spans);
        if (!r)
            return sinkStatus(r.error());
        QStringList problems = c.problems;
        if (!r->reason.isEmpty())
            noteProblem(problems, r->reason);
        if (c.rejectedSpans + r->rejected > 0 || !problems.isEmpty()) {
            resp->mutable_partial_success()->set_rejected_spans(c.rejectedSpans + r->rejected);
            setMessage(resp->mutable_partial_success(), problems);
        }
        return grpc::Status::OK;
    }

private:
    Common &m_c;
};

class MetricsService final : public cm::MetricsService::Service
{
public:
    explicit MetricsService(Common &c) : m_c(c) {}
    grpc::Status Export(grpc::ServerContext *ctx, const cm::ExportMetricsServiceRequest *req,
                        cm::ExportMetricsServiceResponse *resp) override
    {
        if (auto denied = unauthenticated(m_c, ctx))
            return *denied;
        auto permit = m_c.limiter.tryAcquire();
        if (!permit)
            return busy(m_c.limiter);
        const MetricsConversion c = m_c.metrics.convert(*req);
        auto r = m_c.sink.appendSamples(c.series);
        if (!r)
            return sinkStatus(r.error());
        if (!c.exemplars.isEmpty())
            if (auto e = m_c.sink.appendExemplars(c.exemplars); !e)
                qCWarning(lcIngest) << "OTLP/gRPC: exemplars not stored:" << e.error().toString();
        QStringList problems = c.problems;
        if (!r->reason.isEmpty())
            noteProblem(problems, r->reason);
        if (c.rejectedPoints + r->rejected > 0 || !problems.isEmpty()) {
            resp->mutable_partial_success()->set_rejected_data_points(c.rejectedPoints + r->rejected);
            setMessage(resp->mutable_partial_success(), problems);
        }
        return grpc::Status::OK;
    }

private:
    Common &m_c;
};

class LogsService final : public cl::LogsService::Service
{
public:
    explicit LogsService(Common &c) : m_c(c) {}
    grpc::Status Export(grpc::ServerContext *ctx, const cl::ExportLogsServiceRequest *req,
                        cl::ExportLogsServiceResponse *resp) override
    {
        if (auto denied = unauthenticated(m_c, ctx))
            return *denied;
        auto permit = m_c.limiter.tryAcquire();
        if (!permit)
            return busy(m_c.limiter);
        const LogsConversion c = OtlpLogsConverter::convert(*req);
        auto r = m_c.sink.appendLogs(c.records);
        if (!r)
            return sinkStatus(r.error());
        QStringList problems = c.problems;
        if (!r->reason.isEmpty())
            noteProblem(problems, r->reason);
        if (c.rejectedRecords + r->rejected > 0 || !problems.isEmpty()) {
            resp->mutable_partial_success()->set_rejected_log_records(c.rejectedRecords + r->rejected);
            setMessage(resp->mutable_partial_success(), problems);
        }
        return grpc::Status::OK;
    }

private:
    Common &m_c;
};

class ProfilesService final : public cp::ProfilesService::Service
{
public:
    explicit ProfilesService(Common &c) : m_c(c) {}
    grpc::Status Export(grpc::ServerContext *ctx, const cp::ExportProfilesServiceRequest *req,
                        cp::ExportProfilesServiceResponse *resp) override
    {
        if (auto denied = unauthenticated(m_c, ctx))
            return *denied;
        auto permit = m_c.limiter.tryAcquire();
        if (!permit)
            return busy(m_c.limiter);
        const ProfilesConversion c = OtlpProfilesConverter::convert(*req);
        AppendCounts counts;
        if (!c.profiles.isEmpty()) {
            auto r = m_c.sink.appendProfiles(c.profiles);
            if (!r)
                return sinkStatus(r.error());
            counts = *r;
        }
        QStringList problems = c.problems;
        if (!counts.reason.isEmpty())
            noteProblem(problems, counts.reason);
        if (c.rejectedProfiles + counts.rejected > 0 || !problems.isEmpty()) {
            resp->mutable_partial_success()->set_rejected_profiles(c.rejectedProfiles + counts.rejected);
            setMessage(resp->mutable_partial_success(), problems);
        }
        return grpc::Status::OK;
    }

private:
    Common &m_c;
};

} // namespace

struct OtlpGrpcReceiver::Impl
{
    Impl(IngestSink &sink, OtlpGrpcOptions o)
        : options(o), common(sink, o.maxInFlight, o.bearerToken), traces(common), metrics(common), logs(common),
          profiles(common)
    {
    }
    OtlpGrpcOptions options;
    Common common;
    TraceService traces;
    MetricsService metrics;
    LogsService logs;
    ProfilesService profiles;
    std::unique_ptr<grpc::Server> server;
    quint16 port = 0;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(IngestSink &sink, OtlpGrpcOptions options)
    : m_impl(std::make_unique<Impl>(sink, options))
{
}

OtlpGrpcReceiver::~OtlpGrpcReceiver()
{
    stop();
}

Result<quint16> OtlpGrpcReceiver::start(const QString &address, quint16 port)
{
    if (m_impl->server)
        return fail(Error::invalid(QStringLiteral("the OTLP/gRPC receiver is already running")));
    if (!api::HttpServer::isLoopbackAddress(address) && m_impl->options.bearerToken.isEmpty())
        return fail(Error::invalid(QStringLiteral("refusing to serve OTLP/gRPC on %1 without a bearer token: only "
                                                  "loopback addresses may be used without one")
                                       .arg(address)));
    const QString host = address.contains(u':') && !address.startsWith(u'[') ? u'[' + address + u']' : address;
    const std::string target = QStringLiteral("%1:%2").arg(host).arg(port).toStdString();
    grpc::ServerBuilder builder;
    int bound = 0;
    builder.AddListeningPort(target, grpc::InsecureServerCredentials(), &bound);
    builder.SetMaxReceiveMessageSize(m_impl->options.maxMessageBytes);
    // gRPC sets SO_REUSEPORT by default: a second server on a taken port
    // would "succeed" and silently share the traffic.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.RegisterService(&m_impl->traces);
    builder.RegisterService(&m_impl->metrics);
    builder.RegisterService(&m_impl->logs);
    builder.RegisterService(&m_impl->profiles);
    m_impl->server = builder.BuildAndStart();
    if (!m_impl->server || bound == 0) {
        m_impl->server.reset();
        return fail(Error::io(QStringLiteral("OTLP/gRPC: cannot listen on %1 (address in use or not available)")
                                  .arg(QString::fromStdString(target))));
    }
    m_impl->port = quint16(bound);
    return m_impl->port;
}

void OtlpGrpcReceiver::stop()
{
    if (!m_impl->server)
        return;
    m_impl->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    m_impl->server->Wait();
    m_impl->server.reset();
}

bool OtlpGrpcReceiver::isRunning() const
{
    return m_impl->server != nullptr;
}

quint16 OtlpGrpcReceiver::port() const
{
    return m_impl->port;
}

} // namespace spyglass::ingest
