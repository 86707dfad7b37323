#include "core/ingest/otlp_logs_converter.h"

#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_values.h"
#include "core/ingest/prometheus_naming.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

#include <QSet>

namespace spyglass::ingest {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using otlp::qs;

namespace {

// Loki 3's default_resource_attributes_as_index_labels.
const QSet<QByteArray> &indexedResourceAttributes()
{
    static const QSet<QByteArray> s{
        "service.name",       "service.namespace",     "service.instance.id",  "deployment.environment",
        "deployment.environment.name", "cloud.region", "cloud.availability_zone", "k8s.cluster.name",
        "k8s.namespace.name", "k8s.pod.name",          "k8s.container.name",   "container.name",
        "k8s.replicaset.name", "k8s.deployment.name",  "k8s.statefulset.name", "k8s.daemonset.name",
        "k8s.cronjob.name",   "k8s.job.name",
    };
    return s;
}

QString normalisedLevel(const QString &severityText, int number)
{
    const QString t = severityText.trimmed().toLower();
    if (!t.isEmpty()) {
        if (t.startsWith(u"warn"))
            return QStringLiteral("warn");
        if (t.startsWith(u"err"))
            return QStringLiteral("error");
        if (t.startsWith(u"crit") || t.startsWith(u"fatal") || t == u"panic")
            return QStringLiteral("fatal");
        if (t.startsWith(u"info") || t == u"notice")
            return QStringLiteral("info");
        if (t.startsWith(u"debug") || t == u"dbg")
            return QStringLiteral("debug");
        if (t.startsWith(u"trace"))
            return QStringLiteral("trace");
    }
    const QString fromNumber = OtlpLogsConverter::levelForSeverityNumber(number);
    return fromNumber.isEmpty() ? (t.isEmpty() ? QStringLiteral("unknown") : t) : fromNumber;
}

} // namespace

QString OtlpLogsConverter::levelForSeverityNumber(int n)
{
    if (n >= 1 && n <= 4)
        return QStringLiteral("trace");
    if (n >= 5 && n <= 8)
        return QStringLiteral("debug");
    if (n >= 9 && n <= 12)
        return QStringLiteral("info");
    if (n >= 13 && n <= 16)
        return QStringLiteral("warn");
    if (n >= 17 && n <= 20)
        return QStringLiteral("error");
    if (n >= 21 && n <= 24)
        return QStringLiteral("fatal");
    return {};
}

LogsConversion OtlpLogsConverter::convert(const ExportLogsServiceRequest &request)
{
    LogsConversion out;
    for (const auto &rl : request.resource_logs()) {
        QList<model::Label> stream;
        QList<model::Label> resourceMeta;
        bool haveService = false;
        for (const auto &kv : rl.resource().attributes()) {
            const QString v = otlp::anyValueText(kv.value());
            if (v.isEmpty())
                continue;
            const QString name = prometheusLabelName(qs(kv.key()));
            if (indexedResourceAttributes().contains(QByteArray::fromStdString(kv.key()))) {
                stream.append({name, v});
                haveService |= kv.key() == "service.name";
            } else {
                resourceMeta.append({name, v});
            }
        }
        if (!haveService)
            stream.append({QStringLiteral("service_name"), QStringLiteral("unknown_service")});

        for (const auto &sl : rl.scope_logs()) {
            QList<model::Label> scopeMeta;
            if (!sl.scope().name().empty())
                scopeMeta.append({QStringLiteral("scope_name"), qs(sl.scope().name())});
            if (!sl.scope().version().empty())
                scopeMeta.append({QStringLiteral("scope_version"), qs(sl.scope().version())});

            for (const auto &r : sl.log_records()) {
                model::LogRecord rec;
                const std::uint64_t ns = r.time_unix_nano() ? r.time_unix_nano() : r.observed_time_unix_nano();
                if (ns == 0 || ns > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
                    ++out.rejectedRecords;
                    noteProblem(out.problems,
                                QStringLiteral("a log record without time_unix_nano and observed_time_unix_nano was dropped"));
                    continue;
                }
                rec.time = model::TimestampNs(ns);
                rec.line = otlp::anyValueText(r.body());
                rec.severity = qs(r.severity_text());
                if (rec.severity.isEmpty())
                    rec.severity = levelForSeverityNumber(r.severity_number()).toUpper();

                QList<model::Label> s = stream;
                s.append({QStringLiteral("level"), normalisedLevel(qs(r.severity_text()), r.severity_number())});
                rec.stream = model::Labels(s);

                QList<model::Label> meta = resourceMeta;
                meta.append(scopeMeta);
                for (const auto &kv : r.attributes()) {
                    const QString v = otlp::anyValueText(kv.value());
                    if (!v.isEmpty())
                        meta.append({prometheusLabelName(qs(kv.key())), v});
                }
                if (!r.severity_text().empty())
                    meta.append({QStringLiteral("severity_text"), qs(r.severity_text())});
                if (r.severity_number() != 0)
                    meta.append({QStringLiteral("severity_number"), QString::number(int(r.severity_number()))});
                if (!r.trace_id().empty())
                    meta.append({QStringLiteral("trace_id"), otlp::hexId(r.trace_id())});
                if (!r.span_id().empty())
                    meta.append({QStringLiteral("span_id"), otlp::hexId(r.span_id())});
                if (r.flags() != 0)
                    meta.append({QStringLiteral("flags"), QString::number(r.flags())});
                if (!r.event_name().empty())
                    meta.append({QStringLiteral("event_name"), qs(r.event_name())});
                if (r.observed_time_unix_nano() != 0)
                    meta.append({QStringLiteral("observed_timestamp"), QString::number(r.observed_time_unix_nano())});
                rec.structuredMetadata = model::Labels(meta);
                out.records.append(std::move(rec));
            }
        }
    }
    return out;
}

Result<LogsConversion> OtlpLogsConverter::decode(QByteArrayView body, PayloadEncoding encoding)
{
    ExportLogsServiceRequest req;
    if (encoding == PayloadEncoding::Json) {
        if (auto r = OtlpJsonDecoder::decode(body, req); !r)
            return fail(r.error());
    } else if (!req.ParseFromArray(body.data(), int(body.size()))) {
        return fail(Error::badData(
            QStringLiteral("the body is not a valid protobuf ExportLogsServiceRequest (%1 bytes)").arg(body.size())));
    }
    return convert(req);
}

} // namespace spyglass::ingest
