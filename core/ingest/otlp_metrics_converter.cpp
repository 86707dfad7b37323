#include "core/ingest/otlp_metrics_converter.h"

#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_values.h"
#include "core/ingest/prometheus_naming.h"
#include "core/ingest/series_builder.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

#include <QHash>
#include <QSet>

#include <cmath>
#include <map>
#include <mutex>

namespace spyglass::ingest {

namespace pb = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using model::Labels;
using model::TimestampMs;
using otlp::qs;

struct OtlpMetricsConverter::State
{
    OtlpMetricsOptions options;
    std::mutex mutex;
    // DELTA -> cumulative running totals per output series.
    struct Running
    {
        double total = 0;
        std::uint64_t startNs = 0;
    };
    QHash<Labels, Running> running;
};

namespace {

constexpr std::uint32_t kNoRecordedValue = 1; // DataPointFlags.NO_RECORDED_VALUE_MASK

const QString kName = QStringLiteral("__name__");
const QString kLe = QStringLiteral("le");

class Conversion
{
public:
    Conversion(OtlpMetricsConverter::State &state, MetricsConversion &out) : m_state(state), m_out(out) {}

    void resource(const pb::ResourceMetrics &rm)
    {
        const auto &attrs = rm.resource().attributes();
        const QString service = otlp::attributeText(attrs, "service.name");
        const QString ns = otlp::attributeText(attrs, "service.namespace");
        const QString instance = otlp::attributeText(attrs, "service.instance.id");
        QList<model::Label> base;
        if (!service.isEmpty())
            base.append({QStringLiteral("job"), ns.isEmpty() ? service : ns + u'/' + service});
        if (!instance.isEmpty())
            base.append({QStringLiteral("instance"), instance});
        m_resourceLabels = base;

        m_timestamps.clear();
        for (const auto &sm : rm.scope_metrics()) {
            m_scopeLabels.clear();
            if (m_state.options.scopeLabels) {
                if (!sm.scope().name().empty())
                    m_scopeLabels.append({QStringLiteral("otel_scope_name"), qs(sm.scope().name())});
                if (!sm.scope().version().empty())
                    m_scopeLabels.append({QStringLiteral("otel_scope_version"), qs(sm.scope().version())});
            }
            for (const auto &m : sm.metrics())
                metric(m);
        }

        if (m_state.options.targetInfo && !m_timestamps.isEmpty()) {
            QList<model::Label> info = base;
            for (const auto &kv : attrs) {
                if (kv.key() == "service.name" || kv.key() == "service.namespace"
                    || kv.key() == "service.instance.id")
                    continue;
                const QString v = otlp::anyValueText(kv.value());
                if (!v.isEmpty())
                    info.append({prometheusLabelName(qs(kv.key())), v});
            }
            // Only worth a series when it says more than job/instance.
            if (info.size() > base.size()) {
                info.append({kName, QStringLiteral("target_info")});
                const Labels l(info);
                for (TimestampMs t : std::as_const(m_timestamps))
                    m_builder.add(l, t, 1.0);
            }
        }
    }

    void finish() { m_out.series = m_builder.take(); }

private:
    void reject(const QString &why, std::int64_t points)
    {
        m_out.rejectedPoints += points;
        noteProblem(m_out.problems, why);
    }

    // Point attributes + scope + resource labels (resource job/instance win,
    // as in the translator). Attributes that collide after sanitising are
    // joined with ';'.
    QList<model::Label> pointLabels(const google::protobuf::RepeatedPtrField<otlp::common::KeyValue> &attrs)
    {
        QList<model::Label> l;
        l.reserve(attrs.size() + 4);
        for (const auto &kv : attrs) {
            const QString name = prometheusLabelName(qs(kv.key()));
            const QString value = otlp::anyValueText(kv.value());
            if (name.isEmpty() || value.isEmpty())
                continue;
            bool merged = false;
            for (auto &existing : l)
                if (existing.name == name) {
                    existing.value += u';' + value;
                    merged = true;
                }
            if (!merged)
                l.append({name, value});
        }
        l.append(m_scopeLabels);
        l.append(m_resourceLabels);
        return l;
    }

    // OTLP exemplars -> Prometheus ones: trace_id/span_id (hex) plus the
    // filtered attributes as exemplar labels.
    template <typename Point>
    void exemplars(const Point &p, QList<model::Label> labels, const QString &name,
                   const QList<double> &bounds = {})
    {
        for (const auto &e : p.exemplars()) {
            if (!timeOk(e.time_unix_nano())) {
                ++m_out.ignoredExemplars;
                continue;
            }
            const double v = e.value_case() == pb::Exemplar::kAsInt ? double(e.as_int()) : e.as_double();
            QList<model::Label> el;
            if (e.trace_id().size() == 16)
                el.append({QStringLiteral("trace_id"), otlp::hexId(e.trace_id())});
            if (e.span_id().size() == 8)
                el.append({QStringLiteral("span_id"), otlp::hexId(e.span_id())});
            for (const auto &kv : e.filtered_attributes())
                el.append({prometheusLabelName(qs(kv.key())), otlp::anyValueText(kv.value())});
            auto sl = labels;
            if (!bounds.isEmpty() || name.endsWith(u"_bucket")) {
                QString le = QStringLiteral("+Inf");
                for (double b : bounds)
                    if (v <= b) {
                        le = otlp::formatFloat(b);
                        break;
                    }
                sl.append({kLe, le});
            }
            sl.append({kName, name});
            m_out.exemplars.append({Labels(sl), model::Exemplar{Labels(el), v,
                                                                TimestampMs(e.time_unix_nano() / 1'000'000), true}});
        }
    }

    void put(QList<model::Label> labels, const QString &name, TimestampMs t, double v, bool delta,
              std::uint64_t startNs)
    {
        labels.append({kName, name});
        const Labels l(std::move(labels));
        if (delta && !model::isStaleNaN(v)) {
            auto &r = m_state.running[l];
            // A new start time after a reset of the sender (or a gap) still
            // only adds: a cumulative series must not go down.
            r.total += v;
            r.startNs = startNs;
            v = r.total;
        }
        m_builder.add(l, t, v);
    }

    static bool timeOk(std::uint64_t ns) { return ns > 0 && ns < std::uint64_t(std::numeric_limits<std::int64_t>::max()); }

    void metric(const pb::Metric &m)
    {
        const QString otlpName = qs(m.name());
        const QString unit = qs(m.unit());
        if (otlpName.isEmpty()) {
            reject(QStringLiteral("a metric without a name was dropped"), pointCount(m));
            return;
        }
        switch (m.data_case()) {
        case pb::Metric::kGauge:
            numberPoints(m.gauge().data_points(), prometheusMetricName(otlpName, unit, PromMetricKind::Gauge), false);
            break;
        case pb::Metric::kSum: {
            const auto temp = m.sum().aggregation_temporality();
            if (temp == pb::AGGREGATION_TEMPORALITY_UNSPECIFIED) {
                reject(QStringLiteral("metric %1: sum without aggregation temporality was dropped").arg(otlpName),
                       m.sum().data_points_size());
                break;
            }
            const bool counter = m.sum().is_monotonic();
            numberPoints(m.sum().data_points(),
                         prometheusMetricName(otlpName, unit, counter ? PromMetricKind::Counter : PromMetricKind::Gauge),
                         temp == pb::AGGREGATION_TEMPORALITY_DELTA);
            break;
        }
        case pb::Metric::kHistogram: {
            const auto temp = m.histogram().aggregation_temporality();
            if (temp == pb::AGGREGATION_TEMPORALITY_UNSPECIFIED) {
                reject(QStringLiteral("metric %1: histogram without aggregation temporality was dropped").arg(otlpName),
                       m.histogram().data_points_size());
                break;
            }
            histogramPoints(m.histogram().data_points(), prometheusMetricName(otlpName, unit, PromMetricKind::Histogram),
                            temp == pb::AGGREGATION_TEMPORALITY_DELTA);
            break;
        }
        case pb::Metric::kExponentialHistogram: {
            const auto temp = m.exponential_histogram().aggregation_temporality();
            if (temp == pb::AGGREGATION_TEMPORALITY_UNSPECIFIED) {
                reject(QStringLiteral("metric %1: histogram without aggregation temporality was dropped").arg(otlpName),
                       m.exponential_histogram().data_points_size());
                break;
            }
            exponentialPoints(m.exponential_histogram().data_points(),
                              prometheusMetricName(otlpName, unit, PromMetricKind::Histogram),
                              temp == pb::AGGREGATION_TEMPORALITY_DELTA);
            break;
        }
        case pb::Metric::kSummary:
            summaryPoints(m.summary().data_points(), prometheusMetricName(otlpName, unit, PromMetricKind::Summary));
            break;
        case pb::Metric::DATA_NOT_SET:
            reject(QStringLiteral("metric %1 has no data (no gauge, sum, histogram or summary)").arg(otlpName), 0);
            break;
        }
    }

    static std::int64_t pointCount(const pb::Metric &m)
    {
        switch (m.data_case()) {
        case pb::Metric::kGauge: return m.gauge().data_points_size();
        case pb::Metric::kSum: return m.sum().data_points_size();
        case pb::Metric::kHistogram: return m.histogram().data_points_size();
        case pb::Metric::kExponentialHistogram: return m.exponential_histogram().data_points_size();
        case pb::Metric::kSummary: return m.summary().data_points_size();
        case pb::Metric::DATA_NOT_SET: break;
        }
        return 0;
    }

    template <typename Point>
    bool pointOk(const Point &p, const QString &name)
    {
        if (!timeOk(p.time_unix_nano())) {
            reject(QStringLiteral("metric %1: a data point without time_unix_nano was dropped").arg(name), 1);
            return false;
        }
        return true;
    }

    void noteTime(TimestampMs t) { m_timestamps.insert(t); }

    void numberPoints(const google::protobuf::RepeatedPtrField<pb::NumberDataPoint> &points, const QString &name,
                      bool delta)
    {
        for (const auto &p : points) {
            if (!pointOk(p, name))
                continue;
            const TimestampMs t = TimestampMs(p.time_unix_nano() / 1'000'000);
            double v;
            if (p.flags() & kNoRecordedValue)
                v = model::staleNaN();
            else if (p.value_case() == pb::NumberDataPoint::kAsInt)
                v = double(p.as_int());
            else
                v = p.as_double();
            put(pointLabels(p.attributes()), name, t, v, delta, p.start_time_unix_nano());
            if (p.exemplars_size() > 0)
                exemplars(p, pointLabels(p.attributes()), name);
            noteTime(t);
            ++m_out.acceptedPoints;
        }
    }

    void histogramPoints(const google::protobuf::RepeatedPtrField<pb::HistogramDataPoint> &points,
                         const QString &name, bool delta)
    {
        const QString bucket = name + QStringLiteral("_bucket");
        const QString sum = name + QStringLiteral("_sum");
        const QString count = name + QStringLiteral("_count");
        for (const auto &p : points) {
            if (!pointOk(p, name))
                continue;
            if (p.bucket_counts_size() != 0 && p.bucket_counts_size() != p.explicit_bounds_size() + 1) {
                reject(QStringLiteral("histogram %1: a data point with %2 bucket counts for %3 bounds was dropped "
                                      "(expected bounds + 1)")
                           .arg(name)
                           .arg(p.bucket_counts_size())
                           .arg(p.explicit_bounds_size()),
                       1);
                continue;
            }
            const TimestampMs t = TimestampMs(p.time_unix_nano() / 1'000'000);
            const bool stale = p.flags() & kNoRecordedValue;
            const auto labels = pointLabels(p.attributes());
            const auto st = p.start_time_unix_nano();
            std::uint64_t cumulative = 0;
            for (int i = 0; i < p.explicit_bounds_size(); ++i) {
                cumulative += p.bucket_counts_size() ? p.bucket_counts(i) : 0;
                auto l = labels;
                l.append({kLe, otlp::formatFloat(p.explicit_bounds(i))});
                put(l, bucket, t, stale ? model::staleNaN() : double(cumulative), delta, st);
            }
            auto inf = labels;
            inf.append({kLe, QStringLiteral("+Inf")});
            put(inf, bucket, t, stale ? model::staleNaN() : double(p.count()), delta, st);
            if (p.has_sum() || stale)
                put(labels, sum, t, stale ? model::staleNaN() : p.sum(), delta, st);
            put(labels, count, t, stale ? model::staleNaN() : double(p.count()), delta, st);
            if (p.exemplars_size() > 0)
                exemplars(p, labels, bucket, QList<double>(p.explicit_bounds().begin(), p.explicit_bounds().end()));
            noteTime(t);
            ++m_out.acceptedPoints;
        }
    }

    void exponentialPoints(const google::protobuf::RepeatedPtrField<pb::ExponentialHistogramDataPoint> &points,
                           const QString &name, bool delta)
    {
        const QString bucket = name + QStringLiteral("_bucket");
        const QString sum = name + QStringLiteral("_sum");
        const QString count = name + QStringLiteral("_count");
        for (const auto &p : points) {
            if (!pointOk(p, name))
                continue;
            if (p.scale() < -10 || p.scale() > 20) {
                reject(QStringLiteral("exponential histogram %1: a data point with scale %2 (outside -10..20) was "
                                      "dropped")
                           .arg(name)
                           .arg(p.scale()),
                       1);
                continue;
            }
            const TimestampMs t = TimestampMs(p.time_unix_nano() / 1'000'000);
            const bool stale = p.flags() & kNoRecordedValue;
            const auto labels = pointLabels(p.attributes());
            const auto st = p.start_time_unix_nano();
            const double step = std::ldexp(1.0, -p.scale()); // log2 of the bucket base
            auto boundary = [&](std::int64_t index) { return std::exp2(double(index) * step); };

            // Classic buckets from the most negative values up: negative
            // bucket i holds (-base^(i+1), -base^i], so its upper bound is
            // -base^i; then the zero bucket; then positive bucket i with
            // upper bound base^(i+1).
            std::uint64_t cumulative = 0;
            auto addBucket = [&](double le, std::uint64_t n) {
                cumulative += n;
                auto l = labels;
                l.append({kLe, otlp::formatFloat(le)});
                put(l, bucket, t, stale ? model::staleNaN() : double(cumulative), delta, st);
            };
            const auto &neg = p.negative();
            for (int k = neg.bucket_counts_size() - 1; k >= 0; --k)
                if (neg.bucket_counts(k) != 0)
                    addBucket(-boundary(std::int64_t(neg.offset()) + k), neg.bucket_counts(k));
            if (p.zero_count() != 0 || neg.bucket_counts_size() != 0)
                addBucket(p.zero_threshold(), p.zero_count());
            const auto &pos = p.positive();
            for (int k = 0; k < pos.bucket_counts_size(); ++k)
                if (pos.bucket_counts(k) != 0)
                    addBucket(boundary(std::int64_t(pos.offset()) + k + 1), pos.bucket_counts(k));
            auto inf = labels;
            inf.append({kLe, QStringLiteral("+Inf")});
            put(inf, bucket, t, stale ? model::staleNaN() : double(p.count()), delta, st);
            if (p.has_sum() || stale)
                put(labels, sum, t, stale ? model::staleNaN() : p.sum(), delta, st);
            put(labels, count, t, stale ? model::staleNaN() : double(p.count()), delta, st);
            noteTime(t);
            ++m_out.acceptedPoints;
        }
    }

    void summaryPoints(const google::protobuf::RepeatedPtrField<pb::SummaryDataPoint> &points, const QString &name)
    {
        const QString sum = name + QStringLiteral("_sum");
        const QString count = name + QStringLiteral("_count");
        for (const auto &p : points) {
            if (!timeOk(p.time_unix_nano())) {
                reject(QStringLiteral("metric %1: a data point without time_unix_nano was dropped").arg(name), 1);
                continue;
            }
            const TimestampMs t = TimestampMs(p.time_unix_nano() / 1'000'000);
            const bool stale = p.flags() & kNoRecordedValue;
            const auto labels = pointLabels(p.attributes());
            for (const auto &q : p.quantile_values()) {
                auto l = labels;
                l.append({QStringLiteral("quantile"), otlp::formatFloat(q.quantile())});
                put(l, name, t, stale ? model::staleNaN() : q.value(), false, 0);
            }
            put(labels, sum, t, stale ? model::staleNaN() : p.sum(), false, 0);
            put(labels, count, t, stale ? model::staleNaN() : double(p.count()), false, 0);
            noteTime(t);
            ++m_out.acceptedPoints;
        }
    }

    OtlpMetricsConverter::State &m_state;
    MetricsConversion &m_out;
    SeriesBuilder m_builder;
    QList<model::Label> m_resourceLabels;
    QList<model::Label> m_scopeLabels;
    QSet<TimestampMs> m_timestamps;
};

} // namespace

OtlpMetricsConverter::OtlpMetricsConverter(OtlpMetricsOptions options) : m_state(std::make_unique<State>())
{
    m_state->options = options;
}

OtlpMetricsConverter::~OtlpMetricsConverter() = default;

MetricsConversion OtlpMetricsConverter::convert(const ExportMetricsServiceRequest &request)
{
    MetricsConversion out;
    // The lock covers the delta running totals; conversion is cheap next to
    // the store's commit, so one lock for the whole request is fine.
    std::lock_guard lock(m_state->mutex);
    Conversion c(*m_state, out);
    for (const auto &rm : request.resource_metrics())
        c.resource(rm);
    c.finish();
    return out;
}

Result<MetricsConversion> OtlpMetricsConverter::decode(QByteArrayView body, PayloadEncoding encoding)
{
    ExportMetricsServiceRequest req;
    if (encoding == PayloadEncoding::Json) {
        if (auto r = OtlpJsonDecoder::decode(body, req); !r)
            return fail(r.error());
    } else if (!req.ParseFromArray(body.data(), int(body.size()))) {
        return fail(Error::badData(
            QStringLiteral("the body is not a valid protobuf ExportMetricsServiceRequest (%1 bytes)").arg(body.size())));
    }
    return convert(req);
}

} // namespace spyglass::ingest
