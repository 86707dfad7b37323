#pragma once

#include "core/datasource/datasource.h"

#include <QObject>

namespace spyglass::plugins::jaeger {

// The plugin's root object: creates JaegerDatasource instances.
class JaegerPlugin final : public QObject, public datasource::DatasourceFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "jaeger.json")
    Q_INTERFACES(spyglass::datasource::DatasourceFactory)

public:
    Result<std::unique_ptr<datasource::Datasource>> create(const datasource::DatasourceSettings &settings,
                                                           const datasource::DatasourceContext &context) override;
};

} // namespace spyglass::plugins::jaeger
