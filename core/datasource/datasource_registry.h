#pragma once

#include "core/datasource/datasource.h"
#include "core/model/result.h"

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QString>
#include <memory>
#include <optional>

namespace spyglass::datasource {

class PluginRegistry;

// The datasources the user configured: their settings (kept even when the
// instance cannot be created, so nothing is lost on save), the live
// instances created through the plugins' factories, the default one, and
// persistence of the settings list as a small JSON file.
//
// Methods may be called from any thread; instances are handed out as
// shared_ptr so a query running on a worker keeps its datasource alive
// even if the user removes it meanwhile.
class DatasourceRegistry
{
public:
    // `plugins` must outlive the registry; `context` is passed to every factory.
    explicit DatasourceRegistry(const PluginRegistry &plugins, DatasourceContext context = {});
    ~DatasourceRegistry();
    DatasourceRegistry(const DatasourceRegistry &) = delete;
    DatasourceRegistry &operator=(const DatasourceRegistry &) = delete;

    // Adds a datasource (or replaces the one with the same uid) and creates
    // its instance. An empty uid gets a generated one. The settings are kept
    // even when creation fails; the error is returned and kept in
    // errorString(uid). A new default (isDefault) clears the others' flag.
    Result<std::shared_ptr<Datasource>> add(DatasourceSettings settings);
    bool remove(const QString &uid);
    void clear();

    // The settings of every configured datasource, in the order added.
    QList<DatasourceSettings> settingsList() const;
    std::optional<DatasourceSettings> settings(const QString &uid) const;

    // The instance, or nullptr when the uid is unknown or its creation
    // failed (errorString says why, e.g. the plugin is missing).
    std::shared_ptr<Datasource> datasource(const QString &uid) const;
    std::shared_ptr<Datasource> datasourceByName(const QString &name) const;
    // Looks up by uid, then by name: what dashboards and the CLI refer to.
    Result<std::shared_ptr<Datasource>> find(const QString &uidOrName) const;
    QString errorString(const QString &uid) const;

    // The one marked isDefault, else the first configured one with a live instance.
    std::shared_ptr<Datasource> defaultDatasource() const;
    QString defaultUid() const;
    bool setDefault(const QString &uid);

    // Makes sure a datasource of type "local" (the embedded store) exists:
    // returns the existing one, or adds one with uid "local", name "Local
    // store", default when nothing else is.
    Result<std::shared_ptr<Datasource>> ensureLocal();

    // Writes {"version":1,"datasources":[...]} atomically, readable by the
    // owner only because secureJsonData may hold tokens.
    Result<void> save(const QString &path) const;
    // Replaces the configuration with the file's content. A missing file is
    // an empty configuration, not an error. Returns how many datasources
    // were read; those whose instance cannot be created are still kept
    // (see errorString). A malformed file is an error and changes nothing.
    Result<int> load(const QString &path);

    static QJsonObject settingsToJson(const DatasourceSettings &s);
    static Result<DatasourceSettings> settingsFromJson(const QJsonObject &o);

private:
    struct Entry
    {
        DatasourceSettings settings;
        std::shared_ptr<Datasource> instance;
        QString error;
    };
    Entry makeEntry(DatasourceSettings settings) const;
    const Entry *findEntry(const QString &uid) const;

    const PluginRegistry &m_plugins;
    DatasourceContext m_context;
    mutable QMutex m_mutex;
    QList<Entry> m_entries;
};

} // namespace spyglass::datasource
