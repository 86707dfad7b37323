#include "core/ingest/file_importer.h"

#include "core/formats/cpuprofile_reader.h"
#include "core/formats/folded_reader.h"
#include "core/formats/metrics_importer.h"
#include "core/formats/perf_script_reader.h"
#include "core/formats/pprof_reader.h"
#include "core/ingest/otlp_logs_converter.h"
#include "core/ingest/otlp_metrics_converter.h"
#include "core/ingest/otlp_traces_converter.h"
#include "core/ingest/otlp_profiles_converter.h"
#include "core/formats/jaeger_json_reader.h"
#include "core/formats/log_lines_reader.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.pb.h"
#include "core/ingest/series_builder.h"
#include "core/ingest/storage_sink.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "core/store/storage.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace spyglass::ingest {

namespace {

enum class OtlpSignal { Unknown, Metrics, Logs, Traces, Profiles };

// Everything decoded from one file, stored only once decoding succeeded.
struct Decoded
{
    SeriesBuilder samples;
    QList<model::LogRecord> logs;
    QList<model::Span> spans;
    QList<model::Profile> profiles;
    std::int64_t rejected = 0;
    QStringList problems;
};

void addProblems(Decoded &d, std::int64_t rejected, const QStringList &problems)
{
    d.rejected += rejected;
    for (const auto &p : problems)
        noteProblem(d.problems, p);
}

// Line and column (1-based) of a byte offset, for JSON errors.
std::pair<int, int> lineColumn(const QByteArray &data, qsizetype offset)
{
    offset = std::clamp<qsizetype>(offset, 0, data.size());
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (data[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    return {line, int(offset - lineStart) + 1};
}

Error jsonError(const QByteArray &data, const QString &name, const QJsonParseError &pe)
{
    auto [line, col] = lineColumn(data, pe.offset);
    return Error::at(name, line, col, QStringLiteral("invalid JSON: %1").arg(pe.errorString()));
}

QByteArray headOf(const QByteArray &data, qsizetype n = 4096) { return data.left(n); }

QByteArrayView trimmedView(const QByteArray &data)
{
    QByteArrayView v(data);
    // A UTF-8 BOM is not content.
    if (v.startsWith("\xEF\xBB\xBF"))
        v = v.sliced(3);
    return v.trimmed();
}

OtlpSignal signalFromName(const QString &name)
{
    const QString base = QFileInfo(name).fileName().toLower();
    if (base.contains(u"metric"))
        return OtlpSignal::Metrics;
    if (base.contains(u"log"))
        return OtlpSignal::Logs;
    if (base.contains(u"trace") || base.contains(u"span"))
        return OtlpSignal::Traces;
    if (base.contains(u"profile"))
        return OtlpSignal::Profiles;
    return OtlpSignal::Unknown;
}

OtlpSignal signalFromJsonKeys(const QJsonObject &o)
{
    if (o.contains(u"resourceMetrics") || o.contains(u"resource_metrics"))
        return OtlpSignal::Metrics;
    if (o.contains(u"resourceLogs") || o.contains(u"resource_logs"))
        return OtlpSignal::Logs;
    if (o.contains(u"resourceSpans") || o.contains(u"resource_spans"))
        return OtlpSignal::Traces;
    if (o.contains(u"resourceProfiles") || o.contains(u"resource_profiles"))
        return OtlpSignal::Profiles;
    return OtlpSignal::Unknown;
}

bool isOtlpJsonObject(const QJsonObject &o)
{
    return signalFromJsonKeys(o) != OtlpSignal::Unknown || o.contains(u"resourceProfiles")
        || o.contains(u"resource_profiles");
}

// Whether a protobuf body parses as the given OTLP request with plausible
// content. Protobuf parsing is lenient (wrong wire types become unknown
// fields), so plausibility checks tell the three requests and pprof apart.
bool plausibleOtlp(QByteArrayView body, OtlpSignal signal)
{
    namespace cm = opentelemetry::proto::collector::metrics::v1;
    namespace cl = opentelemetry::proto::collector::logs::v1;
    namespace ct = opentelemetry::proto::collector::trace::v1;
    switch (signal) {
    case OtlpSignal::Traces: {
        ct::ExportTraceServiceRequest r;
        if (!r.ParseFromArray(body.data(), int(body.size())))
            return false;
        int n = 0;
        for (const auto &rs : r.resource_spans())
            for (const auto &ss : rs.scope_spans())
                for (const auto &s : ss.spans()) {
                    if (s.trace_id().size() != 16 || s.span_id().size() != 8)
                        return false;
                    ++n;
                }
        return n > 0;
    }
    case OtlpSignal::Logs: {
        cl::ExportLogsServiceRequest r;
        if (!r.ParseFromArray(body.data(), int(body.size())))
            return false;
        int n = 0;
        for (const auto &rl : r.resource_logs())
            for (const auto &sl : rl.scope_logs())
                for (const auto &l : sl.log_records()) {
                    if (!l.GetReflection()->GetUnknownFields(l).empty() || (l.time_unix_nano() == 0 && l.observed_time_unix_nano() == 0))
                        return false;
                    ++n;
                }
        return n > 0;
    }
    case OtlpSignal::Metrics: {
        cm::ExportMetricsServiceRequest r;
        if (!r.ParseFromArray(body.data(), int(body.size())))
            return false;
        int n = 0;
        for (const auto &rm : r.resource_metrics())
            for (const auto &sm : rm.scope_metrics())
                for (const auto &m : sm.metrics()) {
                    if (m.name().empty() || m.data_case() == opentelemetry::proto::metrics::v1::Metric::DATA_NOT_SET)
                        return false;
                    ++n;
                }
        return n > 0;
    }
    case OtlpSignal::Profiles: {
        opentelemetry::proto::collector::profiles::v1development::ExportProfilesServiceRequest r;
        if (!r.ParseFromArray(body.data(), int(body.size())) || !r.has_dictionary())
            return false;
        int n = 0;
        for (const auto &rp : r.resource_profiles())
            for (const auto &sp : rp.scope_profiles())
                n += sp.profiles_size();
        return n > 0 && r.dictionary().string_table_size() > 0;
    }
    case OtlpSignal::Unknown:
        break;
    }
    return false;
}

OtlpSignal detectProtobufSignal(QByteArrayView body, const QString &name)
{
    const OtlpSignal hint = signalFromName(name);
    if (hint != OtlpSignal::Unknown && plausibleOtlp(body, hint))
        return hint;
    for (OtlpSignal s : {OtlpSignal::Traces, OtlpSignal::Logs, OtlpSignal::Metrics, OtlpSignal::Profiles})
        if (s != hint && plausibleOtlp(body, s))
            return s;
    return OtlpSignal::Unknown;
}

// The gRPC frames of a captured request body, when it is exactly a sequence
// of them (1 flag byte 0/1, 4-byte big-endian length, message).
std::optional<QList<std::pair<bool, QByteArrayView>>> grpcFrames(const QByteArray &data)
{
    QList<std::pair<bool, QByteArrayView>> frames;
    qsizetype pos = 0;
    while (pos < data.size()) {
        if (data.size() - pos < 5)
            return std::nullopt;
        const auto flag = static_cast<unsigned char>(data[pos]);
        if (flag > 1)
            return std::nullopt;
        const auto *p = reinterpret_cast<const unsigned char *>(data.constData() + pos + 1);
        const quint64 len = (quint64(p[0]) << 24) | (quint64(p[1]) << 16) | (quint64(p[2]) << 8) | quint64(p[3]);
        if (len > quint64(data.size() - pos - 5))
            return std::nullopt;
        frames.append({flag == 1, QByteArrayView(data.constData() + pos + 5, qsizetype(len))});
        pos += 5 + qsizetype(len);
    }
    if (frames.isEmpty())
        return std::nullopt;
    return frames;
}

// Binary data has control bytes early on; text formats do not.
bool looksLikeText(const QByteArray &head)
{
    for (char c : head) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
            return false;
    }
    return true;
}

// Collapsed stacks: the first line and most others are "frames VALUE", so a
// file with a bad line still goes to the folded reader, which says where.
bool looksLikeFolded(const QByteArray &data)
{
    static const QRegularExpression line(QStringLiteral(R"(^\S.* \d+\r?$)"));
    const QByteArray head = headOf(data, 8192);
    if (!looksLikeText(head))
        return false;
    const QList<QByteArray> lines = head.split('\n');
    int good = 0, bad = 0;
    bool nested = false; // some stack has two frames: "a 1" alone is Prometheus text too
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &l = lines[i];
        if (l.trimmed().isEmpty())
            continue;
        if (i == lines.size() - 1 && data.size() > 8192)
            break; // cut off by the head
        const bool ok = !l.startsWith('#') && !l.startsWith('{') && line.match(QString::fromUtf8(l)).hasMatch();
        if (good == 0 && bad == 0 && !ok)
            return false;
        (ok ? good : bad) += 1;
        nested = nested || (ok && l.contains(';'));
    }
    return good > 0 && good >= bad && nested;
}

bool looksLikePrometheusText(const QByteArray &data)
{
    static const QRegularExpression sample(
        QStringLiteral(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+\S+)"));
    if (!looksLikeText(headOf(data, 8192)))
        return false;
    for (const QByteArray &l : headOf(data, 8192).split('\n')) {
        const QByteArray t = l.trimmed();
        if (t.isEmpty())
            continue;
        if (t.startsWith("# HELP ") || t.startsWith("# TYPE ") || t.startsWith("# UNIT ") || t == "# EOF")
            return true;
        if (t.startsWith('#'))
            continue;
        return sample.match(QString::fromUtf8(t)).hasMatch();
    }
    return false;
}

// ---- Zipkin v2 ------------------------------------------------------------

QByteArray hexId(const QJsonValue &v, int bytes)
{
    if (!v.isString())
        return {};
    QString s = v.toString();
    if (s.size() > bytes * 2 || s.size() % 2 != 0 || s.isEmpty())
        return {};
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]+$"));
    if (!hex.match(s).hasMatch())
        return {};
    QByteArray raw = QByteArray::fromHex(s.toLatin1());
    if (raw.size() < bytes)
        raw.prepend(QByteArray(bytes - raw.size(), '\0'));
    return raw;
}

Result<void> decodeZipkin(const QJsonArray &arr, const QString &name, Decoded &out)
{
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const QString where = QStringLiteral("span %1").arg(i);
        if (!arr[i].isObject())
            return fail(Error::at(name, 0, 0, where + QStringLiteral(": not a JSON object")));
        const QJsonObject o = arr[i].toObject();
        model::Span s;
        s.traceId = hexId(o.value(u"traceId"), 16);
        s.spanId = hexId(o.value(u"id"), 8);
        if (s.traceId.isEmpty() || s.spanId.isEmpty())
            return fail(Error::at(name, 0, 0,
                                  where + QStringLiteral(": traceId (16 or 32 hex digits) and id (16 hex digits) "
                                                         "are required")));
        if (o.contains(u"parentId")) {
            s.parentSpanId = hexId(o.value(u"parentId"), 8);
            if (s.parentSpanId.isEmpty())
                return fail(Error::at(name, 0, 0, where + QStringLiteral(": parentId is not 16 hex digits")));
        }
        s.name = o.value(u"name").toString();
        const QString kind = o.value(u"kind").toString();
        s.kind = kind == u"SERVER"     ? model::Span::Kind::Server
            : kind == u"CLIENT"        ? model::Span::Kind::Client
            : kind == u"PRODUCER"      ? model::Span::Kind::Producer
            : kind == u"CONSUMER"      ? model::Span::Kind::Consumer
                                       : model::Span::Kind::Internal;
        const QJsonValue ts = o.value(u"timestamp");
        if (!ts.isDouble())
            return fail(Error::at(name, 0, 0, where + QStringLiteral(": timestamp (microseconds) is required")));
        s.start = model::TimestampNs(ts.toDouble()) * 1000;
        s.end = s.start + model::TimestampNs(o.value(u"duration").toDouble()) * 1000;
        s.serviceName = o.value(u"localEndpoint").toObject().value(u"serviceName").toString();
        if (s.serviceName.isEmpty())
            s.serviceName = QStringLiteral("unknown_service");
        s.resourceAttributes.append({QStringLiteral("service.name"), s.serviceName});
        const QJsonObject tags = o.value(u"tags").toObject();
        for (auto it = tags.begin(); it != tags.end(); ++it) {
            const QString key = it.key();
            const QString value = it.value().toVariant().toString();
            if (key == u"otel.status_code") {
                s.status = value == u"ERROR" ? model::Span::Status::Error
                    : value == u"OK"         ? model::Span::Status::Ok
                                             : model::Span::Status::Unset;
                continue;
            }
            if (key == u"otel.status_description") {
                s.statusMessage = value;
                continue;
            }
            if (key == u"error") {
                s.status = model::Span::Status::Error;
                if (s.statusMessage.isEmpty())
                    s.statusMessage = value;
                continue;
            }
            if (key == u"otel.scope.name" || key == u"otel.library.name") {
                s.scopeName = value;
                continue;
            }
            if (key == u"otel.scope.version" || key == u"otel.library.version") {
                s.scopeVersion = value;
                continue;
            }
            if (key == u"service.name")
                continue;
            s.attributes.append({key, value});
        }
        const QJsonObject remote = o.value(u"remoteEndpoint").toObject();
        if (remote.contains(u"serviceName"))
            s.attributes.append({QStringLiteral("peer.service"), remote.value(u"serviceName").toString()});
        if (remote.contains(u"ipv4"))
            s.attributes.append({QStringLiteral("net.peer.ip"), remote.value(u"ipv4").toString()});
        if (remote.contains(u"port"))
            s.attributes.append({QStringLiteral("net.peer.port"), qint64(remote.value(u"port").toDouble())});
        for (const QJsonValue &a : o.value(u"annotations").toArray()) {
            const QJsonObject ao = a.toObject();
            s.events.append({model::TimestampNs(ao.value(u"timestamp").toDouble()) * 1000,
                             ao.value(u"value").toString(), {}});
        }
        out.spans.append(std::move(s));
    }
    return {};
}

// ---- Chrome trace events ---------------------------------------------------

QByteArray derivedId(const QByteArray &seed, int bytes)
{
    QByteArray h = QCryptographicHash::hash(seed, QCryptographicHash::Sha256).left(bytes);
    if (std::all_of(h.begin(), h.end(), [](char c) { return c == 0; }))
        h[0] = 1;
    return h;
}

QVariant jsonToAttribute(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool();
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::floor(d) == d && std::abs(d) < 9.0e15)
            return qint64(d);
        return d;
    }
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

Result<void> decodeChromeTrace(const QJsonArray &events, const QString &name, const QString &seedName,
                               std::optional<model::TimestampNs> recordingEnd, qint64 fileMtimeNs,
                               Decoded &out)
{
    struct Slice
    {
        qint64 pid = 0, tid = 0;
        double ts = 0, end = 0; // µs, as in the file
        QString name, cat;
        QJsonObject args;
        bool async = false;
        qsizetype order = 0;
        QList<std::pair<double, QString>> instants;
    };
    QList<Slice> slices;
    QList<Slice> instants;
    QHash<qint64, QString> processNames;
    QHash<std::pair<qint64, qint64>, QString> threadNames;
    QHash<std::pair<qint64, qint64>, QList<qsizetype>> openSync; // B awaiting E, per thread
    QHash<QString, QList<qsizetype>> openAsync;                  // b awaiting e, by pid/cat/id/name
    QList<Slice> pending;                                        // B/b slices not closed yet (by index)
    double minTs = std::numeric_limits<double>::max(), maxTs = std::numeric_limits<double>::lowest();
    std::int64_t unmatched = 0;

    for (qsizetype i = 0; i < events.size(); ++i) {
        if (!events[i].isObject())
            return fail(Error::at(name, 0, 0, QStringLiteral("trace event %1: not a JSON object").arg(i)));
        const QJsonObject e = events[i].toObject();
        const QString ph = e.value(u"ph").toString();
        if (ph.isEmpty())
            return fail(Error::at(name, 0, 0, QStringLiteral("trace event %1: no \"ph\" (phase)").arg(i)));
        const qint64 pid = qint64(e.value(u"pid").toDouble());
        const qint64 tid = qint64(e.value(u"tid").toDouble());
        if (ph == u"M") {
            const QString what = e.value(u"name").toString();
            const QString value = e.value(u"args").toObject().value(u"name").toString();
            if (what == u"process_name")
                processNames.insert(pid, value);
            else if (what == u"thread_name")
                threadNames.insert({pid, tid}, value);
            continue;
        }
        const QJsonValue tsv = e.value(u"ts");
        if (!tsv.isDouble())
            return fail(Error::at(name, 0, 0, QStringLiteral("trace event %1 (%2): no numeric \"ts\"").arg(i).arg(ph)));
        const double ts = tsv.toDouble();
        minTs = std::min(minTs, ts);
        maxTs = std::max(maxTs, ts);
        Slice s;
        s.pid = pid;
        s.tid = tid;
        s.ts = ts;
        s.end = ts;
        s.name = e.value(u"name").toString();
        s.cat = e.value(u"cat").toString();
        s.args = e.value(u"args").toObject();
        s.order = i;
        const QString asyncKey = QStringLiteral("%1/%2/%3/%4")
                                     .arg(pid)
                                     .arg(s.cat, e.value(u"id").toVariant().toString(), s.name);
        if (ph == u"X") {
            s.end = ts + e.value(u"dur").toDouble();
            maxTs = std::max(maxTs, s.end);
            slices.append(std::move(s));
        } else if (ph == u"B") {
            pending.append(std::move(s));
            openSync[{pid, tid}].append(pending.size() - 1);
        } else if (ph == u"E") {
            auto &stack = openSync[{pid, tid}];
            if (stack.isEmpty()) {
                ++unmatched;
                continue;
            }
            Slice done = pending[stack.takeLast()];
            done.end = ts;
            if (!s.args.isEmpty())
                for (auto it = s.args.begin(); it != s.args.end(); ++it)
                    done.args.insert(it.key(), it.value());
            slices.append(std::move(done));
        } else if (ph == u"b" || ph == u"S") {
            s.async = true;
            pending.append(std::move(s));
            openAsync[asyncKey].append(pending.size() - 1);
        } else if (ph == u"e" || ph == u"F") {
            auto &stack = openAsync[asyncKey];
            if (stack.isEmpty()) {
                ++unmatched;
                continue;
            }
            Slice done = pending[stack.takeLast()];
            done.end = ts;
            slices.append(std::move(done));
        } else if (ph == u"I" || ph == u"i" || ph == u"n") {
            instants.append(std::move(s));
        }
        // Counters (C), flow (s/t/f), samples (P) and others carry no span.
    }
    for (const auto &stack : std::as_const(openSync))
        unmatched += stack.size();
    for (const auto &stack : std::as_const(openAsync))
        unmatched += stack.size();
    if (unmatched > 0) {
        out.rejected += unmatched;
        noteProblem(out.problems, QStringLiteral("%1 begin/end trace events without their partner were left out")
                                      .arg(unmatched));
    }
    if (slices.isEmpty() && instants.isEmpty())
        return fail(Error::at(name, 0, 0, QStringLiteral("no trace events with a duration or timestamp")));

    // Timestamps after 2001 in µs are taken as the epoch; anything smaller is
    // a monotonic clock and is shifted so the last event ends at recordingEnd.
    qint64 offsetNs = 0;
    if (minTs < 1.0e15) {
        const model::TimestampNs endNs = recordingEnd.value_or(fileMtimeNs);
        offsetNs = endNs - qint64(maxTs * 1000.0);
    }
    auto toNs = [&](double us) { return model::TimestampNs(us * 1000.0) + offsetNs; };

    // Per process: a root span covering everything, one trace.
    QHash<qint64, qsizetype> rootIndex;
    QHash<qint64, std::pair<double, double>> processRange;
    for (const auto &s : std::as_const(slices)) {
        auto &r = processRange[s.pid];
        if (!rootIndex.contains(s.pid)) {
            r = {s.ts, s.end};
            rootIndex.insert(s.pid, -1);
        }
        r.first = std::min(r.first, s.ts);
        r.second = std::max(r.second, s.end);
    }
    for (const auto &s : std::as_const(instants)) {
        auto &r = processRange[s.pid];
        if (!rootIndex.contains(s.pid)) {
            r = {s.ts, s.ts};
            rootIndex.insert(s.pid, -1);
        }
        r.first = std::min(r.first, s.ts);
        r.second = std::max(r.second, s.ts);
    }

    QHash<qint64, model::Span> roots;
    const QByteArray seed = seedName.toUtf8();
    for (auto it = processRange.begin(); it != processRange.end(); ++it) {
        const qint64 pid = it.key();
        model::Span root;
        root.traceId = derivedId(seed + "/trace/" + QByteArray::number(pid) + '/'
                                     + QByteArray::number(it->first, 'f', 3),
                                 16);
        root.spanId = derivedId(root.traceId + "/root", 8);
        root.serviceName = processNames.value(pid, QStringLiteral("unknown_service"));
        root.name = QStringLiteral("%1 (pid %2)").arg(root.serviceName).arg(pid);
        root.kind = model::Span::Kind::Internal;
        root.start = toNs(it->first);
        root.end = toNs(it->second);
        root.resourceAttributes = {{QStringLiteral("service.name"), root.serviceName},
                                   {QStringLiteral("process.pid"), pid}};
        roots.insert(pid, root);
    }

    // Thread slices nest by time on their thread: sort by start, longer first.
    std::stable_sort(slices.begin(), slices.end(), [](const Slice &a, const Slice &b) {
        if (a.ts != b.ts)
            return a.ts < b.ts;
        return a.end > b.end;
    });
    QHash<std::pair<qint64, qint64>, QList<qsizetype>> openStack; // indices into out spans
    const qsizetype firstSpan = out.spans.size();
    QList<std::pair<double, double>> ranges; // per created span (µs)
    QList<std::pair<qint64, qint64>> threads;
    for (const auto &s : std::as_const(slices)) {
        const model::Span &root = roots[s.pid];
        model::Span span;
        span.traceId = root.traceId;
        span.spanId = derivedId(root.traceId + '/' + QByteArray::number(s.order) + '/' + s.name.toUtf8(), 8);
        span.parentSpanId = root.spanId;
        if (!s.async) {
            auto &stack = openStack[{s.pid, s.tid}];
            while (!stack.isEmpty() && ranges[stack.last() - firstSpan].second < s.end)
                stack.removeLast();
            if (!stack.isEmpty())
                span.parentSpanId = out.spans[stack.last()].spanId;
        }
        span.name = s.name;
        span.kind = model::Span::Kind::Internal;
        span.start = toNs(s.ts);
        span.end = toNs(s.end);
        span.serviceName = root.serviceName;
        span.resourceAttributes = root.resourceAttributes;
        span.attributes.append({QStringLiteral("trace_event.category"), s.cat});
        span.attributes.append({QStringLiteral("thread.id"), s.tid});
        const QString threadName = threadNames.value({s.pid, s.tid});
        if (!threadName.isEmpty())
            span.attributes.append({QStringLiteral("thread.name"), threadName});
        if (s.async)
            span.attributes.append({QStringLiteral("trace_event.async"), true});
        for (auto it = s.args.begin(); it != s.args.end(); ++it)
            span.attributes.append({QStringLiteral("args.") + it.key(), jsonToAttribute(it.value())});
        out.spans.append(std::move(span));
        ranges.append({s.ts, s.end});
        threads.append({s.pid, s.tid});
        if (!s.async)
            openStack[{s.pid, s.tid}].append(out.spans.size() - 1);
    }
    // Instant events attach to the innermost slice of their thread around
    // them (the root otherwise).
    for (const auto &in : std::as_const(instants)) {
        qsizetype best = -1;
        for (qsizetype k = 0; k < ranges.size(); ++k) {
            if (threads[k] != std::pair{in.pid, in.tid} || ranges[k].first > in.ts || ranges[k].second < in.ts)
                continue;
            if (best < 0 || ranges[k].second - ranges[k].first <= ranges[best].second - ranges[best].first)
                best = k;
        }
        model::SpanEvent ev{toNs(in.ts), in.name, {{QStringLiteral("trace_event.category"), in.cat}}};
        if (best >= 0)
            out.spans[firstSpan + best].events.append(ev);
        else
            roots[in.pid].events.append(ev);
    }
    for (auto &root : roots)
        out.spans.append(root);
    return {};
}

// ---- OTLP -----------------------------------------------------------------

Result<void> decodeOtlpBody(QByteArrayView body, PayloadEncoding enc, OtlpSignal signal,
                            OtlpMetricsConverter &metrics, Decoded &out)
{
    switch (signal) {
    case OtlpSignal::Metrics: {
        auto r = metrics.decode(body, enc);
        if (!r)
            return fail(r.error());
        for (const auto &s : r->series)
            for (const auto &smp : s.samples)
                out.samples.add(s.labels, smp.t, smp.v);
        addProblems(out, r->rejectedPoints, r->problems);
        return {};
    }
    case OtlpSignal::Logs: {
        auto r = OtlpLogsConverter::decode(body, enc);
        if (!r)
            return fail(r.error());
        out.logs.append(r->records);
        addProblems(out, r->rejectedRecords, r->problems);
        return {};
    }
    case OtlpSignal::Traces: {
        auto r = OtlpTracesConverter::decode(body, enc);
        if (!r)
            return fail(r.error());
        out.spans.append(r->spans);
        addProblems(out, r->rejectedSpans, r->problems);
        return {};
    }
    case OtlpSignal::Profiles: {
        auto r = OtlpProfilesConverter::decode(body, enc);
        if (!r)
            return fail(r.error());
        out.profiles.append(r->profiles);
        addProblems(out, r->rejectedProfiles, r->problems);
        return {};
    }
    case OtlpSignal::Unknown:
        break;
    }
    return fail(Error::badData(QStringLiteral("not an OTLP metrics, logs, traces or profiles request")));
}

Result<void> decodeOtlpJson(QByteArrayView json, OtlpMetricsConverter &metrics, Decoded &out)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return fail(Error::badData(QStringLiteral("invalid JSON at byte %1: %2").arg(pe.offset).arg(pe.errorString())));
    const OtlpSignal signal = signalFromJsonKeys(doc.object());
    if (signal == OtlpSignal::Unknown)
        return fail(Error::badData(QStringLiteral(
            "not an OTLP request (no resourceMetrics, resourceLogs, resourceSpans or resourceProfiles)")));
    return decodeOtlpBody(json, PayloadEncoding::Json, signal, metrics, out);
}

// Tempo's older /api/traces answer: {"batches": [ResourceSpans with
// instrumentationLibrarySpans/instrumentationLibrary]} -> OTLP/JSON.
QByteArray tempoBatchesToOtlp(const QJsonObject &o)
{
    QJsonArray resourceSpans;
    for (const auto &b : o.value(u"batches").toArray()) {
        QJsonObject batch = b.toObject();
        if (batch.contains(u"instrumentationLibrarySpans")) {
            QJsonArray scopes;
            for (const auto &sc : batch.value(u"instrumentationLibrarySpans").toArray()) {
                QJsonObject so = sc.toObject();
                if (so.contains(u"instrumentationLibrary"))
                    so.insert(QStringLiteral("scope"), so.take(QStringLiteral("instrumentationLibrary")));
                scopes.append(so);
            }
            batch.remove(QStringLiteral("instrumentationLibrarySpans"));
            batch.insert(QStringLiteral("scopeSpans"), scopes);
        }
        resourceSpans.append(batch);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("resourceSpans"), resourceSpans}}).toJson(QJsonDocument::Compact);
}

QString defaultServiceName(const QString &name)
{
    QString base = QFileInfo(name).fileName();
    const qsizetype dot = base.indexOf(QLatin1Char('.'));
    if (dot > 0)
        base.truncate(dot);
    return base.isEmpty() ? QStringLiteral("unknown_service") : base;
}

model::Labels profileLabels(const FileImportOptions &o, const QString &name)
{
    model::Labels l{{QStringLiteral("service_name"), defaultServiceName(name)}};
    for (const auto &p : o.profileLabels)
        l = l.with(p.name, p.value);
    return l;
}

} // namespace

QString captureFormatName(CaptureFormat format)
{
    switch (format) {
    case CaptureFormat::Unknown: return QStringLiteral("unknown");
    case CaptureFormat::PrometheusText: return QStringLiteral("Prometheus text / OpenMetrics");
    case CaptureFormat::OtlpProtobuf: return QStringLiteral("OTLP protobuf");
    case CaptureFormat::OtlpJson: return QStringLiteral("OTLP JSON");
    case CaptureFormat::OtlpJsonLines: return QStringLiteral("OTLP JSON lines");
    case CaptureFormat::OtlpGrpc: return QStringLiteral("OTLP gRPC frames");
    case CaptureFormat::ZipkinJson: return QStringLiteral("Zipkin v2 JSON");
    case CaptureFormat::ChromeTrace: return QStringLiteral("Chrome trace events");
    case CaptureFormat::Pprof: return QStringLiteral("pprof");
    case CaptureFormat::Folded: return QStringLiteral("folded stacks");
    case CaptureFormat::PerfScript: return QStringLiteral("perf script");
    case CaptureFormat::Cpuprofile: return QStringLiteral("V8 cpuprofile");
    case CaptureFormat::JaegerJson: return QStringLiteral("Jaeger JSON");
    case CaptureFormat::TempoTraces: return QStringLiteral("Tempo traces JSON");
    case CaptureFormat::LokiExport: return QStringLiteral("Loki query_range JSON");
    case CaptureFormat::LogLines: return QStringLiteral("log lines");
    }
    return {};
}

QString FileImportResult::summary() const
{
    QStringList parts;
    if (samples > 0 || series > 0)
        parts << QStringLiteral("%1 samples in %2 series").arg(samples).arg(series);
    if (logRecords > 0)
        parts << QStringLiteral("%1 log records").arg(logRecords);
    if (spans > 0)
        parts << QStringLiteral("%1 spans").arg(spans);
    if (profiles > 0)
        parts << QStringLiteral("%1 profiles").arg(profiles);
    if (parts.isEmpty())
        parts << QStringLiteral("nothing");
    QString s = parts.join(QStringLiteral(", "));
    if (rejected > 0)
        s += QStringLiteral(" (%1 rejected: %2)").arg(rejected).arg(problems.join(QStringLiteral("; ")));
    return s;
}

FileImporter::FileImporter(store::Storage &storage)
    : m_storage(storage), m_metrics(std::make_unique<OtlpMetricsConverter>())
{
}

FileImporter::~FileImporter() = default;

CaptureFormat FileImporter::detect(const QByteArray &data, const QString &name)
{
    const QByteArrayView t = trimmedView(data);
    if (t.isEmpty())
        return CaptureFormat::Unknown;
    const QString lower = name.toLower();

    if (t.front() == '{' || t.front() == '[') {
        // JSON lines: the first line alone is a complete object.
        const qsizetype nl = t.indexOf('\n');
        if (t.front() == '{' && nl > 0 && nl < t.size() - 1) {
            QJsonParseError pe{};
            const QJsonDocument first = QJsonDocument::fromJson(t.first(nl).toByteArray(), &pe);
            if (pe.error == QJsonParseError::NoError && first.isObject())
                return isOtlpJsonObject(first.object()) ? CaptureFormat::OtlpJsonLines : CaptureFormat::LogLines;
        }
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson(t.toByteArray(), &pe);
        if (pe.error != QJsonParseError::NoError) {
            // Broken JSON: the extension says which reader should complain.
            if (lower.endsWith(u".cpuprofile"))
                return CaptureFormat::Cpuprofile;
            if (lower.contains(u"zipkin"))
                return CaptureFormat::ZipkinJson;
            if (lower.contains(u"trace") && (lower.endsWith(u".log") || lower.contains(u"event")))
                return CaptureFormat::ChromeTrace;
            if (lower.contains(u"jaeger"))
                return CaptureFormat::JaegerJson;
            if (lower.contains(u"loki"))
                return CaptureFormat::LokiExport;
            return CaptureFormat::OtlpJson;
        }
        if (doc.isObject()) {
            const QJsonObject o = doc.object();
            if (isOtlpJsonObject(o))
                return CaptureFormat::OtlpJson;
            if (o.contains(u"traceEvents"))
                return CaptureFormat::ChromeTrace;
            if (o.contains(u"nodes") && o.contains(u"samples"))
                return CaptureFormat::Cpuprofile;
            if (o.value(u"batches").isArray())
                return CaptureFormat::TempoTraces;
            if (formats::LokiExportReader::looksLikeLokiExport(t.toByteArray()))
                return CaptureFormat::LokiExport;
            if (formats::JaegerJsonReader::looksLikeJaeger(t.toByteArray()))
                return CaptureFormat::JaegerJson;
            return CaptureFormat::Unknown;
        }
        const QJsonArray a = doc.array();
        if (a.isEmpty())
            return lower.contains(u"zipkin") ? CaptureFormat::ZipkinJson : CaptureFormat::Unknown;
        const QJsonObject first = a.first().toObject();
        if (first.contains(u"traceId") && first.contains(u"id"))
            return CaptureFormat::ZipkinJson;
        if (first.contains(u"ph"))
            return CaptureFormat::ChromeTrace;
        if (first.contains(u"spans") && first.contains(u"processes"))
            return CaptureFormat::JaegerJson;
        return CaptureFormat::Unknown;
    }

    if (formats::PerfScriptReader::looksLikePerfScript(QByteArrayView(data).first(std::min<qsizetype>(data.size(), 8192))))
        return CaptureFormat::PerfScript;
    if (auto frames = grpcFrames(data); frames && (lower.endsWith(u".grpc") || data.size() > 5)) {
        // A gRPC capture is exactly a frame sequence; protobuf almost never is
        // (its first byte is a field tag, 0x0a for every OTLP request).
        if (lower.endsWith(u".grpc") || static_cast<unsigned char>(data[0]) <= 1)
            return CaptureFormat::OtlpGrpc;
    }
    if (looksLikeFolded(data))
        return CaptureFormat::Folded;
    if (looksLikePrometheusText(data))
        return CaptureFormat::PrometheusText;
    if (detectProtobufSignal(data, name) != OtlpSignal::Unknown)
        return CaptureFormat::OtlpProtobuf;
    // A damaged OTLP capture: its name says what it is, and the OTLP decoder
    // explains what is wrong better than the pprof reader would.
    if (lower.contains(u"otlp") && signalFromName(name) != OtlpSignal::Unknown && !looksLikeText(headOf(data, 512)))
        return CaptureFormat::OtlpProtobuf;
    // pprof: Go writes time_nanos first, others sample_type; a name that
    // says pprof sends broken profiles to the reader, which says what is wrong.
    if (static_cast<unsigned char>(data[0]) == 0x0a || lower.endsWith(u".pprof") || lower.endsWith(u".pb")
        || lower.endsWith(u".pb.gz") || formats::PprofReader::parse(data, name).has_value())
        return CaptureFormat::Pprof;
    // Anything else that is text is read as a log file, one record per line.
    if (looksLikeText(headOf(data, 8192)) || lower.endsWith(u".log"))
        return CaptureFormat::LogLines;
    return CaptureFormat::Unknown;
}

Result<FileImportResult> FileImporter::importFile(const QString &path, const FileImportOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error{Error::Kind::Io, QStringLiteral("cannot open: %1").arg(f.errorString()), path, 0, 0});
    const QByteArray head = f.peek(8192);
    QByteArray plainHead = head;
    if (head.startsWith("\x1f\x8b")) {
        auto inflated = formats::PprofReader::gunzip(f.readAll(), path, options.maxDecompressedBytes);
        if (!inflated) {
            Error e = inflated.error();
            if (e.source.isEmpty())
                e.source = path;
            return fail(e);
        }
        // Prometheus text streams from the file itself (MetricsImporter
        // reads .gz); everything else is decoded from memory.
        if (!looksLikePrometheusText(*inflated) || looksLikeFolded(*inflated)) {
            f.close();
            auto r = importData(*inflated, path, options);
            if (r)
                r->gzipped = true;
            return r;
        }
        plainHead = inflated->left(8192);
    }
    if (looksLikePrometheusText(plainHead) && !looksLikeFolded(plainHead)
        && !formats::PerfScriptReader::looksLikePerfScript(plainHead)) {
        // Streams and validates before storing (see MetricsImporter).
        formats::MetricsImporter importer(m_storage.metrics());
        formats::ImportOptions mo;
        mo.defaultTimestamp = options.defaultTimestamp;
        mo.progress = options.progress;
        mo.cancel = options.cancel;
        auto stats = importer.importFile(path, mo);
        if (!stats) {
            Error e = stats.error();
            if (e.source.isEmpty())
                e.source = path;
            return fail(e);
        }
        FileImportResult r;
        r.path = path;
        r.format = CaptureFormat::PrometheusText;
        r.gzipped = head.startsWith("\x1f\x8b");
        r.series = stats->series;
        r.samples = stats->samples;
        r.minTime = stats->minTime;
        r.maxTime = stats->maxTime;
        return r;
    }
    f.seek(0);
    const QByteArray data = f.readAll();
    if (f.error() != QFileDevice::NoError)
        return fail(Error{Error::Kind::Io, QStringLiteral("read failed: %1").arg(f.errorString()), path, 0, 0});
    return importData(data, path, options);
}

Result<FileImportResult> FileImporter::importData(const QByteArray &raw, const QString &name,
                                                  const FileImportOptions &options)
{
    const qint64 total = raw.size();
    auto progress = [&](qint64 done) {
        if (options.progress)
            options.progress(done, total);
    };
    auto withSource = [&](Error e) {
        if (e.source.isEmpty())
            e.source = name;
        return fail(std::move(e));
    };
    progress(0);

    FileImportResult result;
    result.path = name;
    QByteArray data = raw;
    if (raw.startsWith("\x1f\x8b")) {
        auto inflated = formats::PprofReader::gunzip(raw, name, options.maxDecompressedBytes);
        if (!inflated)
            return withSource(inflated.error());
        data = std::move(*inflated);
        result.gzipped = true;
    }
    if (options.cancel.isCancelled())
        return fail(Error::cancelled());

    result.format = detect(data, name);
    Decoded dec;
    const qint64 mtimeNs = [&] {
        const QFileInfo fi(name);
        const QDateTime t = fi.exists() ? fi.lastModified() : QDateTime::currentDateTimeUtc();
        return qint64(t.toMSecsSinceEpoch()) * 1'000'000;
    }();
    const model::TimestampNs recordingEnd = options.recordingEnd.value_or(mtimeNs);

    switch (result.format) {
    case CaptureFormat::Unknown:
        return withSource(Error::badData(
            QStringLiteral("unrecognised file format (expected Prometheus text/OpenMetrics, OTLP protobuf/JSON/"
                           "JSON lines/gRPC, Zipkin v2 JSON, Jaeger JSON, Tempo traces JSON, Chrome trace events, "
                           "pprof, folded stacks, perf script, a V8 .cpuprofile, a Loki export or a text log file)")));
    case CaptureFormat::PrometheusText: {
        formats::MetricsImporter importer(m_storage.metrics());
        formats::ImportOptions mo;
        mo.defaultTimestamp = options.defaultTimestamp;
        mo.progress = options.progress;
        mo.cancel = options.cancel;
        auto stats = importer.importData(data, name, mo);
        if (!stats)
            return withSource(stats.error());
        result.series = stats->series;
        result.samples = stats->samples;
        result.minTime = stats->minTime;
        result.maxTime = stats->maxTime;
        progress(total);
        return result;
    }
    case CaptureFormat::OtlpProtobuf: {
        OtlpSignal signal = detectProtobufSignal(data, name);
        if (signal == OtlpSignal::Unknown) // damaged: the name's signal decoder says what is wrong
            signal = signalFromName(name);
        if (auto r = decodeOtlpBody(data, PayloadEncoding::Protobuf, signal, *m_metrics, dec); !r)
            return withSource(r.error());
        break;
    }
    case CaptureFormat::OtlpJson:
        if (auto r = decodeOtlpJson(data, *m_metrics, dec); !r) {
            Error e = r.error();
            e.source = name;
            return fail(e);
        }
        break;
    case CaptureFormat::OtlpJsonLines: {
        qsizetype pos = 0;
        int line = 0;
        while (pos < data.size()) {
            if (options.cancel.isCancelled())
                return fail(Error::cancelled());
            qsizetype nl = data.indexOf('\n', pos);
            if (nl < 0)
                nl = data.size();
            ++line;
            const QByteArrayView l = QByteArrayView(data).sliced(pos, nl - pos).trimmed();
            pos = nl + 1;
            if (l.isEmpty())
                continue;
            if (auto r = decodeOtlpJson(l, *m_metrics, dec); !r) {
                Error e = r.error();
                return fail(Error::at(name, line, 0, e.message));
            }
            if (!result.gzipped)
                progress(std::min<qint64>(pos, total) / 2);
        }
        break;
    }
    case CaptureFormat::OtlpGrpc: {
        const auto frames = grpcFrames(data);
        qsizetype offset = 0;
        int index = 0;
        for (const auto &[compressed, message] : *frames) {
            if (options.cancel.isCancelled())
                return fail(Error::cancelled());
            QByteArray body = message.toByteArray();
            if (compressed) {
                auto inflated = formats::PprofReader::gunzip(body, name, options.maxDecompressedBytes);
                if (!inflated)
                    return fail(Error::at(name, 0, 0, QStringLiteral("gRPC frame %1 at byte %2: %3")
                                                          .arg(index)
                                                          .arg(offset)
                                                          .arg(inflated.error().message.startsWith(name + u": ")
                                                                   ? inflated.error().message.mid(name.size() + 2)
                                                                   : inflated.error().message)));
                body = std::move(*inflated);
            }
            const OtlpSignal signal = detectProtobufSignal(body, name);
            if (signal == OtlpSignal::Unknown)
                return fail(Error::at(name, 0, 0, QStringLiteral("gRPC frame %1 at byte %2: not an OTLP metrics, "
                                                                 "logs or traces request")
                                                      .arg(index)
                                                      .arg(offset)));
            if (auto r = decodeOtlpBody(body, PayloadEncoding::Protobuf, signal, *m_metrics, dec); !r)
                return fail(Error::at(name, 0, 0, QStringLiteral("gRPC frame %1 at byte %2: %3")
                                                      .arg(index)
                                                      .arg(offset)
                                                      .arg(r.error().message)));
            offset += 5 + message.size();
            ++index;
        }
        break;
    }
    case CaptureFormat::ZipkinJson:
    case CaptureFormat::ChromeTrace: {
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson(data, &pe);
        if (pe.error != QJsonParseError::NoError)
            return fail(jsonError(data, name, pe));
        if (result.format == CaptureFormat::ZipkinJson) {
            if (!doc.isArray())
                return withSource(Error::badData(QStringLiteral("Zipkin v2 JSON must be an array of spans")));
            if (auto r = decodeZipkin(doc.array(), name, dec); !r)
                return fail(r.error());
        } else {
            const QJsonArray events = doc.isArray() ? doc.array() : doc.object().value(u"traceEvents").toArray();
            if (auto r = decodeChromeTrace(events, name, QFileInfo(name).fileName(), options.recordingEnd, mtimeNs,
                                           dec);
                !r)
                return fail(r.error());
        }
        break;
    }
    case CaptureFormat::JaegerJson: {
        auto r = formats::JaegerJsonReader::parse(data, name);
        if (!r)
            return withSource(r.error());
        dec.spans = std::move(*r);
        break;
    }
    case CaptureFormat::TempoTraces: {
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson(data, &pe);
        if (pe.error != QJsonParseError::NoError)
            return fail(jsonError(data, name, pe));
        if (auto r = decodeOtlpJson(tempoBatchesToOtlp(doc.object()), *m_metrics, dec); !r) {
            Error e = r.error();
            e.source = name;
            return fail(e);
        }
        break;
    }
    case CaptureFormat::LokiExport: {
        auto r = formats::LokiExportReader::parse(data, name);
        if (!r)
            return withSource(r.error());
        dec.logs = std::move(*r);
        break;
    }
    case CaptureFormat::LogLines: {
        formats::LogLinesReadOptions lo;
        lo.fallbackTime = recordingEnd;
        auto r = formats::LogLinesReader::parse(data, name, lo);
        if (!r)
            return withSource(r.error());
        dec.logs = std::move(*r);
        break;
    }
    case CaptureFormat::Pprof: {
        formats::PprofReadOptions po;
        po.labels = profileLabels(options, name);
        auto r = formats::PprofReader::parse(data, name, po);
        if (!r)
            return withSource(r.error());
        dec.profiles = std::move(*r);
        break;
    }
    case CaptureFormat::Folded: {
        formats::FoldedReadOptions fo;
        fo.labels = profileLabels(options, name);
        fo.time = recordingEnd;
        auto r = formats::FoldedReader::parse(data, name, fo);
        if (!r)
            return withSource(r.error());
        dec.profiles.append(std::move(*r));
        break;
    }
    case CaptureFormat::PerfScript: {
        formats::PerfScriptReadOptions po;
        po.labels = profileLabels(options, name);
        po.time = recordingEnd;
        auto r = formats::PerfScriptReader::parse(data, name, po);
        if (!r)
            return withSource(r.error());
        dec.profiles = std::move(*r);
        break;
    }
    case CaptureFormat::Cpuprofile: {
        formats::CpuprofileReadOptions co;
        co.labels = profileLabels(options, name);
        co.time = recordingEnd;
        auto r = formats::CpuprofileReader::parse(data, name, co);
        if (!r)
            return withSource(r.error());
        dec.profiles = std::move(*r);
        break;
    }
    }
    if (options.cancel.isCancelled())
        return fail(Error::cancelled());
    progress(total / 2);

    // Profiles without a time (pprof without time_nanos) get the recording end.
    for (auto &p : dec.profiles)
        if (p.time == 0)
            p.time = recordingEnd;

    StorageSink sink(m_storage);
    result.rejected = dec.rejected;
    result.problems = dec.problems;
    auto account = [&](const Result<AppendCounts> &c, std::int64_t &into) -> Result<void> {
        if (!c)
            return withSource(c.error());
        into += c->accepted;
        result.rejected += c->rejected;
        if (!c->reason.isEmpty())
            noteProblem(result.problems, c->reason);
        return {};
    };
    if (!dec.samples.isEmpty()) {
        const QList<model::Series> series = dec.samples.take();
        result.series = series.size();
        for (const auto &s : series) {
            if (s.samples.isEmpty())
                continue;
            if (result.minTime == 0 || s.samples.first().t < result.minTime)
                result.minTime = s.samples.first().t;
            result.maxTime = std::max(result.maxTime, s.samples.last().t);
        }
        if (auto r = account(sink.appendSamples(series), result.samples); !r)
            return fail(r.error());
    }
    if (auto r = account(sink.appendLogs(dec.logs), result.logRecords); !r)
        return fail(r.error());
    if (auto r = account(sink.appendSpans(dec.spans), result.spans); !r)
        return fail(r.error());
    if (auto r = account(sink.appendProfiles(dec.profiles), result.profiles); !r)
        return fail(r.error());
    progress(total);
    return result;
}

} // namespace spyglass::ingest
