#pragma once

#include "core/datasource/datasource.h"
#include "core/datasource/http_client.h"

#include <memory>

namespace spyglass::plugins::tempo {

// A datasource backed by Tempo's HTTP API (Tempo, Grafana Cloud Traces or
// spyglass-core serve). Settings as every HTTP plugin (datasource::HttpClient).
// Immutable after creation, so concurrent calls from worker threads are safe.
//
// query() by options["queryType"]:
//   "traceql" (default)  TraceQL search: one Table frame (traceID,
//                        rootServiceName, rootTraceName, startTime,
//                        traceDuration, spanSets, matched); a metrics query
//                        (`| rate()` ...) gives time series frames instead
//   "search"             the same with options tags (logfmt), minDuration,
//                        maxDuration besides the query
//   "traceId"            the trace whose id is the query: one Spans frame
//   "metrics"            TraceQL metrics query_range: time series frames
// Options: limit (traces, default 20), spss (spans per span set), step.
class TempoDatasource final : public datasource::Datasource
{
public:
    static Result<std::unique_ptr<TempoDatasource>> create(const datasource::DatasourceSettings &settings);

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Traces; }

    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    // TraceQL names: "span.x", "resource.x" and intrinsics ("name", "status", ...).
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    // "Tempo 2.6.0" (or "Tempo API" without build info).
    Result<QString> checkHealth(const CancelToken &cancel) override;

    // One trace by id (hex; shorter ids are zero-padded as Tempo does).
    Result<model::Frame> trace(const QString &traceId, const CancelToken &cancel);

    const datasource::HttpClient &client() const { return m_client; }

private:
    TempoDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client);
    Result<model::Frames> search(const datasource::QueryRequest &request, const CancelToken &cancel);
    Result<model::Frames> metrics(const datasource::QueryRequest &request, const CancelToken &cancel);

    datasource::DatasourceSettings m_settings;
    datasource::HttpClient m_client;
};

} // namespace spyglass::plugins::tempo
