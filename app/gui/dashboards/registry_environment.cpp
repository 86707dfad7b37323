#include "app/gui/dashboards/registry_environment.h"

#include "core/datasource/datasource_registry.h"

namespace spyglass::gui::dashboards {

RegistryEnvironment::Resolved RegistryEnvironment::resolveDatasource(const QJsonValue &ref)
{
    Resolved out;
    const dashboard::DatasourceResolution r = m_mapper.resolve(ref);
    if (r.state != dashboard::DatasourceResolution::State::Resolved) {
        out.error = r.message.isEmpty() ? QStringLiteral("no datasource for %1").arg(r.key) : r.message;
        return out;
    }
    out.grafanaType = r.grafanaType;
    out.datasource = m_registry.datasource(r.settings.uid);
    if (!out.datasource)
        out.error = QStringLiteral("datasource %1 is not available: %2").arg(r.settings.uid, m_registry.errorString(r.settings.uid));
    return out;
}

QList<datasource::DatasourceSettings> RegistryEnvironment::datasourcesOfType(const QString &grafanaType)
{
    return m_mapper.candidatesFor(grafanaType);
}

} // namespace spyglass::gui::dashboards
