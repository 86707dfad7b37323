#pragma once

#include "core/datasource/datasource.h"
#include "core/datasource/http_client.h"

#include <memory>

namespace spyglass::plugins::prometheus {

// The time parameters of one query_range call.
struct RangeParams
{
    model::TimestampMs start = 0;
    model::TimestampMs end = 0;
    std::int64_t stepMs = 0;
};

// A datasource backed by a Prometheus-compatible HTTP API: Prometheus,
// Mimir (url with its /prometheus prefix), Thanos, VictoriaMetrics or
// spyglass-core serve. Immutable after creation, so concurrent calls from
// worker threads are safe.
//
// Query options read from QueryRequest::options: "legendFormat"
// (`{{job}}`), "format" ("time_series" | "table"), "minStep" / "interval"
// (a duration such as "30s"). jsonData.timeInterval (Grafana's scrape
// interval) is a lower bound of the step too.
class PrometheusDatasource final : public datasource::Datasource
{
public:
    static Result<std::unique_ptr<PrometheusDatasource>> create(const datasource::DatasourceSettings &settings);

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Metrics; }

    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    // "Prometheus 2.42.0" (or the application the server names, e.g. "Grafana Mimir 2.10.0").
    Result<QString> checkHealth(const CancelToken &cancel) override;

    // All metric names, for completion: the values of __name__.
    Result<QStringList> metricNames(const CancelToken &cancel) { return labelValues(QStringLiteral("__name__"), cancel); }

    // The step and the range Grafana would send for this request: the step
    // is the request's effective step raised to the minimum step and so that
    // at most 11,000 points come back (Prometheus's limit); start is rounded
    // down and end up to multiples of it, so consecutive refreshes hit the
    // same evaluation instants.
    RangeParams rangeParams(const datasource::QueryRequest &request) const;

    const datasource::HttpClient &client() const { return m_client; }

private:
    PrometheusDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client, std::int64_t minStepMs);

    datasource::DatasourceSettings m_settings;
    datasource::HttpClient m_client;
    std::int64_t m_minStepMs = 0;
};

// Unix milliseconds as the API's decimal seconds ("1700000000", "1700000000.25").
QString formatApiSeconds(std::int64_t ms);

} // namespace spyglass::plugins::prometheus
