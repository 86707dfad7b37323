#include "core/ingest/http_ingest_receiver.h"

#include "core/ingest/in_flight_limiter.h"
#include "core/ingest/ingest_logging.h"
#include "core/ingest/ingest_sink.h"
#include "core/ingest/loki_push_converter.h"
#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_logs_converter.h"
#include "core/ingest/otlp_metrics_converter.h"
#include "core/ingest/otlp_profiles_converter.h"
#include "core/ingest/otlp_traces_converter.h"
#include "core/ingest/remote_write_converter.h"
#include "core/ingest/snappy_codec.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace spyglass::ingest {

using api::HttpRequest;
using api::HttpResponse;
namespace cm = opentelemetry::proto::collector::metrics::v1;
namespace cl = opentelemetry::proto::collector::logs::v1;
namespace ct = opentelemetry::proto::collector::trace::v1;
namespace cp = opentelemetry::proto::collector::profiles::v1development;

namespace {

// google.rpc.Code values used in Status bodies.
enum RpcCode { kInvalidArgument = 3, kResourceExhausted = 8, kInternal = 13, kUnavailable = 14 };

struct Shared
{
    Shared(IngestSink &s, HttpIngestOptions o) : sink(s), options(o), limiter(o.maxInFlight) {}
    IngestSink &sink;
    HttpIngestOptions options;
    InFlightLimiter limiter;
    OtlpMetricsConverter metrics; // keeps DELTA running totals across requests
};

void appendVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out += char(v | 0x80);
        v >>= 7;
    }
    out += char(v);
}

// google.rpc.Status {int32 code = 1; string message = 2;} written by hand:
// the one message OTLP/HTTP needs from googleapis.
QByteArray statusProtobuf(int code, const QString &message)
{
    QByteArray out;
    out += char(0x08);
    appendVarint(out, quint64(code));
    const QByteArray m = message.toUtf8();
    out += char(0x12);
    appendVarint(out, quint64(m.size()));
    out += m;
    return out;
}

HttpResponse otlpError(int status, int rpcCode, const QString &message, PayloadEncoding enc, int retryAfter = 0)
{
    HttpResponse r;
    r.status = status;
    if (enc == PayloadEncoding::Json) {
        r.contentType = "application/json";
        r.body = QJsonDocument(QJsonObject{{QStringLiteral("code"), rpcCode}, {QStringLiteral("message"), message}})
                     .toJson(QJsonDocument::Compact);
    } else {
        r.contentType = "application/x-protobuf";
        r.body = statusProtobuf(rpcCode, message);
    }
    if (retryAfter > 0)
        r.setHeader("Retry-After", QByteArray::number(retryAfter));
    return r;
}

HttpResponse plainError(int status, const QString &message, int retryAfter = 0)
{
    HttpResponse r = HttpResponse::text(status, message.toUtf8() + '\n');
    if (retryAfter > 0)
        r.setHeader("Retry-After", QByteArray::number(retryAfter));
    return r;
}

// The response for a sink failure: retryable when the sink says so.
template <typename ErrorResponder>
HttpResponse sinkFailure(const Error &e, const Shared &sh, ErrorResponder respond)
{
    if (e.kind == Error::Kind::Unavailable)
        return respond(503, kUnavailable, e.message, sh.options.retryAfterSeconds);
    qCWarning(lcIngest) << "ingest: storing failed:" << e.toString();
    return respond(500, kInternal, QStringLiteral("storing failed: %1").arg(e.toString()), 0);
}

// Exemplars ride along with their samples: once the samples are durable a
// failure to keep an exemplar is logged, never turned into a failed request.
void storeExemplars(IngestSink &sink, const QList<store::SeriesExemplar> &exemplars)
{
    if (exemplars.isEmpty())
        return;
    if (auto r = sink.appendExemplars(exemplars); !r)
        qCWarning(lcIngest) << "ingest: exemplars not stored:" << r.error().toString();
}

QStringList withReason(QStringList problems, const QString &reason)
{
    if (!reason.isEmpty())
        noteProblem(problems, reason);
    return problems;
}

std::optional<PayloadEncoding> otlpEncoding(const HttpRequest &req)
{
    const QByteArray ct = req.contentType();
    if (ct == "application/x-protobuf" || ct == "application/protobuf")
        return PayloadEncoding::Protobuf;
    if (ct == "application/json")
        return PayloadEncoding::Json;
    return std::nullopt;
}

// Serialises an Export*ServiceResponse in the request's encoding. JSON is
// written by hand: lowerCamelCase and int64 as strings, as OTLP/JSON wants.
template <typename Response>
HttpResponse otlpSuccess(PayloadEncoding enc, std::int64_t rejected, const QStringList &problems,
                         const char *rejectedJsonKey, void (*setRejected)(Response &, std::int64_t))
{
    HttpResponse r;
    r.status = 200;
    const QString message = problems.join(QStringLiteral("; "));
    if (enc == PayloadEncoding::Json) {
        r.contentType = "application/json";
        QJsonObject o;
        if (rejected > 0 || !message.isEmpty()) {
            QJsonObject ps;
            if (rejected > 0)
                ps.insert(QLatin1String(rejectedJsonKey), QString::number(rejected));
            if (!message.isEmpty())
                ps.insert(QStringLiteral("errorMessage"), message);
            o.insert(QStringLiteral("partialSuccess"), ps);
        }
        r.body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    } else {
        r.contentType = "application/x-protobuf";
        Response resp;
        if (rejected > 0 || !message.isEmpty()) {
            setRejected(resp, rejected);
            resp.mutable_partial_success()->set_error_message(message.toStdString());
        }
        const std::string bytes = resp.SerializeAsString();
        r.body = QByteArray(bytes.data(), qsizetype(bytes.size()));
    }
    return r;
}

// Common frame of the OTLP handlers: content type, overload, decode, store.
template <typename Decode, typename Store>
HttpResponse handleOtlp(const HttpRequest &req, Shared &sh, const char *signal, Decode decode, Store store)
{
    const auto enc = otlpEncoding(req);
    if (!enc)
        return otlpError(415, kInvalidArgument,
                         QStringLiteral("unsupported Content-Type \"%1\": OTLP/HTTP takes application/x-protobuf or "
                                        "application/json")
                             .arg(QString::fromLatin1(req.header("Content-Type"))),
                         PayloadEncoding::Json);
    auto permit = sh.limiter.tryAcquire();
    if (!permit)
        return otlpError(429, kResourceExhausted,
                         QStringLiteral("too many %1 requests in flight (%2); retry later")
                             .arg(QLatin1String(signal))
                             .arg(sh.limiter.limit()),
                         *enc, sh.options.retryAfterSeconds);
    auto converted = decode(req.body, *enc);
    if (!converted)
        return otlpError(400, kInvalidArgument, converted.error().message, *enc);
    return store(*converted, *enc);
}

} // namespace

void HttpIngestReceiver::registerRoutes(api::Router &router, IngestSink &sink, HttpIngestOptions options)
{
    auto sh = std::make_shared<Shared>(sink, options);
    api::RouteOptions ro;
    ro.maxBodyBytes = options.maxBodyBytes;

    router.add("POST", QStringLiteral("/v1/metrics"), [sh](const HttpRequest &req) {
        return handleOtlp(
            req, *sh, "metrics", [&](QByteArrayView b, PayloadEncoding e) { return sh->metrics.decode(b, e); },
            [&](const MetricsConversion &c, PayloadEncoding enc) {
                auto r = sh->sink.appendSamples(c.series);
                if (!r)
                    return sinkFailure(r.error(), *sh, [&](int st, int code, const QString &m, int ra) {
                        return otlpError(st, code, m, enc, ra);
                    });
                storeExemplars(sh->sink, c.exemplars);
                return otlpSuccess<cm::ExportMetricsServiceResponse>(
                    enc, c.rejectedPoints + r->rejected, withReason(c.problems, r->reason), "rejectedDataPoints",
                    [](cm::ExportMetricsServiceResponse &r, std::int64_t n) {
                        r.mutable_partial_success()->set_rejected_data_points(n);
                    });
            });
    }, ro);

    router.add("POST", QStringLiteral("/v1/logs"), [sh](const HttpRequest &req) {
        return handleOtlp(
            req, *sh, "logs", [](QByteArrayView b, PayloadEncoding e) { return OtlpLogsConverter::decode(b, e); },
            [&](const LogsConversion &c, PayloadEncoding enc) {
                auto r = sh->sink.appendLogs(c.records);
                if (!r)
                    return sinkFailure(r.error(), *sh, [&](int st, int code, const QString &m, int ra) {
                        return otlpError(st, code, m, enc, ra);
                    });
                return otlpSuccess<cl::ExportLogsServiceResponse>(
                    enc, c.rejectedRecords + r->rejected, withReason(c.problems, r->reason), "rejectedLogRecords",
                    [](cl::ExportLogsServiceResponse &r, std::int64_t n) {
                        r.mutable_partial_success()->set_rejected_log_records(n);
                    });
            });
    }, ro);

    router.add("POST", QStringLiteral("/v1/traces"), [sh](const HttpRequest &req) {
        return handleOtlp(
            req, *sh, "traces", [](QByteArrayView b, PayloadEncoding e) { return OtlpTracesConverter::decode(b, e); },
            [&](const SpansConversion &c, PayloadEncoding enc) {
                auto r = sh->sink.appendSpans(c.spans);
                if (!r)
                    return sinkFailure(r.error(), *sh, [&](int st, int code, const QString &m, int ra) {
                        return otlpError(st, code, m, enc, ra);
                    });
                return otlpSuccess<ct::ExportTraceServiceResponse>(
                    enc, c.rejectedSpans + r->rejected, withReason(c.problems, r->reason), "rejectedSpans",
                    [](ct::ExportTraceServiceResponse &r, std::int64_t n) {
                        r.mutable_partial_success()->set_rejected_spans(n);
                    });
            });
    }, ro);

    router.add("POST", QStringLiteral("/v1development/profiles"), [sh](const HttpRequest &req) {
        return handleOtlp(
            req, *sh, "profiles",
            [](QByteArrayView b, PayloadEncoding e) { return OtlpProfilesConverter::decode(b, e); },
            [&](const ProfilesConversion &c, PayloadEncoding enc) {
                AppendCounts counts;
                if (!c.profiles.isEmpty()) {
                    auto r = sh->sink.appendProfiles(c.profiles);
                    if (!r)
                        return sinkFailure(r.error(), *sh, [&](int st, int code, const QString &m, int ra) {
                            return otlpError(st, code, m, enc, ra);
                        });
                    counts = *r;
                }
                return otlpSuccess<cp::ExportProfilesServiceResponse>(
                    enc, c.rejectedProfiles + counts.rejected, withReason(c.problems, counts.reason),
                    "rejectedProfiles", [](cp::ExportProfilesServiceResponse &r, std::int64_t n) {
                        r.mutable_partial_success()->set_rejected_profiles(n);
                    });
            });
    }, ro);

    router.add("POST", QStringLiteral("/api/v1/write"), [sh](const HttpRequest &req) {
        const QByteArray ct = req.contentType();
        if (!ct.isEmpty() && ct != "application/x-protobuf")
            return plainError(415, QStringLiteral("unsupported Content-Type \"%1\": remote_write takes "
                                                  "snappy-compressed application/x-protobuf")
                                       .arg(QString::fromLatin1(req.header("Content-Type"))));
        const QByteArray enc = req.header("Content-Encoding").trimmed().toLower();
        if (!enc.isEmpty() && enc != "snappy")
            return plainError(415, QStringLiteral("unsupported Content-Encoding \"%1\": remote_write bodies are "
                                                  "snappy block-compressed")
                                       .arg(QString::fromLatin1(enc)));
        const QByteArray version = req.header("X-Prometheus-Remote-Write-Version");
        if (!version.isEmpty() && !version.startsWith("0.1"))
            return plainError(400, QStringLiteral("unsupported remote_write version %1 (this receiver speaks 0.1.0)")
                                       .arg(QString::fromLatin1(version)));
        auto permit = sh->limiter.tryAcquire();
        if (!permit)
            return plainError(429, QStringLiteral("too many write requests in flight; retry later"),
                              sh->options.retryAfterSeconds);
        bool tooLarge = false;
        auto raw = SnappyCodec::decompress(req.body, sh->options.maxBodyBytes, &tooLarge);
        if (!raw)
            return plainError(tooLarge ? 413 : 400, raw.error().message);
        auto c = RemoteWriteConverter::decode(*raw);
        if (!c)
            return plainError(400, c.error().message);
        if (auto r = sh->sink.appendSamples(c->series); !r)
            return sinkFailure(r.error(), *sh,
                               [](int st, int, const QString &m, int ra) { return plainError(st, m, ra); });
        storeExemplars(sh->sink, c->exemplars);
        // Like Prometheus: what was valid is stored, the rest is a 400 so
        // the sender logs it and does not retry.
        if (c->rejectedPoints > 0)
            return plainError(400, QStringLiteral("%1 samples rejected: %2")
                                       .arg(c->rejectedPoints)
                                       .arg(c->problems.join(QStringLiteral("; "))));
        HttpResponse ok;
        ok.status = 204;
        return ok;
    }, ro);

    router.add("POST", QStringLiteral("/loki/api/v1/push"), [sh](const HttpRequest &req) {
        const QByteArray ct = req.contentType();
        auto permit = sh->limiter.tryAcquire();
        if (!permit)
            return plainError(429, QStringLiteral("too many push requests in flight; retry later"),
                              sh->options.retryAfterSeconds);
        Result<LogsConversion> c;
        if (ct == "application/json") {
            c = LokiPushConverter::decodeJson(req.body);
        } else if (ct.isEmpty() || ct == "application/x-protobuf") {
            bool tooLarge = false;
            auto raw = SnappyCodec::decompress(req.body, sh->options.maxBodyBytes, &tooLarge);
            if (!raw)
                return plainError(tooLarge ? 413 : 400, raw.error().message);
            c = LokiPushConverter::decodeProtobuf(*raw);
        } else {
            return plainError(415, QStringLiteral("unsupported Content-Type \"%1\": Loki push takes application/json "
                                                  "or snappy-compressed application/x-protobuf")
                                       .arg(QString::fromLatin1(req.header("Content-Type"))));
        }
        if (!c)
            return plainError(400, c.error().message);
        if (auto r = sh->sink.appendLogs(c->records); !r)
            return sinkFailure(r.error(), *sh,
                               [](int st, int, const QString &m, int ra) { return plainError(st, m, ra); });
        HttpResponse ok;
        ok.status = 204;
        return ok;
    }, ro);
}

} // namespace spyglass::ingest
