#pragma once

#include "core/datasource/datasource.h"
#include "core/query/promql/engine.h"

#include <QObject>

namespace spyglass::plugins::local {

// The embedded store as a datasource: PromQL over store::MetricStore.
// Stateless apart from settings, so concurrent queries are safe as long as
// the store is (it is: reads run concurrently with appends).
class LocalDatasource final : public datasource::Datasource
{
public:
    // `storage` must outlive the datasource.
    LocalDatasource(datasource::DatasourceSettings settings, store::Storage &storage,
                    query::promql::EngineOptions engineOptions = {});

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Metrics; }

    // Range requests give one TimeSeries frame per series. Instant requests
    // give one Table frame (Time, one column per label, Value), or with
    // options["format"] == "time_series" one single-row TimeSeries frame per
    // series, like Grafana's Prometheus datasource.
    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &cancel) override;
    Result<QStringList> labelNames(const CancelToken &cancel) override;
    Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) override;
    Result<QString> checkHealth(const CancelToken &cancel) override;

private:
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
