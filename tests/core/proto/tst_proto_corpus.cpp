// Parses every protobuf capture of the third-party corpus with the generated
// code of core/proto and checks what came out against what the capture is
// known to contain (../shared/corpus/captures/SOURCE.txt and the
// `go tool pprof -raw` decodes next to the pprof files). If a field number in
// one of our .proto files were wrong, these values would come out empty or
// garbled, so this is the test that the schemas match the real wire format.

#include "core/proto/loki/push.pb.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "core/proto/pprof/profile.pb.h"
#include "core/proto/prometheus/remote.pb.h"

#include <google/protobuf/util/json_util.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <zlib.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace otlp_common = opentelemetry::proto::common::v1;
namespace otlp_trace = opentelemetry::proto::trace::v1;
namespace otlp_metrics = opentelemetry::proto::metrics::v1;
namespace otlp_logs = opentelemetry::proto::logs::v1;
namespace collector_trace = opentelemetry::proto::collector::trace::v1;
namespace collector_metrics = opentelemetry::proto::collector::metrics::v1;
namespace collector_logs = opentelemetry::proto::collector::logs::v1;
namespace pprof = perftools::profiles;

namespace {

QString capturesDir() { return QString::fromUtf8(SPYGLASS_CORPUS_DIR "/captures"); }

QString qs(const std::string &s) { return QString::fromStdString(s); }

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QStringList filesIn(const QString &folder, const QString &pattern)
{
    QDir dir(capturesDir() + u'/' + folder);
    QStringList out;
    for (const QString &name : dir.entryList({pattern}, QDir::Files, QDir::Name))
        out << dir.filePath(name);
    return out;
}

// gzip (RFC 1952) only; nullopt on any damage, including a truncated stream.
std::optional<QByteArray> gunzip(const QByteArray &in)
{
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = static_cast<uInt>(in.size());
    QByteArray out;
    char buf[64 * 1024];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(buf, static_cast<qsizetype>(sizeof buf - zs.avail_out));
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break; // input ended before the gzip trailer
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return std::nullopt;
    return out;
}

struct GrpcFrame
{
    bool compressed = false;
    QByteArray message;
};

// A gRPC request body: frames of 1 flag byte, 4 bytes big-endian length, message.
std::optional<QList<GrpcFrame>> grpcFrames(const QByteArray &body)
{
    QList<GrpcFrame> frames;
    qsizetype pos = 0;
    while (pos < body.size()) {
        if (body.size() - pos < 5)
            return std::nullopt;
        const auto *p = reinterpret_cast<const unsigned char *>(body.constData() + pos);
        const quint32 len = (quint32(p[1]) << 24) | (quint32(p[2]) << 16) | (quint32(p[3]) << 8) | quint32(p[4]);
        if (p[0] > 1 || qsizetype(len) > body.size() - pos - 5)
            return std::nullopt;
        frames.append({p[0] == 1, body.mid(pos + 5, len)});
        pos += 5 + qsizetype(len);
    }
    return frames;
}

QString toHex(const std::string &bytes) { return QString::fromLatin1(QByteArray::fromStdString(bytes).toHex()); }

QString stringAttr(const google::protobuf::RepeatedPtrField<otlp_common::KeyValue> &attrs, const char *key)
{
    for (const auto &kv : attrs)
        if (kv.key() == key && kv.value().has_string_value())
            return qs(kv.value().string_value());
    return {};
}

std::vector<const otlp_trace::Span *> allSpans(const collector_trace::ExportTraceServiceRequest &req)
{
    std::vector<const otlp_trace::Span *> spans;
    for (const auto &rs : req.resource_spans())
        for (const auto &ss : rs.scope_spans())
            for (const auto &s : ss.spans())
                spans.push_back(&s);
    return spans;
}

std::vector<const otlp_metrics::Metric *> allMetrics(const collector_metrics::ExportMetricsServiceRequest &req)
{
    std::vector<const otlp_metrics::Metric *> metrics;
    for (const auto &rm : req.resource_metrics())
        for (const auto &sm : rm.scope_metrics())
            for (const auto &m : sm.metrics())
                metrics.push_back(&m);
    return metrics;
}

std::vector<const otlp_logs::LogRecord *> allLogs(const collector_logs::ExportLogsServiceRequest &req)
{
    std::vector<const otlp_logs::LogRecord *> records;
    for (const auto &rl : req.resource_logs())
        for (const auto &sl : rl.scope_logs())
            for (const auto &r : sl.log_records())
                records.push_back(&r);
    return records;
}

int dataPointCount(const otlp_metrics::Metric &m)
{
    switch (m.data_case()) {
    case otlp_metrics::Metric::kGauge: return m.gauge().data_points_size();
    case otlp_metrics::Metric::kSum: return m.sum().data_points_size();
    case otlp_metrics::Metric::kHistogram: return m.histogram().data_points_size();
    case otlp_metrics::Metric::kExponentialHistogram: return m.exponential_histogram().data_points_size();
    case otlp_metrics::Metric::kSummary: return m.summary().data_points_size();
    case otlp_metrics::Metric::DATA_NOT_SET: break;
    }
    return 0;
}

const otlp_metrics::Metric *findMetric(const collector_metrics::ExportMetricsServiceRequest &req, const char *name)
{
    for (const auto *m : allMetrics(req))
        if (m->name() == name)
            return m;
    return nullptr;
}

// The three OTLP capture runs differ in temporality (SOURCE.txt): A and C
// are cumulative, B asked for delta.
enum class Run { A, B, C };

Run runOf(const QString &path)
{
    if (path.contains(u"-gzip/") && !path.contains(u"grpc"))
        return Run::B;
    if (path.contains(u"otlp-grpc"))
        return Run::C;
    return Run::A;
}

// --- content checks shared by every transport ---------------------------

void checkTraces(const collector_trace::ExportTraceServiceRequest &req)
{
    QCOMPARE(req.resource_spans_size(), 1);
    const auto &rs = req.resource_spans(0);
    QCOMPARE(stringAttr(rs.resource().attributes(), "service.name"), QStringLiteral("corpus-shop"));
    QCOMPARE(stringAttr(rs.resource().attributes(), "service.version"), QStringLiteral("1.4.2"));

    QSet<QString> scopes;
    for (const auto &ss : rs.scope_spans())
        scopes.insert(qs(ss.scope().name()));
    QVERIFY(scopes.contains(QStringLiteral("corpus-shop.manual")));
    QVERIFY(scopes.contains(QStringLiteral("@opentelemetry/instrumentation-http")));

    const auto spans = allSpans(req);
    QCOMPARE(int(spans.size()), 48);
    QSet<QByteArray> traces;
    std::set<int> kinds;
    int events = 0, links = 0, errors = 0, oks = 0;
    for (const auto *s : spans) {
        QCOMPARE(int(s->trace_id().size()), 16);
        QCOMPARE(int(s->span_id().size()), 8);
        QVERIFY(s->trace_id() != std::string(16, '\0'));
        QVERIFY(s->parent_span_id().empty() || s->parent_span_id().size() == 8);
        QVERIFY(!s->name().empty());
        QVERIFY(s->start_time_unix_nano() > 1'700'000'000'000'000'000ULL);
        QVERIFY(s->end_time_unix_nano() >= s->start_time_unix_nano());
        // The JS SDK always sets "has is_remote" (0x100) and sampled (0x01).
        QVERIFY(s->flags() & otlp_trace::SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK);
        traces.insert(QByteArray::fromStdString(s->trace_id()));
        kinds.insert(s->kind());
        events += s->events_size();
        links += s->links_size();
        errors += s->status().code() == otlp_trace::Status::STATUS_CODE_ERROR;
        oks += s->status().code() == otlp_trace::Status::STATUS_CODE_OK;
    }
    QCOMPARE(traces.size(), 11);
    QCOMPARE(kinds, (std::set<int>{1, 2, 3, 4, 5}));
    QCOMPARE(events, 32);
    QCOMPARE(links, 4);
    QCOMPARE(errors, 8);
    QCOMPARE(oks, 6);

    // Spans with hand-set properties (make/otel-service.js).
    const otlp_trace::Span *webhook = nullptr, *limits = nullptr, *checkout = nullptr, *discount = nullptr;
    for (const auto *s : spans) {
        if (s->name() == "GET /webhook")
            webhook = s;
        else if (s->name() == "limits-demo")
            limits = s;
        else if (s->name() == "checkout-flow")
            checkout = s;
        else if (s->name() == "apply-discount")
            discount = s;
    }
    QVERIFY(webhook && limits && checkout && discount);
    QCOMPARE(toHex(webhook->trace_id()), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
    QCOMPARE(toHex(webhook->parent_span_id()), QStringLiteral("00f067aa0ba902b7"));
    QCOMPARE(qs(webhook->trace_state()), QStringLiteral("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
    QCOMPARE(webhook->flags(), 0x301u);
    QCOMPARE(webhook->kind(), otlp_trace::Span::SPAN_KIND_SERVER);

    QCOMPARE(limits->attributes_size(), 32);
    QCOMPARE(limits->dropped_attributes_count(), 8u);
    QCOMPARE(limits->events_size(), 8);
    QCOMPARE(limits->dropped_events_count(), 2u);

    QCOMPARE(discount->status().code(), otlp_trace::Status::STATUS_CODE_ERROR);
    QCOMPARE(qs(discount->status().message()), QStringLiteral("coupon expired"));

    // checkout-flow carries an attribute of every type.
    std::set<int> valueKinds;
    for (const auto &kv : checkout->attributes())
        valueKinds.insert(kv.value().value_case());
    QVERIFY(valueKinds.count(otlp_common::AnyValue::kStringValue));
    QVERIFY(valueKinds.count(otlp_common::AnyValue::kIntValue));
    QVERIFY(valueKinds.count(otlp_common::AnyValue::kDoubleValue));
    QVERIFY(valueKinds.count(otlp_common::AnyValue::kBoolValue));
    QVERIFY(valueKinds.count(otlp_common::AnyValue::kArrayValue));
}

void checkMetrics(const collector_metrics::ExportMetricsServiceRequest &req, bool secondExport, Run run)
{
    QCOMPARE(req.resource_metrics_size(), 1);
    QCOMPARE(stringAttr(req.resource_metrics(0).resource().attributes(), "service.name"),
             QStringLiteral("corpus-shop"));
    QCOMPARE(req.resource_metrics(0).scope_metrics_size(), 6);

    const auto metrics = allMetrics(req);
    QCOMPARE(int(metrics.size()), secondExport ? 20 : 18);
    std::map<int, int> kinds;
    int points = 0;
    for (const auto *m : metrics) {
        QVERIFY(!m->name().empty());
        QVERIFY2(m->data_case() != otlp_metrics::Metric::DATA_NOT_SET, m->name().c_str());
        ++kinds[m->data_case()];
        points += dataPointCount(*m);
    }
    QCOMPARE(kinds[otlp_metrics::Metric::kHistogram], 3);
    QCOMPARE(kinds[otlp_metrics::Metric::kExponentialHistogram], 1);
    QCOMPARE(kinds[otlp_metrics::Metric::kGauge], 2);
    QCOMPARE(kinds[otlp_metrics::Metric::kSum], secondExport ? 14 : 12);
    QVERIFY(points >= int(metrics.size()));

    const auto *orders = findMetric(req, "shop.orders");
    QVERIFY(orders && orders->has_sum());
    QVERIFY(orders->sum().is_monotonic());
    QCOMPARE(orders->sum().aggregation_temporality(),
             run == Run::B ? otlp_metrics::AGGREGATION_TEMPORALITY_DELTA
                           : otlp_metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);
    QVERIFY(orders->sum().data_points_size() > 0);
    for (const auto &p : orders->sum().data_points()) {
        QCOMPARE(p.value_case(), otlp_metrics::NumberDataPoint::kAsInt); // INT counter
        QVERIFY(p.as_int() > 0);
        QVERIFY(p.time_unix_nano() >= p.start_time_unix_nano());
    }
    const auto *revenue = findMetric(req, "shop.revenue");
    QVERIFY(revenue && revenue->has_sum());
    QCOMPARE(revenue->sum().data_points(0).value_case(), otlp_metrics::NumberDataPoint::kAsDouble);

    // Up-down counters stay cumulative even when delta is preferred.
    const auto *cart = findMetric(req, "shop.cart.items");
    QVERIFY(cart && cart->has_sum());
    QVERIFY(!cart->sum().is_monotonic());
    QCOMPARE(cart->sum().aggregation_temporality(), otlp_metrics::AGGREGATION_TEMPORALITY_CUMULATIVE);

    const auto *amount = findMetric(req, "shop.order.amount");
    QVERIFY(amount && amount->has_histogram());
    QVERIFY(amount->histogram().data_points_size() > 0);
    for (const auto &p : amount->histogram().data_points()) {
        QCOMPARE(std::vector<double>(p.explicit_bounds().begin(), p.explicit_bounds().end()),
                 (std::vector<double>{0, 10, 25, 50, 100, 250, 500, 1000}));
        QCOMPARE(p.bucket_counts_size(), p.explicit_bounds_size() + 1);
        quint64 total = 0;
        for (auto c : p.bucket_counts())
            total += c;
        QCOMPARE(total, quint64(p.count()));
        QVERIFY(p.has_sum() && p.has_min() && p.has_max());
        QVERIFY(p.min() <= p.max());
    }

    const auto *latency = findMetric(req, "shop.payment.latency");
    QVERIFY(latency && latency->has_exponential_histogram());
    QVERIFY(latency->exponential_histogram().data_points_size() > 0);
    for (const auto &p : latency->exponential_histogram().data_points()) {
        quint64 total = p.zero_count();
        for (auto c : p.positive().bucket_counts())
            total += c;
        for (auto c : p.negative().bucket_counts())
            total += c;
        QCOMPARE(total, quint64(p.count()));
        QVERIFY(p.scale() >= -10 && p.scale() <= 20);
    }

    const auto *temperature = findMetric(req, "shop.freezer.temperature");
    QVERIFY(temperature && temperature->has_gauge());
    const auto *connections = findMetric(req, "shop.connections.open");
    QVERIFY(connections && connections->has_sum());
    QCOMPARE(connections->sum().data_points(0).attributes_size(), 0);
    QVERIFY(findMetric(req, "http.server.request.duration"));
}

void checkLogs(const collector_logs::ExportLogsServiceRequest &req)
{
    QCOMPARE(req.resource_logs_size(), 1);
    QCOMPARE(stringAttr(req.resource_logs(0).resource().attributes(), "service.name"), QStringLiteral("corpus-shop"));
    QCOMPARE(qs(req.resource_logs(0).scope_logs(0).scope().name()), QStringLiteral("corpus-shop.logs"));

    const auto records = allLogs(req);
    QCOMPARE(int(records.size()), 16);
    int withTrace = 0, kvlistBodies = 0, events = 0, bytesAttrs = 0;
    QSet<QString> severities;
    for (const auto *r : records) {
        QVERIFY(r->has_body());
        QVERIFY(r->body().value_case() != otlp_common::AnyValue::VALUE_NOT_SET);
        if (r->body().has_string_value())
            QVERIFY(!r->body().string_value().empty());
        kvlistBodies += r->body().has_kvlist_value();
        QVERIFY(r->observed_time_unix_nano() > 0);
        QVERIFY(r->severity_number() != otlp_logs::SEVERITY_NUMBER_UNSPECIFIED);
        severities.insert(qs(r->severity_text()));
        if (!r->trace_id().empty()) {
            QCOMPARE(int(r->trace_id().size()), 16);
            QCOMPARE(int(r->span_id().size()), 8);
            QCOMPARE(r->flags() & otlp_logs::LOG_RECORD_FLAGS_TRACE_FLAGS_MASK, 1u);
            ++withTrace;
        }
        events += r->event_name() == "shop.order.placed";
        for (const auto &kv : r->attributes())
            if (kv.value().has_bytes_value() && kv.value().bytes_value() == std::string("\xde\xad\xbe\xef", 4))
                ++bytesAttrs;
        if (r->severity_text() == "ERROR")
            QVERIFY(!stringAttr(r->attributes(), "exception.type").isEmpty());
    }
    QCOMPARE(withTrace, 14);
    // Each "order placed" event has a structured body with a nested kvlist.
    QCOMPARE(kvlistBodies, 6);
    QCOMPARE(events, 6);
    for (const auto *r : records) {
        if (!r->body().has_kvlist_value())
            continue;
        QCOMPARE(qs(r->event_name()), QStringLiteral("shop.order.placed"));
        const auto &values = r->body().kvlist_value().values();
        QVERIFY(std::any_of(values.begin(), values.end(),
                            [](const auto &kv) { return kv.key() == "order" && kv.value().has_kvlist_value(); }));
    }
    QVERIFY(bytesAttrs >= 1);
    QCOMPARE(severities, (QSet<QString>{QStringLiteral("DEBUG"), QStringLiteral("INFO"), QStringLiteral("WARN"),
                                        QStringLiteral("ERROR")}));
}

// Dispatches on the file name prefix (traces-/metrics-/logs-).
void parseAndCheckOtlp(const QString &path, const QByteArray &message)
{
    const QString name = path.section(u'/', -1);
    const Run run = runOf(path);
    if (name.startsWith(u"traces-")) {
        collector_trace::ExportTraceServiceRequest req;
        QVERIFY2(req.ParseFromArray(message.constData(), int(message.size())), qPrintable(path));
        checkTraces(req);
    } else if (name.startsWith(u"metrics-")) {
        collector_metrics::ExportMetricsServiceRequest req;
        QVERIFY2(req.ParseFromArray(message.constData(), int(message.size())), qPrintable(path));
        checkMetrics(req, name.startsWith(u"metrics-0002"), run);
    } else if (name.startsWith(u"logs-")) {
        collector_logs::ExportLogsServiceRequest req;
        QVERIFY2(req.ParseFromArray(message.constData(), int(message.size())), qPrintable(path));
        checkLogs(req);
    } else {
        QFAIL(qPrintable(QStringLiteral("unexpected capture ") + path));
    }
}

// --- pprof against `go tool pprof -raw` -------------------------------------
//
// -raw prints a normalised copy of the profile: location/function ids are
// renumbered, samples with the same stack and labels are merged, unused
// mappings dropped. So the comparison is by meaning: per stack of function
// frames ("function file:line", inlined frames expanded), the summed values must agree, as must the
// totals, the sample types and the period.

struct RawProfile
{
    QString periodType; // "cpu nanoseconds"
    qint64 period = 0;
    QStringList sampleTypes; // "samples/count", ...
    int sampleRows = 0;
    std::map<QString, std::vector<qint64>> valuesByStack;
};

using Stacks = std::map<QString, std::vector<qint64>>;

void addTo(Stacks &stacks, const QString &key, const std::vector<qint64> &values)
{
    auto &sum = stacks[key];
    sum.resize(std::max(sum.size(), values.size()), 0);
    for (size_t i = 0; i < values.size(); ++i)
        sum[i] += values[i];
}

void dropZeroStacks(Stacks &stacks)
{
    std::erase_if(stacks, [](const auto &kv) {
        return std::all_of(kv.second.begin(), kv.second.end(), [](qint64 v) { return v == 0; });
    });
}

RawProfile parseRaw(const QString &path)
{
    RawProfile raw;
    const QStringList lines = QString::fromUtf8(readAll(path)).split(u'\n');
    enum { Header, SampleTypes, Samples, Locations, Mappings } section = Header;
    static const QRegularExpression sampleRe(QStringLiteral(R"(^\s+((?:-?\d+\s+)*-?\d+):((?:\s+\d+)*)\s*$)"));
    // "  12: 0x4b9698 M=1 encoding/json.indirect /usr/lib/go/src/encoding/json/decode.go:471 s=0"
    // followed by "          reflect.Value.Elem /usr/.../value.go:1256 s=0" per inlined frame.
    // pprof shows names simplified (parenthesised parts dropped) and then the
    // full name in parentheses when the two differ.
    static const QRegularExpression locationRe(
        QStringLiteral(R"(^\s*(\d+): 0x[0-9a-f]+ M=\d+ (.*) (\S*):(-?\d+) s=\d+(?:\((.*)\))?$)"));
    static const QRegularExpression inlinedRe(QStringLiteral(R"(^\s+(.*) (\S*):(-?\d+) s=\d+(?:\((.*)\))?$)"));
    // Frame key "name file:line"; `first` is the capture group of the name.
    auto frameOf = [](const QRegularExpressionMatch &m, int first) -> QString {
        const QString name = m.hasCaptured(first + 3) ? m.captured(first + 3) : m.captured(first);
        return name + u' ' + m.captured(first + 1) + u':' + m.captured(first + 2);
    };
    std::vector<std::pair<std::vector<qint64>, std::vector<quint64>>> samples;
    std::map<quint64, QStringList> functionsOfLocation;
    quint64 currentLocation = 0;
    for (const QString &line : lines) {
        if (line.startsWith(u"PeriodType: ")) {
            raw.periodType = line.mid(12);
        } else if (line.startsWith(u"Period: ")) {
            raw.period = line.mid(8).toLongLong();
        } else if (line == u"Samples:") {
            section = SampleTypes;
        } else if (line == u"Locations") {
            section = Locations;
        } else if (line == u"Mappings") {
            section = Mappings;
        } else if (section == SampleTypes) {
            raw.sampleTypes = line.split(u' ', Qt::SkipEmptyParts);
            section = Samples;
        } else if (section == Samples) {
            const auto m = sampleRe.match(line);
            if (!m.hasMatch())
                continue; // label rows such as "bytes:[2304]"
            std::vector<qint64> values;
            std::vector<quint64> locations;
            for (const QString &v : m.captured(1).split(u' ', Qt::SkipEmptyParts))
                values.push_back(v.toLongLong());
            for (const QString &id : m.captured(2).split(u' ', Qt::SkipEmptyParts))
                locations.push_back(id.toULongLong());
            samples.emplace_back(std::move(values), std::move(locations));
        } else if (section == Locations) {
            if (const auto m = locationRe.match(line); m.hasMatch()) {
                currentLocation = m.captured(1).toULongLong();
                functionsOfLocation[currentLocation] << frameOf(m, 2);
            } else if (const auto c = inlinedRe.match(line); c.hasMatch() && currentLocation) {
                functionsOfLocation[currentLocation] << frameOf(c, 1);
            }
        }
    }
    raw.sampleRows = int(samples.size());
    for (const auto &[values, locations] : samples) {
        QStringList frames;
        for (quint64 id : locations)
            frames << functionsOfLocation[id];
        addTo(raw.valuesByStack, frames.join(u';'), values);
    }
    return raw;
}

QString str(const pprof::Profile &p, qint64 index)
{
    if (index < 0 || index >= p.string_table_size())
        return QStringLiteral("<out of range>");
    return qs(p.string_table(int(index)));
}

void checkProfileAgainstRaw(const pprof::Profile &p, RawProfile raw)
{
    QVERIFY(p.string_table_size() > 1);
    QCOMPARE(qs(p.string_table(0)), QString());

    QCOMPARE(str(p, p.period_type().type()) + u' ' + str(p, p.period_type().unit()), raw.periodType);
    QCOMPARE(p.period(), raw.period);
    QCOMPARE(p.sample_type_size(), int(raw.sampleTypes.size()));
    for (int i = 0; i < p.sample_type_size(); ++i)
        QCOMPARE(str(p, p.sample_type(i).type()) + u'/' + str(p, p.sample_type(i).unit()), raw.sampleTypes[i]);

    std::map<quint64, const pprof::Function *> functions;
    for (const auto &f : p.function()) {
        QVERIFY(f.id() != 0);
        QVERIFY(!str(p, f.name()).isEmpty());
        QVERIFY(str(p, f.filename()) != u"<out of range>");
        functions[f.id()] = &f;
    }
    std::set<quint64> mappingIds;
    for (const auto &m : p.mapping())
        mappingIds.insert(m.id());
    std::map<quint64, QStringList> functionsOfLocation;
    for (const auto &loc : p.location()) {
        QVERIFY(loc.id() != 0);
        QVERIFY(loc.mapping_id() == 0 || mappingIds.count(loc.mapping_id()));
        QStringList names;
        for (const auto &line : loc.line()) {
            const auto f = functions.find(line.function_id());
            QVERIFY(f != functions.end());
            names << str(p, f->second->name()) + u' ' + str(p, f->second->filename()) + u':'
                    + QString::number(line.line());
        }
        functionsOfLocation[loc.id()] = names;
    }

    QVERIFY(p.sample_size() >= raw.sampleRows);
    QVERIFY(raw.sampleRows > 0);
    Stacks stacks;
    for (const auto &s : p.sample()) {
        QCOMPARE(s.value_size(), p.sample_type_size());
        QStringList frames;
        for (quint64 id : s.location_id()) {
            const auto it = functionsOfLocation.find(id);
            QVERIFY2(it != functionsOfLocation.end(), "sample refers to a missing location");
            frames << it->second;
        }
        addTo(stacks, frames.join(u';'), std::vector<qint64>(s.value().begin(), s.value().end()));
    }
    dropZeroStacks(stacks);
    dropZeroStacks(raw.valuesByStack);
    QCOMPARE(stacks.size(), raw.valuesByStack.size());
    for (const auto &[stack, values] : stacks) {
        const auto it = raw.valuesByStack.find(stack);
        QVERIFY2(it != raw.valuesByStack.end(), qPrintable(stack));
        QCOMPARE(values, it->second);
    }
}

QString wireHex(const google::protobuf::MessageLite &m)
{
    return QString::fromLatin1(QByteArray::fromStdString(m.SerializeAsString()).toHex(' '));
}

} // namespace

class TestProtoCorpus : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY2(QDir(capturesDir()).exists(), qPrintable(capturesDir())); }

    void gunzipRejectsDamage()
    {
        const QByteArray gz = readAll(capturesDir() + u"/otlp-http-proto-gzip/logs-0001.bin.gz");
        QVERIFY(gz.size() > 100);
        QVERIFY(gunzip(gz).has_value());
        QVERIFY(!gunzip(gz.left(gz.size() - 9)).has_value());
        QVERIFY(!gunzip(gz.left(gz.size() / 2)).has_value());
        QVERIFY(!gunzip(QByteArray("not gzip at all")).has_value());
        QVERIFY(!gunzip(QByteArray()).has_value());
    }

    void otlpHttpProto_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = filesIn(QStringLiteral("otlp-http-proto"), QStringLiteral("*.bin"));
        QCOMPARE(files.size(), 4);
        for (const QString &f : files)
            QTest::newRow(qPrintable(f.section(u'/', -1))) << f;
    }
    void otlpHttpProto()
    {
        QFETCH(QString, path);
        parseAndCheckOtlp(path, readAll(path));
    }

    void otlpHttpProtoGzip_data()
    {
        QTest::addColumn<QString>("path");
        const QStringList files = filesIn(QStringLiteral("otlp-http-proto-gzip"), QStringLiteral("*.bin.gz"));
        QCOMPARE(files.size(), 4);
        for (const QString &f : files)
            QTest::newRow(qPrintable(f.section(u'/', -1))) << f;
    }
    void otlpHttpProtoGzip()
    {
        QFETCH(QString, path);
        const auto body = gunzip(readAll(path));
        QVERIFY(body.has_value());
        parseAndCheckOtlp(path, *body);
    }

    void otlpGrpc_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("folder");
        for (const QString &folder : {QStringLiteral("otlp-grpc"), QStringLiteral("otlp-grpc-gzip")}) {
            const QStringList files = filesIn(folder, QStringLiteral("*.grpc"));
            QCOMPARE(files.size(), 4);
            for (const QString &f : files)
                QTest::newRow(qPrintable(folder + u'/' + f.section(u'/', -1))) << f << folder;
        }
    }
    void otlpGrpc()
    {
        QFETCH(QString, path);
        QFETCH(QString, folder);
        const QString name = path.section(u'/', -1);

        // requests.jsonl records the :path and the frame layout of each call.
        QJsonObject request;
        for (const QByteArray &line : readAll(capturesDir() + u'/' + folder + u"/requests.jsonl").split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(u"file").toString() == name)
                request = o;
        }
        QVERIFY(!request.isEmpty());

        const auto frames = grpcFrames(readAll(path));
        QVERIFY(frames.has_value());
        const auto expected = request.value(u"frames").toArray();
        QCOMPARE(frames->size(), expected.size());
        QCOMPARE(frames->size(), 1);
        const GrpcFrame &frame = frames->first();
        QCOMPARE(frame.compressed, expected[0].toObject().value(u"compressed").toInt() == 1);
        QCOMPARE(qint64(frame.message.size()), expected[0].toObject().value(u"length").toInteger());
        QCOMPARE(frame.compressed, folder.endsWith(u"-gzip"));

        // Our package/service names must give the method path senders use.
        QString service;
        if (name.startsWith(u"traces-"))
            service = QString::fromLatin1(collector_trace::TraceService::service_full_name());
        else if (name.startsWith(u"metrics-"))
            service = QString::fromLatin1(collector_metrics::MetricsService::service_full_name());
        else
            service = QString::fromLatin1(collector_logs::LogsService::service_full_name());
        QCOMPARE(u'/' + service + u"/Export", request.value(u"path").toString());

        QByteArray message = frame.message;
        if (frame.compressed) {
            const auto inflated = gunzip(message);
            QVERIFY(inflated.has_value());
            message = *inflated;
        }
        parseAndCheckOtlp(path, message);
    }

    void pprofCaptures_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &folder : {QStringLiteral("go-pprof"), QStringLiteral("node-pprof")}) {
            const QStringList files = filesIn(folder, QStringLiteral("*.pb.gz"));
            QCOMPARE(files.size(), 2);
            for (const QString &f : files)
                QTest::newRow(qPrintable(folder + u'/' + f.section(u'/', -1))) << f;
        }
    }
    void pprofCaptures()
    {
        QFETCH(QString, path);
        const auto data = gunzip(readAll(path));
        QVERIFY(data.has_value());
        pprof::Profile profile;
        QVERIFY(profile.ParseFromArray(data->constData(), int(data->size())));
        QString rawPath = path;
        rawPath.replace(QStringLiteral(".pb.gz"), QStringLiteral(".raw.txt"));
        checkProfileAgainstRaw(profile, parseRaw(rawPath));
    }

    void pprofKnownContent()
    {
        const auto data = gunzip(readAll(capturesDir() + u"/go-pprof/cpu.pb.gz"));
        QVERIFY(data.has_value());
        pprof::Profile p;
        QVERIFY(p.ParseFromArray(data->constData(), int(data->size())));
        QCOMPARE(p.period(), 10'000'000);
        QVERIFY(p.mapping_size() >= 1); // -raw lists only the used one
        QVERIFY(p.mapping(0).has_functions());
        QVERIFY(str(p, p.mapping(0).filename()).endsWith(u"/goprof"));
        qint64 samples = 0;
        for (const auto &s : p.sample())
            samples += s.value(0);
        QCOMPARE(samples, 198); // SOURCE.txt: 198 samples
        QSet<QString> names;
        for (const auto &f : p.function())
            names.insert(str(p, f.name()));
        for (const char *expected : {"main.fib", "main.parseLogs", "main.buildIndex", "crypto/sha256.block"})
            QVERIFY2(names.contains(QString::fromLatin1(expected)), expected);
        bool inlined = false;
        for (const auto &loc : p.location())
            inlined |= loc.line_size() > 1;
        QVERIFY(inlined);
    }

    void truncatedMessagesNeverCrash()
    {
        const QByteArray full = readAll(capturesDir() + u"/otlp-http-proto/traces-0001.bin");
        QVERIFY(full.size() > 1000);
        collector_trace::ExportTraceServiceRequest req;
        QVERIFY(req.ParseFromArray(full.constData(), int(full.size())));
        QCOMPARE(int(allSpans(req).size()), 48);

        // A prefix cut at a field boundary is itself a valid (smaller) message;
        // anywhere else parsing must fail. Either way: no crash, no more spans.
        int rejected = 0;
        for (qsizetype n = 0; n < full.size(); ++n) {
            collector_trace::ExportTraceServiceRequest part;
            if (part.ParseFromArray(full.constData(), int(n)))
                QVERIFY(allSpans(part).size() <= 48);
            else
                ++rejected;
        }
        QVERIFY(rejected > full.size() / 2);

        const auto profileData = gunzip(readAll(capturesDir() + u"/node-pprof/heap.pb.gz"));
        QVERIFY(profileData.has_value());
        int profileRejected = 0;
        for (qsizetype n = 0; n < profileData->size(); ++n) {
            pprof::Profile part;
            profileRejected += !part.ParseFromArray(profileData->constData(), int(n));
        }
        QVERIFY(profileRejected > profileData->size() / 2);
    }

    // OTLP/JSON: protobuf's JSON mapping reads the structure, but ids are hex
    // in OTLP/JSON and base64 in proto3 JSON, so ids come out wrong (README).
    void otlpJsonStructure_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &f : filesIn(QStringLiteral("otlp-http-json"), QStringLiteral("*.json")))
            QTest::newRow(qPrintable(f.section(u'/', -2))) << f;
        for (const QString &f : filesIn(QStringLiteral("otlp-http-json-gzip"), QStringLiteral("*.json.gz")))
            QTest::newRow(qPrintable(f.section(u'/', -2))) << f;
    }
    void otlpJsonStructure()
    {
        QFETCH(QString, path);
        QByteArray json = readAll(path);
        if (path.endsWith(u".gz")) {
            const auto inflated = gunzip(json);
            QVERIFY(inflated.has_value());
            json = *inflated;
        }
        google::protobuf::util::JsonParseOptions options;
        options.ignore_unknown_fields = true;
        const QString name = path.section(u'/', -1);
        if (name.startsWith(u"traces-")) {
            collector_trace::ExportTraceServiceRequest req;
            const auto status = google::protobuf::util::JsonStringToMessage(json.toStdString(), &req, options);
            QVERIFY2(status.ok(), status.ToString().c_str());
            const auto spans = allSpans(req);
            QCOMPARE(int(spans.size()), 48);
            QCOMPARE(stringAttr(req.resource_spans(0).resource().attributes(), "service.name"),
                     QStringLiteral("corpus-shop"));
            // 32 hex digits read as base64 give 24 bytes, not 16.
            QCOMPARE(int(spans.front()->trace_id().size()), 24);
        } else if (name.startsWith(u"metrics-")) {
            collector_metrics::ExportMetricsServiceRequest req;
            const auto status = google::protobuf::util::JsonStringToMessage(json.toStdString(), &req, options);
            QVERIFY2(status.ok(), status.ToString().c_str());
            QCOMPARE(int(allMetrics(req).size()), name.startsWith(u"metrics-0002") ? 20 : 18);
            const auto *latency = findMetric(req, "shop.payment.latency");
            QVERIFY(latency && latency->has_exponential_histogram());
        } else {
            collector_logs::ExportLogsServiceRequest req;
            const auto status = google::protobuf::util::JsonStringToMessage(json.toStdString(), &req, options);
            QVERIFY2(status.ok(), status.ToString().c_str());
            QCOMPARE(int(allLogs(req).size()), 16);
        }
    }

    // Run A wrote the same spans and log records as protobuf and as JSON.
    void otlpJsonMatchesProtobuf()
    {
        collector_trace::ExportTraceServiceRequest fromProto, fromJson;
        const QByteArray bin = readAll(capturesDir() + u"/otlp-http-proto/traces-0001.bin");
        QVERIFY(fromProto.ParseFromArray(bin.constData(), int(bin.size())));
        const auto status = google::protobuf::util::JsonStringToMessage(
            readAll(capturesDir() + u"/otlp-http-json/traces-0001.json").toStdString(), &fromJson);
        QVERIFY2(status.ok(), status.ToString().c_str());

        // Hex digits are base64 digits and 32/16 are multiples of 4, so
        // re-encoding the mis-decoded bytes as base64 restores the hex text.
        auto key = [](const otlp_trace::Span &s, bool jsonIds) -> QString {
            const QByteArray t = QByteArray::fromStdString(s.trace_id());
            const QByteArray id = QByteArray::fromStdString(s.span_id());
            const QByteArray ids = jsonIds ? QByteArray(t.toBase64() + '/' + id.toBase64())
                                           : QByteArray(t.toHex() + '/' + id.toHex());
            return QString::fromLatin1(ids) + u' ' + qs(s.name());
        };
        QStringList a, b;
        for (const auto *s : allSpans(fromProto))
            a << key(*s, false);
        for (const auto *s : allSpans(fromJson))
            b << key(*s, true);
        a.sort();
        b.sort();
        QCOMPARE(a.size(), 48);
        QCOMPARE(a, b);

        collector_logs::ExportLogsServiceRequest logsProto, logsJson;
        const QByteArray logsBin = readAll(capturesDir() + u"/otlp-http-proto/logs-0001.bin");
        QVERIFY(logsProto.ParseFromArray(logsBin.constData(), int(logsBin.size())));
        QVERIFY(google::protobuf::util::JsonStringToMessage(
                    readAll(capturesDir() + u"/otlp-http-json/logs-0001.json").toStdString(), &logsJson)
                    .ok());
        // Only strings and kvlist keys: the JS JSON encoder turns whole
        // doubles into intValue, so nested numbers may differ in type.
        auto bodyKey = [](const otlp_logs::LogRecord &r) -> QString {
            QString k = qs(r.severity_text()) + u' ';
            if (r.body().has_string_value())
                return k + qs(r.body().string_value());
            QStringList keys;
            for (const auto &kv : r.body().kvlist_value().values())
                keys << qs(kv.key());
            return k + u"kvlist:" + keys.join(u',');
        };
        QStringList bodiesProto, bodiesJson;
        for (const auto *r : allLogs(logsProto))
            bodiesProto << bodyKey(*r);
        for (const auto *r : allLogs(logsJson))
            bodiesJson << bodyKey(*r);
        bodiesProto.sort();
        bodiesJson.sort();
        QCOMPARE(bodiesProto, bodiesJson);
    }

    void otlpJsonLinesFile()
    {
        const QList<QByteArray> lines = readAll(capturesDir() + u"/otlp-json-lines/otlp-file-exporter.jsonl").split('\n');
        int spans = 0, metrics = 0, logs = 0;
        for (const QByteArray &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            if (line.contains("\"resourceSpans\"")) {
                collector_trace::ExportTraceServiceRequest req;
                QVERIFY(google::protobuf::util::JsonStringToMessage(line.toStdString(), &req).ok());
                spans += int(allSpans(req).size());
            } else if (line.contains("\"resourceMetrics\"")) {
                collector_metrics::ExportMetricsServiceRequest req;
                QVERIFY(google::protobuf::util::JsonStringToMessage(line.toStdString(), &req).ok());
                metrics += int(allMetrics(req).size());
            } else {
                collector_logs::ExportLogsServiceRequest req;
                QVERIFY(google::protobuf::util::JsonStringToMessage(line.toStdString(), &req).ok());
                logs += int(allLogs(req).size());
            }
        }
        QCOMPARE(spans, 48);
        QCOMPARE(metrics, 18 + 20);
        QCOMPARE(logs, 16);
    }

    // No captures exist for these, so compare against encodings worked out
    // by hand from the public field numbers (tag byte = number << 3 | wire type).
    void remoteWriteWireFormat()
    {
        prometheus::WriteRequest req;
        auto *ts = req.add_timeseries();
        auto *l = ts->add_labels();
        l->set_name("a");
        l->set_value("b");
        auto *s = ts->add_samples();
        s->set_value(1.0);
        s->set_timestamp(2);
        auto *md = req.add_metadata();
        md->set_type(prometheus::MetricMetadata::COUNTER);
        md->set_metric_family_name("x");
        // timeseries(1){labels(1){name(1) value(2)} samples(2){value(1, double) timestamp(2)}}
        // metadata(3){type(1)=1 metric_family_name(2)="x"}
        QCOMPARE(wireHex(req), QStringLiteral("0a 15 0a 06 0a 01 61 12 01 62 12 0b 09 00 00 00 00 00 00 f0 3f 10 02 "
                                              "1a 05 08 01 12 01 78"));

        prometheus::WriteRequest back;
        QVERIFY(back.ParseFromString(req.SerializeAsString()));
        QCOMPARE(back.timeseries(0).samples(0).timestamp(), 2);
    }

    void lokiPushWireFormat()
    {
        logproto::PushRequest req;
        auto *stream = req.add_streams();
        stream->set_labels("{a=\"b\"}");
        auto *e = stream->add_entries();
        e->mutable_timestamp()->set_seconds(1);
        e->mutable_timestamp()->set_nanos(2);
        e->set_line("x");
        auto *md = e->add_structuredmetadata();
        md->set_name("k");
        md->set_value("v");
        // streams(1){labels(1)="{a="b"}" entries(2){timestamp(1){seconds(1) nanos(2)} line(2) structuredMetadata(3){..}}}
        QCOMPARE(wireHex(req), QStringLiteral("0a 1c 0a 07 7b 61 3d 22 62 22 7d 12 11 0a 04 08 01 10 02 12 01 78 "
                                              "1a 06 0a 01 6b 12 01 76"));
    }

    void pprofWireFormat()
    {
        pprof::Profile p;
        p.add_string_table("");
        p.add_string_table("cpu");
        auto *st = p.add_sample_type();
        st->set_type(1);
        st->set_unit(1);
        auto *s = p.add_sample();
        s->add_location_id(7);
        s->add_value(3);
        p.set_period(5);
        // sample_type(1){type(1) unit(2)} sample(2){location_id(1) packed, value(2) packed}
        // string_table(6) x2, period(12)
        QCOMPARE(wireHex(p), QStringLiteral("0a 04 08 01 10 01 12 06 0a 01 07 12 01 03 32 00 32 03 63 70 75 60 05"));
    }
};

QTEST_GUILESS_MAIN(TestProtoCorpus)
#include "tst_proto_corpus.moc"
