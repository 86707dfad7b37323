#pragma once

#include "core/datasource/datasource.h"
#include "core/datasource/http_client.h"
#include "core/datasource/live_tail.h"

#include <memory>

namespace spyglass::plugins::loki {

// A datasource backed by Loki's HTTP API (Loki, Grafana Cloud Logs or
// spyglass-core serve). Settings as every HTTP plugin (datasource::HttpClient:
// url, auth, custom headers, jsonData.tenantId -> X-Scope-OrgID, TLS,
// timeout) plus jsonData.maxLines (default limit, 1000 as Grafana).
// Immutable after creation, so concurrent calls from worker threads are safe.
//
// Query options: "limit" (lines), "direction" ("backward" | "forward"),
// "legendFormat", "step" / "interval" (durations), "queryType"
// ("range" | "instant"; QueryRequest::instant works too).
class LokiDatasource final : public datasource::Datasource, public datasource::LiveTail
{
public:
    static Result<std::unique_ptr<LokiDatasource>> create(const datasource::DatasourceSettings &settings);

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Logs; }

    // Log queries: one Logs frame; metric queries: time series frames.
    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    // Time range and selector narrow the look-ups as in Grafana's editor.
    Result<QStringList> lookupLabelNames(const datasource::LabelLookup &lookup, const CancelToken &cancel) override;
    Result<QStringList> lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                          const CancelToken &cancel) override;
    // "Loki 3.1.0, 12 labels" or "Loki API, 12 labels".
    Result<QString> checkHealth(const CancelToken &cancel) override;

    datasource::LiveTail *liveTail() override { return this; }
    // WebSocket /loki/api/v1/tail; each message becomes a Logs frame.
    Result<void> tail(const datasource::TailRequest &request, const datasource::TailSink &sink,
                      const CancelToken &cancel) override;

    const datasource::HttpClient &client() const { return m_client; }
    // The URL tail() connects to (for tests and diagnostics).
    QUrl tailUrl(const datasource::TailRequest &request) const;

private:
    LokiDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client, int maxLines);

    datasource::DatasourceSettings m_settings;
    datasource::HttpClient m_client;
    int m_maxLines = 1000;
};

} // namespace spyglass::plugins::loki
