#pragma once

#include "core/datasource/datasource.h"
#include "core/datasource/http_client.h"

#include <memory>

namespace spyglass::plugins::jaeger {

// A datasource backed by Jaeger's query API (jaeger-query / all-in-one,
// the HTTP JSON API its UI uses). Settings as every HTTP plugin
// (datasource::HttpClient). Immutable after creation: thread-safe.
//
// query() by options["queryType"]:
//   "search"   (default when options["service"] is set) /api/traces with
//              service, operation, tags (logfmt `k=v k2="v 2"` or a JSON
//              object), minDuration, maxDuration, limit (default 20) and
//              the request's range: a Table frame like Tempo's search
//   "traceId"  (default otherwise) the trace whose id is the query: one
//              Spans frame (plugins/common/span_frame.h)
// Look-ups: labelNames() = {"service", "operation"}; labelValues("service")
// = the services; lookupLabelValues("operation", {selector = service}).
class JaegerDatasource final : public datasource::Datasource
{
public:
    static Result<std::unique_ptr<JaegerDatasource>> create(const datasource::DatasourceSettings &settings);

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Traces; }

    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    Result<QStringList> lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                          const CancelToken &cancel) override;
    // "Jaeger, 4 services".
    Result<QString> checkHealth(const CancelToken &cancel) override;

    Result<QStringList> services(const CancelToken &cancel);
    Result<QStringList> operations(const QString &service, const CancelToken &cancel);

private:
    JaegerDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client);
    Result<model::Frame> search(const datasource::QueryRequest &request, const CancelToken &cancel);
    Result<model::Frame> trace(const QString &traceId, const CancelToken &cancel);

    datasource::DatasourceSettings m_settings;
    datasource::HttpClient m_client;
};

} // namespace spyglass::plugins::jaeger
