#pragma once

#include "core/datasource/datasource.h"

#include <QObject>

namespace spyglass::plugins::tempo {

// The plugin's root object: creates TempoDatasource instances.
class TempoPlugin final : public QObject, public datasource::DatasourceFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "tempo.json")
    Q_INTERFACES(spyglass::datasource::DatasourceFactory)

public:
    Result<std::unique_ptr<datasource::Datasource>> create(const datasource::DatasourceSettings &settings,
                                                           const datasource::DatasourceContext &context) override;
};

} // namespace spyglass::plugins::tempo
