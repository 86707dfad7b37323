#pragma once

#include "core/datasource/datasource.h"
#include "core/datasource/live_tail.h"
#include "core/query/promql/engine.h"

#include <QObject>

namespace spyglass::plugins::local {

// The embedded store as a datasource, one engine per language:
//   promql  (default)  PromQL over the metric store
//   logql              LogQL over the log store: a Logs frame (Time, Line,
//                      labels, tsNs, structuredMetadata, parsed) or time series
//                      for metric queries; options limit, direction
//   traceql            TraceQL search over the span store: a Table frame like
//                      Tempo's search result, time series for metrics queries
//                      (`| rate()`), or with options queryType "traceId" the
//                      trace whose id is the query, as a Spans frame
//   profile            `type{selector}`: the merged profile as a ProfileTree
//                      frame (level, value, self, label); option maxNodes
// The language comes from QueryRequest::options["language"], then
// settings.jsonData["language"], then "promql".
// Stateless apart from settings, so concurrent queries are safe as long as
// the store is (it is: reads run concurrently with appends).
class LocalDatasource final : public datasource::Datasource, public datasource::LiveTail
{
public:
    // `storage` must outlive the datasource.
    LocalDatasource(datasource::DatasourceSettings settings, store::Storage &storage,
                    query::promql::EngineOptions engineOptions = {});

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override
    {
        return datasource::Capability::Metrics | datasource::Capability::Logs | datasource::Capability::Traces
               | datasource::Capability::Profiles;
    }

    // Range requests give one TimeSeries frame per series. Instant requests
    // give one Table frame (Time, one column per label, Value), or with
    // options["format"] == "time_series" one single-row TimeSeries frame per
    // series, like Grafana's Prometheus datasource.
    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    Result<QString> checkHealth(const CancelToken &cancel) override;
    // Per language: logql stream labels, traceql scoped attribute names
    // (span.x, resource.x) and intrinsics, profile series labels (and
    // "__profile_type__" values), promql series labels.
    Result<QStringList> lookupLabelNames(const datasource::LabelLookup &lookup, const CancelToken &cancel) override;
    Result<QStringList> lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                          const CancelToken &cancel) override;

    // Live tail of a LogQL log query over the log store (polled, as the
    // core's /loki/api/v1/tail does): the first batch holds at most
    // request.limit lines since request.from, then every new line once.
    datasource::LiveTail *liveTail() override { return this; }
    Result<void> tail(const datasource::TailRequest &request, const datasource::TailSink &sink,
                      const CancelToken &cancel) override;

    // The language a request is routed to.
    QString languageOf(const datasource::QueryRequest &request) const;

private:
    Result<model::Frames> queryPromql(const datasource::QueryRequest &request, const CancelToken &cancel);
    Result<model::Frames> queryLogql(const datasource::QueryRequest &request, const CancelToken &cancel);
    Result<model::Frames> queryTraceql(const datasource::QueryRequest &request, const CancelToken &cancel);
    Result<model::Frames> queryProfile(const datasource::QueryRequest &request, const CancelToken &cancel);
    void stampAll(model::Frames &frames, const datasource::QueryRequest &request, const QString &language) const;

    datasource::DatasourceSettings m_settings;
    store::Storage &m_storage;
    query::promql::Engine m_engine;
};

// The plugin's root object.
class LocalDatasourceFactory : public QObject, public datasource::DatasourceFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "local.json")
    Q_INTERFACES(spyglass::datasource::DatasourceFactory)
public:
    // jsonData may set "lookbackDelta" (a duration like "5m") as Prometheus's
    // --query.lookback-delta.
    Result<std::unique_ptr<datasource::Datasource>> create(const datasource::DatasourceSettings &settings,
                                                           const datasource::DatasourceContext &context) override;
};

} // namespace spyglass::plugins::local
