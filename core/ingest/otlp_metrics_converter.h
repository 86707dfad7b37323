#pragma once

#include "core/ingest/ingest_types.h"
#include "core/model/result.h"

#include <QByteArrayView>
#include <memory>

namespace opentelemetry::proto::collector::metrics::v1 {
class ExportMetricsServiceRequest;
}

namespace spyglass::ingest {

struct OtlpMetricsOptions
{
    // otel_scope_name / otel_scope_version labels on every series (as the
    // Collector's Prometheus exporter does): keeps metrics of two scopes
    // with the same name and attributes apart.
    bool scopeLabels = true;
    // target_info{job, instance, <other resource attributes>} = 1.
    bool targetInfo = true;
};

// OTLP metrics -> Prometheus series, the way the Prometheus OTLP translator
// maps them (see README.md, "OTLP metrics mapping"):
//   gauge -> gauge; monotonic sum -> counter `_total`; non-monotonic sum ->
//   gauge; histogram -> `_bucket{le}` (cumulative), `_sum`, `_count`;
//   exponential histogram -> the same classic buckets, one per populated
//   exponential bucket; summary -> `{quantile}`, `_sum`, `_count`.
//   Names: dots to underscores, unit suffixes ("s" -> `_seconds`).
//   Resource: service.namespace/service.name -> job, service.instance.id ->
//   instance; other resource attributes on target_info.
// DELTA sums and histograms are accumulated into cumulative series (state is
// kept per series in this object, like the Collector's deltatocumulative
// processor), so rate() works on them; one converter should serve all
// requests of a receiver. Thread-safe.
class OtlpMetricsConverter
{
public:
    explicit OtlpMetricsConverter(OtlpMetricsOptions options = {});
    ~OtlpMetricsConverter();
    OtlpMetricsConverter(const OtlpMetricsConverter &) = delete;
    OtlpMetricsConverter &operator=(const OtlpMetricsConverter &) = delete;

    MetricsConversion convert(
        const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest &request);

    // Parses an ExportMetricsServiceRequest (protobuf or OTLP/JSON) and
    // converts it. Errors are Kind::BadData with a readable reason.
    Result<MetricsConversion> decode(QByteArrayView body, PayloadEncoding encoding);

    struct State; // conversion state, defined in the .cpp

private:
    std::unique_ptr<State> m_state;
};

} // namespace spyglass::ingest
