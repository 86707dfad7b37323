#pragma once

#include "core/dashboard/variable_set.h"
#include "core/datasource/datasource.h"
#include "core/model/result.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>

namespace spyglass::dashboard {

// Reads a Grafana datasource provisioning file (apiVersion 1,
// `datasources:` list) into settings with the same uids, names, types, urls,
// jsonData and secureJsonData. Environment variables ($VAR, ${VAR}) are
// expanded as Grafana does, `$$` is a literal `$`.
Result<QList<datasource::DatasourceSettings>> parseProvisioningYaml(const QByteArray &yaml, const QString &source = {});
Result<QList<datasource::DatasourceSettings>> loadProvisioningFile(const QString &path);

// Grafana datasource type -> query language of the local datasource
// ("promql", "logql", "traceql", "profile"); empty when unknown.
QString languageForGrafanaType(const QString &grafanaType);
// The Grafana types a configured datasource answers for: its own type, or
// for a "local" datasource the type its jsonData.language stands for (all
// four when it has none).
QStringList grafanaTypesOf(const datasource::DatasourceSettings &settings);

// A panel's or target's datasource reference as Grafana writes it.
struct DatasourceRef
{
    QString uid;  // uid or name (strings are names in old dashboards)
    QString type; // Grafana plugin id when known
    bool isNull = true;
    static DatasourceRef fromJson(const QJsonValue &v);
    bool isMixed() const { return uid == u"-- Mixed --"; }
    bool isDashboard() const { return uid == u"-- Dashboard --"; }
    bool isGrafana() const { return uid == u"-- Grafana --" || uid == u"grafana"; }
    // What a user's choice for an unmatched reference is remembered under.
    QString key() const;
    QString displayText() const; // "mimir (prometheus)", "default"
};

struct DatasourceResolution
{
    enum class State {
        Resolved,  // `settings` is the datasource to query
        Mixed,     // each target names its own datasource
        Dashboard, // reuses the results of another panel
        Unmatched, // the user has to choose a datasource (see message)
    };
    State state = State::Unmatched;
    datasource::DatasourceSettings settings;
    QString grafanaType; // what the panel expects: "prometheus", "loki", ...
    QString language;    // for local datasources: options["language"]
    QString key;         // DatasourceRef::key() of the reference
    QString message;     // for Unmatched: what is missing and what to do
};

// Maps dashboard datasource references to configured datasources: by uid,
// then name, through datasource variables and exported dashboards'
// __inputs, and through choices the user made for unmatched references.
class DatasourceMapper
{
public:
    DatasourceMapper() = default;
    DatasourceMapper(QList<datasource::DatasourceSettings> configured, QString defaultUid);

    void setConfigured(QList<datasource::DatasourceSettings> configured, QString defaultUid);
    const QList<datasource::DatasourceSettings> &configured() const { return m_configured; }
    // __inputs of an exported dashboard: placeholder name -> plugin id.
    void setInputs(const QJsonArray &inputs);
    // The user's answer to "choose a datasource" for every reference with this key.
    void setChoice(const QString &refKey, const QString &uid);
    void clearChoices() { m_choices.clear(); }

    DatasourceResolution resolve(const QJsonValue &ref, const VariableSet *variables = nullptr,
                                 const InterpolationScope &scope = {}) const;

    // Configured datasources a user may pick for a reference of this Grafana type.
    QList<datasource::DatasourceSettings> candidatesFor(const QString &grafanaType) const;

private:
    const datasource::DatasourceSettings *findByUidOrName(const QString &uidOrName) const;
    DatasourceResolution resolved(const datasource::DatasourceSettings &s, const QString &refType,
                                  const QString &key) const;

    QList<datasource::DatasourceSettings> m_configured;
    QString m_defaultUid;
    QHash<QString, QString> m_inputTypes;
    QHash<QString, QString> m_choices;
};

} // namespace spyglass::dashboard
