#include "core/datasource/plugin_registry.h"

#include "core/datasource/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>
#include <QVersionNumber>

namespace spyglass::datasource {

Q_LOGGING_CATEGORY(lcDatasource, "spyglass.datasource")

namespace {

const QLatin1String kIidPrefix("org.spyglass.DatasourceFactory/");

// Accepts "1", "1.2" or "1.2.3" and nothing else (no suffixes, no blanks).
std::optional<QVersionNumber> parseStrictVersion(const QString &text)
{
    qsizetype suffix = 0;
    const QVersionNumber v = QVersionNumber::fromString(text, &suffix);
    if (v.isNull() || suffix != text.size() || v.segmentCount() > 3)
        return std::nullopt;
    return v;
}

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

bool isValidId(const QString &id)
{
    // Ids end up in settings files and Grafana provisioning "type" fields.
    for (QChar c : id)
        if (!(c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.'))
            return false;
    return !id.isEmpty();
}

} // namespace

QString pluginApiVersion()
{
    return QString::number(kPluginApiMajor) + QLatin1Char('.') + QString::number(kPluginApiMinor);
}

QString pluginStateName(PluginInfo::State s)
{
    switch (s) {
    case PluginInfo::State::Loaded:
        return QStringLiteral("loaded");
    case PluginInfo::State::Failed:
        return QStringLiteral("failed");
    case PluginInfo::State::Disabled:
        return QStringLiteral("disabled");
    }
    return {};
}

PluginRegistry::PluginRegistry() : m_searchPaths(defaultSearchPaths()) {}

// Destroying a QPluginLoader does not unload its library (only unload()
// would), so plugin code stays mapped for datasources that outlive us.
PluginRegistry::~PluginRegistry() = default;

QStringList PluginRegistry::defaultSearchPaths()
{
    QStringList dirs;
    const QString env = qEnvironmentVariable("SPYGLASS_PLUGIN_PATH");
    for (const QString &d : env.split(QLatin1Char(':'), Qt::SkipEmptyParts))
        dirs.push_back(d);
    if (QCoreApplication::instance()) {
        const QString exeDir = QCoreApplication::applicationDirPath();
        dirs.push_back(exeDir + QStringLiteral("/../plugins"));
        dirs.push_back(exeDir + QStringLiteral("/../lib/spyglass/plugins"));
    }
#ifdef SPYGLASS_PLUGIN_BUILD_DIR
    // Executables live at various depths of the build tree (app/gui, tests/...);
    // the build's plugin dir is found wherever they are. Installed copies
    // skip it because it no longer exists.
    if (QFileInfo::exists(QStringLiteral(SPYGLASS_PLUGIN_BUILD_DIR)))
        dirs.push_back(QStringLiteral(SPYGLASS_PLUGIN_BUILD_DIR));
#endif
    const QString appData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!appData.isEmpty())
        dirs.push_back(appData + QStringLiteral("/plugins"));
    return dirs;
}

Result<PluginInfo> PluginRegistry::parseManifest(const QJsonObject &manifest)
{
    PluginInfo info;
    const QJsonValue id = manifest.value(QLatin1String("id"));
    if (!id.isString() || id.toString().isEmpty())
        return fail(Error::invalid(QStringLiteral("manifest has no \"id\" (expected a non-empty string, got %1)")
                                       .arg(jsonTypeName(id))));
    info.id = id.toString();
    if (!isValidId(info.id))
        return fail(Error::invalid(
            QStringLiteral("manifest id \"%1\" may only contain letters, digits, '-', '_' and '.'").arg(info.id)));

    const QJsonValue name = manifest.value(QLatin1String("name"));
    if (!name.isUndefined() && !name.isString())
        return fail(Error::invalid(QStringLiteral("manifest \"name\" of plugin \"%1\" must be a string, got %2")
                                       .arg(info.id, jsonTypeName(name))));
    info.name = name.toString(info.id);

    const QJsonValue version = manifest.value(QLatin1String("version"));
    if (!version.isString())
        return fail(Error::invalid(QStringLiteral("manifest of plugin \"%1\" has no \"version\" string (got %2)")
                                       .arg(info.id, jsonTypeName(version))));
    info.version = version.toString();
    if (!parseStrictVersion(info.version))
        return fail(Error::invalid(
            QStringLiteral("manifest of plugin \"%1\" has a bad version \"%2\" (expected digits like 1.2.3)")
                .arg(info.id, info.version)));

    const QJsonValue compat = manifest.value(QLatin1String("compatVersion"));
    if (!compat.isString())
        return fail(Error::invalid(
            QStringLiteral("manifest of plugin \"%1\" has no \"compatVersion\" string (the plugin API version it "
                           "was built for, e.g. \"%2\"; got %3)")
                .arg(info.id, pluginApiVersion(), jsonTypeName(compat))));
    info.compatVersion = compat.toString();
    const auto compatVersion = parseStrictVersion(info.compatVersion);
    if (!compatVersion)
        return fail(Error::invalid(QStringLiteral("manifest of plugin \"%1\" has a bad compatVersion \"%2\"")
                                       .arg(info.id, info.compatVersion)));
    if (compatVersion->majorVersion() != kPluginApiMajor || compatVersion->minorVersion() > kPluginApiMinor)
        return fail(Error::invalid(QStringLiteral("plugin \"%1\" needs plugin API %2, this Spyglass provides %3")
                                       .arg(info.id, info.compatVersion, pluginApiVersion())));

    const QJsonValue kinds = manifest.value(QLatin1String("kinds"));
    if (!kinds.isArray() || kinds.toArray().isEmpty())
        return fail(Error::invalid(
            QStringLiteral("manifest of plugin \"%1\" needs \"kinds\": a non-empty array of metrics, logs, traces, "
                           "profiles (got %2)")
                .arg(info.id, kinds.isArray() ? QStringLiteral("an empty array") : jsonTypeName(kinds))));
    for (const QJsonValue &k : kinds.toArray()) {
        const auto cap = capabilityFromName(k.toString());
        if (!k.isString() || !cap)
            return fail(Error::invalid(
                QStringLiteral("manifest of plugin \"%1\" has an unknown kind \"%2\" (known: metrics, logs, traces, "
                               "profiles)")
                    .arg(info.id, k.isString() ? k.toString() : jsonTypeName(k))));
        info.kinds |= *cap;
    }

    const QJsonValue description = manifest.value(QLatin1String("description"));
    info.description = description.toString();
    info.state = PluginInfo::State::Loaded;
    return info;
}

Result<PluginInfo> PluginRegistry::checkMetaData(const QJsonObject &metaData)
{
    if (metaData.isEmpty())
        return fail(Error::invalid(QStringLiteral("not a Qt plugin (no plugin metadata found)")));
    const QString iid = metaData.value(QLatin1String("IID")).toString();
    if (!iid.startsWith(kIidPrefix))
        return fail(Error::invalid(
            QStringLiteral("not a Spyglass datasource plugin (interface \"%1\", expected \"%2\")")
                .arg(iid, QStringLiteral(SPYGLASS_DATASOURCE_FACTORY_IID))));
    if (iid != QLatin1String(SPYGLASS_DATASOURCE_FACTORY_IID))
        return fail(Error::invalid(
            QStringLiteral("built for datasource interface %1, this Spyglass provides %2")
                .arg(iid.mid(kIidPrefix.size()),
                     QLatin1String(SPYGLASS_DATASOURCE_FACTORY_IID).mid(kIidPrefix.size()))));
    const QJsonValue manifest = metaData.value(QLatin1String("MetaData"));
    if (!manifest.isObject())
        return fail(Error::invalid(
            QStringLiteral("plugin has no manifest (Q_PLUGIN_METADATA needs FILE \"<id>.json\")")));
    return parseManifest(manifest.toObject());
}

int PluginRegistry::scan()
{
    int loaded = 0;
    QSet<QString> seenDirs;
    for (const QString &dirPath : std::as_const(m_searchPaths)) {
        const QFileInfo dirInfo(dirPath);
        if (!dirInfo.isDir())
            continue;
        const QString canonicalDir = dirInfo.canonicalFilePath();
        if (seenDirs.contains(canonicalDir))
            continue;
        seenDirs.insert(canonicalDir);
        qCDebug(lcDatasource) << "scanning for plugins in" << canonicalDir;
        const QDir dir(canonicalDir);
        const QFileInfoList files = dir.entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
        for (const QFileInfo &f : files) {
            if (!QLibrary::isLibrary(f.fileName()))
                continue;
            const QString path = f.canonicalFilePath();
            if (m_seenFiles.contains(path))
                continue;
            m_seenFiles.insert(path);
            if (scanFile(path))
                ++loaded;
        }
    }
    return loaded;
}

void PluginRegistry::record(PluginInfo info)
{
    if (info.state == PluginInfo::State::Failed)
        qCWarning(lcDatasource).noquote() << "plugin" << info.filePath << "not loaded:" << info.errorString;
    else
        qCDebug(lcDatasource).noquote() << "plugin" << info.id << pluginStateName(info.state) << "from"
                                        << info.filePath;
    m_plugins.push_back(std::move(info));
}

bool PluginRegistry::scanFile(const QString &filePath)
{
    auto loader = std::make_unique<QPluginLoader>(filePath);
    auto checked = checkMetaData(loader->metaData());
    if (!checked) {
        PluginInfo failed;
        failed.filePath = filePath;
        failed.id = loader->metaData().value(QLatin1String("MetaData")).toObject().value(QLatin1String("id")).toString();
        failed.state = PluginInfo::State::Failed;
        failed.errorString = checked.error().message;
        record(std::move(failed));
        return false;
    }
    PluginInfo info = std::move(*checked);
    info.filePath = filePath;
    if (const PluginInfo *first = plugin(info.id); first && first->state != PluginInfo::State::Failed) {
        info.state = PluginInfo::State::Failed;
        info.errorString = QStringLiteral("duplicate plugin id \"%1\" (already provided by %2)")
                               .arg(info.id, first->filePath.isEmpty() ? QStringLiteral("the program")
                                                                       : first->filePath);
        record(std::move(info));
        return false;
    }
    if (m_disabledIds.contains(info.id)) {
        info.state = PluginInfo::State::Disabled;
        record(std::move(info));
        return false;
    }
    QObject *root = loader->instance();
    if (!root) {
        info.state = PluginInfo::State::Failed;
        info.errorString = QStringLiteral("cannot load: %1").arg(loader->errorString());
        record(std::move(info));
        return false;
    }
    auto *factory = qobject_cast<DatasourceFactory *>(root);
    if (!factory) {
        info.state = PluginInfo::State::Failed;
        info.errorString = QStringLiteral("the plugin's root object (%1) does not implement DatasourceFactory")
                               .arg(QLatin1String(root->metaObject()->className()));
        record(std::move(info));
        return false;
    }
    m_factories.insert(info.id, factory);
    m_loaders.push_back(std::move(loader));
    record(std::move(info));
    return true;
}

Result<void> PluginRegistry::registerStatic(const QJsonObject &manifest, DatasourceFactory *factory)
{
    if (!factory)
        return fail(Error::invalid(QStringLiteral("registerStatic: no factory given")));
    auto info = parseManifest(manifest);
    if (!info)
        return fail(info.error());
    if (m_factories.contains(info->id))
        return fail(Error::invalid(QStringLiteral("duplicate plugin id \"%1\"").arg(info->id)));
    m_factories.insert(info->id, factory);
    record(std::move(*info));
    return {};
}

const PluginInfo *PluginRegistry::plugin(const QString &id) const
{
    // A loaded entry beats failed ones with the same id, so callers see the usable plugin.
    const PluginInfo *firstAny = nullptr;
    for (const PluginInfo &p : m_plugins) {
        if (p.id != id)
            continue;
        if (p.state == PluginInfo::State::Loaded)
            return &p;
        if (!firstAny)
            firstAny = &p;
    }
    return firstAny;
}

QStringList PluginRegistry::loadedIds() const
{
    QStringList ids;
    for (const PluginInfo &p : m_plugins)
        if (p.state == PluginInfo::State::Loaded)
            ids.push_back(p.id);
    return ids;
}

DatasourceFactory *PluginRegistry::factory(const QString &id) const
{
    return m_factories.value(id, nullptr);
}

} // namespace spyglass::datasource
