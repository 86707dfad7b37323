#include "plugins/tempo/tempo_plugin.h"

#include "plugins/tempo/tempo_datasource.h"

namespace spyglass::plugins::tempo {

Result<std::unique_ptr<datasource::Datasource>> TempoPlugin::create(const datasource::DatasourceSettings &settings,
                                                                    const datasource::DatasourceContext &)
{
    auto ds = TempoDatasource::create(settings);
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<datasource::Datasource>(std::move(*ds));
}

} // namespace spyglass::plugins::tempo
