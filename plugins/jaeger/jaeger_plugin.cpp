#include "plugins/jaeger/jaeger_plugin.h"

#include "plugins/jaeger/jaeger_datasource.h"

namespace spyglass::plugins::jaeger {

Result<std::unique_ptr<datasource::Datasource>> JaegerPlugin::create(const datasource::DatasourceSettings &settings,
                                                                     const datasource::DatasourceContext &)
{
    auto ds = JaegerDatasource::create(settings);
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<datasource::Datasource>(std::move(*ds));
}

} // namespace spyglass::plugins::jaeger
