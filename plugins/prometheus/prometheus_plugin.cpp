#include "plugins/prometheus/prometheus_plugin.h"

#include "plugins/prometheus/prometheus_datasource.h"

namespace spyglass::plugins::prometheus {

Result<std::unique_ptr<datasource::Datasource>> PrometheusPlugin::create(const datasource::DatasourceSettings &settings,
                                                                         const datasource::DatasourceContext &)
{
    auto ds = PrometheusDatasource::create(settings);
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<datasource::Datasource>(std::move(*ds));
}

} // namespace spyglass::plugins::prometheus
