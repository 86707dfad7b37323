#include "plugins/pyroscope/pyroscope_plugin.h"

#include "plugins/pyroscope/pyroscope_datasource.h"

namespace spyglass::plugins::pyroscope {

Result<std::unique_ptr<datasource::Datasource>> PyroscopePlugin::create(const datasource::DatasourceSettings &settings,
                                                                        const datasource::DatasourceContext &)
{
    auto ds = PyroscopeDatasource::create(settings);
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<datasource::Datasource>(std::move(*ds));
}

} // namespace spyglass::plugins::pyroscope
