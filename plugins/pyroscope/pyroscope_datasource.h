#pragma once

#include "core/datasource/datasource.h"
#include "core/model/profile.h"
#include "core/datasource/http_client.h"

#include <memory>

namespace spyglass::plugins::pyroscope {

enum class QueryType { Profile, Metrics, Both };

// A datasource backed by Pyroscope's querier API (Connect, JSON encoding):
// Pyroscope 1.x, Grafana Cloud Profiles or spyglass-core serve. Immutable
// after creation, so concurrent calls from worker threads are safe.
//
// query(): request.expr is a profile selector,
// `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}`. Options
// read from QueryRequest::options (Grafana's query model names):
//   "queryType"  "profile" (one ProfileTree frame, SelectMergeStacktraces),
//                "metrics" (TimeSeries frames, SelectSeries) or "both" (default)
//   "groupBy"    label names (a list or "a,b") splitting the series
//   "maxNodes"   flame graph size limit (default 16384)
//   "minStep" / "interval"   lower bound of the series step (a duration)
// jsonData.minStep (default "15s") bounds the step too.
class PyroscopeDatasource final : public datasource::Datasource
{
public:
    static Result<std::unique_ptr<PyroscopeDatasource>> create(const datasource::DatasourceSettings &settings);

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Profiles; }

    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    // Over the last 24 hours; names starting with "__" (Pyroscope's
    // reserved labels) are left out, as Grafana does.
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    // "Pyroscope: 3 profile types" (over the last 24 hours).
    Result<QString> checkHealth(const CancelToken &cancel) override;

    // The profile types with data in [fromMs, toMs], for the type picker.
    Result<QList<model::ProfileType>> profileTypes(model::TimestampMs fromMs, model::TimestampMs toMs,
                                                   const CancelToken &cancel) const;
    // Label names / values of the series matching any of `selectors`
    // (profile selectors like the query's; empty = all) in [fromMs, toMs],
    // reserved names included.
    Result<QStringList> labelNames(const QStringList &selectors, model::TimestampMs fromMs, model::TimestampMs toMs,
                                   const CancelToken &cancel) const;
    Result<QStringList> labelValues(const QString &label, const QStringList &selectors, model::TimestampMs fromMs,
                                    model::TimestampMs toMs, const CancelToken &cancel) const;

    // The SelectSeries step for a request, in seconds: range / maxDataPoints,
    // raised to the minimum steps above.
    Result<double> seriesStepSeconds(const datasource::QueryRequest &request) const;

    const datasource::HttpClient &client() const { return m_client; }

private:
    PyroscopeDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client, std::int64_t minStepMs);

    Result<QJsonObject> call(const QString &method, const QJsonObject &request, const CancelToken &cancel) const;

    datasource::DatasourceSettings m_settings;
    datasource::HttpClient m_client;
    std::int64_t m_minStepMs = 15000;
};

Result<QueryType> parseQueryType(const QString &text);

} // namespace spyglass::plugins::pyroscope
