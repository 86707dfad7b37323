#include "plugins/loki/loki_plugin.h"

#include "plugins/loki/loki_datasource.h"

namespace spyglass::plugins::loki {

Result<std::unique_ptr<datasource::Datasource>> LokiPlugin::create(const datasource::DatasourceSettings &settings,
                                                                   const datasource::DatasourceContext &)
{
    auto ds = LokiDatasource::create(settings);
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<datasource::Datasource>(std::move(*ds));
}

} // namespace spyglass::plugins::loki
