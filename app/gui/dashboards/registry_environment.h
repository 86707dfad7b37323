#pragma once

#include "core/dashboard/datasource_mapper.h"
#include "core/dashboard/variable_set.h"

namespace spyglass::datasource {
class DatasourceRegistry;
}

namespace spyglass::gui::dashboards {

// Variables' view of the configured datasources: references resolve through
// the dashboard's DatasourceMapper, instances come from the registry. Safe to
// use on a worker thread (the registry is thread-safe, the mapper is a copy).
class RegistryEnvironment : public dashboard::VariableEnvironment
{
public:
    RegistryEnvironment(datasource::DatasourceRegistry &registry, dashboard::DatasourceMapper mapper)
        : m_registry(registry), m_mapper(std::move(mapper))
    {
    }
    Resolved resolveDatasource(const QJsonValue &ref) override;
    QList<datasource::DatasourceSettings> datasourcesOfType(const QString &grafanaType) override;

private:
    datasource::DatasourceRegistry &m_registry;
    dashboard::DatasourceMapper m_mapper;
};

} // namespace spyglass::gui::dashboards
