#pragma once

#include "core/datasource/datasource.h"
#include "core/model/result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

class QPluginLoader;

namespace spyglass::datasource {

// The version of the datasource plugin interface this build provides; a
// manifest's "compatVersion" names the version the plugin was built for.
// Same major and a minor no newer than ours is compatible.
inline constexpr int kPluginApiMajor = 1;
inline constexpr int kPluginApiMinor = 0;
QString pluginApiVersion(); // "1.0"

// What the registry knows about one plugin file, loaded or not.
struct PluginInfo
{
    enum class State { Loaded, Failed, Disabled };

    QString id;
    QString name;
    QString version;
    QString compatVersion;
    QString description;
    Capabilities kinds;
    QString filePath;
    State state = State::Failed;
    QString errorString; // why it failed, empty when loaded
};

QString pluginStateName(PluginInfo::State s); // "loaded", "failed", "disabled"

// Finds datasource plugins (Qt shared modules) in a list of directories,
// checks each one's metadata before loading it (so a bad or foreign plugin
// never runs code), loads the valid ones and keeps a readable error for
// every plugin that could not be used. Scan and look-ups belong to one
// thread (the GUI's or main()); the factories it hands out create
// datasources that are then safe to use from any thread.
//
// Plugins are never unloaded: datasources created by them may outlive any
// particular caller, and unloading code that still has live objects crashes.
class PluginRegistry
{
public:
    PluginRegistry();
    ~PluginRegistry();
    PluginRegistry(const PluginRegistry &) = delete;
    PluginRegistry &operator=(const PluginRegistry &) = delete;

    // Where plugins are looked for, in priority order (on duplicate ids the
    // first wins): $SPYGLASS_PLUGIN_PATH (colon-separated), <exe>/../plugins,
    // <exe>/../lib/spyglass/plugins, the build tree's plugin dir when it
    // exists (so binaries run from any build subfolder find them), then the
    // user's <AppDataLocation>/plugins.
    static QStringList defaultSearchPaths();

    QStringList searchPaths() const { return m_searchPaths; }
    void setSearchPaths(const QStringList &dirs) { m_searchPaths = dirs; }
    void addSearchPath(const QString &dir) { m_searchPaths.push_back(dir); }

    // Plugins with these ids are listed as Disabled and not loaded.
    void setDisabledIds(const QStringList &ids) { m_disabledIds = ids; }

    // Scans the search paths and loads every valid plugin not yet known.
    // Safe to call again (e.g. after adding a path): files already seen are
    // skipped. Returns the number of plugins newly loaded.
    int scan();

    const QList<PluginInfo> &plugins() const { return m_plugins; }
    const PluginInfo *plugin(const QString &id) const; // first entry with that id
    QStringList loadedIds() const;

    // The factory of a loaded plugin, or nullptr when no plugin with that id
    // was loaded (see plugin(id)->errorString for why).
    DatasourceFactory *factory(const QString &id) const;

    // Makes a factory compiled into the program available under an id, as
    // if a plugin had been loaded (static builds, tests). The registry does
    // not take ownership. Fails on an id already present.
    Result<void> registerStatic(const QJsonObject &manifest, DatasourceFactory *factory);

    // Validates the "MetaData" object of a manifest (the plugin's JSON file)
    // and returns the filled-in info (state Loaded, no file path).
    static Result<PluginInfo> parseManifest(const QJsonObject &manifest);

    // A readable reason the plugin at `filePath` cannot be used, or an info
    // ready to load, from the full metadata QPluginLoader reports
    // ({"IID": ..., "MetaData": {...}}).
    static Result<PluginInfo> checkMetaData(const QJsonObject &metaData);

private:
    bool scanFile(const QString &filePath);
    void record(PluginInfo info);

    QStringList m_searchPaths;
    QStringList m_disabledIds;
    QSet<QString> m_seenFiles; // canonical paths
    QList<PluginInfo> m_plugins;
    QHash<QString, DatasourceFactory *> m_factories;
    std::vector<std::unique_ptr<QPluginLoader>> m_loaders;
};

} // namespace spyglass::datasource
