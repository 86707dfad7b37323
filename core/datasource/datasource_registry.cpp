#include "core/datasource/datasource_registry.h"

#include "core/datasource/logging.h"
#include "core/datasource/plugin_registry.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QSaveFile>
#include <QUuid>

namespace spyglass::datasource {

namespace {
constexpr int kFileFormatVersion = 1;
const QString kLocalType = QStringLiteral("local");
} // namespace

DatasourceRegistry::DatasourceRegistry(const PluginRegistry &plugins, DatasourceContext context)
    : m_plugins(plugins), m_context(context)
{
}

DatasourceRegistry::~DatasourceRegistry() = default;

DatasourceRegistry::Entry DatasourceRegistry::makeEntry(DatasourceSettings settings) const
{
    Entry e;
    e.settings = std::move(settings);
    const QString &type = e.settings.type;
    DatasourceFactory *factory = m_plugins.factory(type);
    if (!factory) {
        const PluginInfo *info = m_plugins.plugin(type);
        if (type.isEmpty())
            e.error = QStringLiteral("datasource \"%1\" has no type (plugin id)").arg(e.settings.name);
        else if (!info)
            e.error = QStringLiteral("datasource \"%1\" needs the \"%2\" plugin, which is not installed")
                          .arg(e.settings.name, type);
        else if (info->state == PluginInfo::State::Disabled)
            e.error = QStringLiteral("datasource \"%1\" needs the \"%2\" plugin, which is disabled")
                          .arg(e.settings.name, type);
        else
            e.error = QStringLiteral("datasource \"%1\" needs the \"%2\" plugin, which failed to load: %3")
                          .arg(e.settings.name, type, info->errorString);
    } else if (auto created = factory->create(e.settings, m_context)) {
        e.instance = std::shared_ptr<Datasource>(std::move(*created));
    } else {
        e.error = QStringLiteral("datasource \"%1\" (%2) could not be created: %3")
                      .arg(e.settings.name, type, created.error().toString());
    }
    if (!e.error.isEmpty())
        qCWarning(lcDatasource).noquote() << e.error;
    return e;
}

const DatasourceRegistry::Entry *DatasourceRegistry::findEntry(const QString &uid) const
{
    for (const Entry &e : m_entries)
        if (e.settings.uid == uid)
            return &e;
    return nullptr;
}

Result<std::shared_ptr<Datasource>> DatasourceRegistry::add(DatasourceSettings settings)
{
    if (settings.uid.isEmpty())
        settings.uid = QUuid::createUuid().toString(QUuid::Id128).left(14);
    if (settings.name.isEmpty())
        settings.name = settings.uid;
    // Created outside the lock: factories may take a moment and never call back here.
    Entry entry = makeEntry(std::move(settings));
    QMutexLocker lock(&m_mutex);
    if (entry.settings.isDefault)
        for (Entry &e : m_entries)
            e.settings.isDefault = false;
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
                           [&](const Entry &e) { return e.settings.uid == entry.settings.uid; });
    if (it != m_entries.end())
        *it = entry;
    else
        m_entries.push_back(entry);
    if (!entry.instance)
        return fail(Error{Error::Kind::NotFound, entry.error, entry.settings.uid, 0, 0});
    return entry.instance;
}

bool DatasourceRegistry::remove(const QString &uid)
{
    QMutexLocker lock(&m_mutex);
    return m_entries.removeIf([&](const Entry &e) { return e.settings.uid == uid; }) > 0;
}

void DatasourceRegistry::clear()
{
    QMutexLocker lock(&m_mutex);
    m_entries.clear();
}

QList<DatasourceSettings> DatasourceRegistry::settingsList() const
{
    QMutexLocker lock(&m_mutex);
    QList<DatasourceSettings> out;
    out.reserve(m_entries.size());
    for (const Entry &e : m_entries)
        out.push_back(e.settings);
    return out;
}

std::optional<DatasourceSettings> DatasourceRegistry::settings(const QString &uid) const
{
    QMutexLocker lock(&m_mutex);
    if (const Entry *e = findEntry(uid))
        return e->settings;
    return std::nullopt;
}

std::shared_ptr<Datasource> DatasourceRegistry::datasource(const QString &uid) const
{
    QMutexLocker lock(&m_mutex);
    const Entry *e = findEntry(uid);
    return e ? e->instance : nullptr;
}

std::shared_ptr<Datasource> DatasourceRegistry::datasourceByName(const QString &name) const
{
    QMutexLocker lock(&m_mutex);
    for (const Entry &e : m_entries)
        if (e.settings.name == name)
            return e.instance;
    return nullptr;
}

Result<std::shared_ptr<Datasource>> DatasourceRegistry::find(const QString &uidOrName) const
{
    QMutexLocker lock(&m_mutex);
    const Entry *found = findEntry(uidOrName);
    if (!found)
        for (const Entry &e : m_entries)
            if (e.settings.name == uidOrName) {
                found = &e;
                break;
            }
    if (!found)
        return fail(Error{Error::Kind::NotFound,
                          QStringLiteral("no datasource with uid or name \"%1\"").arg(uidOrName), {}, 0, 0});
    if (!found->instance)
        return fail(Error{Error::Kind::Unavailable, found->error, found->settings.uid, 0, 0});
    return found->instance;
}

QString DatasourceRegistry::errorString(const QString &uid) const
{
    QMutexLocker lock(&m_mutex);
    const Entry *e = findEntry(uid);
    return e ? e->error : QStringLiteral("no datasource with uid \"%1\"").arg(uid);
}

std::shared_ptr<Datasource> DatasourceRegistry::defaultDatasource() const
{
    QMutexLocker lock(&m_mutex);
    for (const Entry &e : m_entries)
        if (e.settings.isDefault && e.instance)
            return e.instance;
    for (const Entry &e : m_entries)
        if (e.instance)
            return e.instance;
    return nullptr;
}

QString DatasourceRegistry::defaultUid() const
{
    QMutexLocker lock(&m_mutex);
    for (const Entry &e : m_entries)
        if (e.settings.isDefault && e.instance)
            return e.settings.uid;
    for (const Entry &e : m_entries)
        if (e.instance)
            return e.settings.uid;
    return {};
}

bool DatasourceRegistry::setDefault(const QString &uid)
{
    QMutexLocker lock(&m_mutex);
    if (!findEntry(uid))
        return false;
    for (Entry &e : m_entries)
        e.settings.isDefault = e.settings.uid == uid;
    return true;
}

Result<std::shared_ptr<Datasource>> DatasourceRegistry::ensureLocal()
{
    bool anyDefault = false;
    {
        QMutexLocker lock(&m_mutex);
        for (const Entry &e : m_entries) {
            anyDefault = anyDefault || e.settings.isDefault;
            if (e.settings.type == kLocalType && e.instance)
                return e.instance;
        }
        for (const Entry &e : m_entries)
            if (e.settings.type == kLocalType)
                return fail(Error{Error::Kind::Unavailable, e.error, e.settings.uid, 0, 0});
    }
    DatasourceSettings s;
    s.uid = kLocalType;
    s.name = QStringLiteral("Local store");
    s.type = kLocalType;
    s.isDefault = !anyDefault;
    return add(std::move(s));
}

QJsonObject DatasourceRegistry::settingsToJson(const DatasourceSettings &s)
{
    QJsonObject o;
    o.insert(QLatin1String("uid"), s.uid);
    o.insert(QLatin1String("name"), s.name);
    o.insert(QLatin1String("type"), s.type);
    if (!s.url.isEmpty())
        o.insert(QLatin1String("url"), s.url);
    o.insert(QLatin1String("isDefault"), s.isDefault);
    if (!s.jsonData.isEmpty())
        o.insert(QLatin1String("jsonData"), QJsonObject::fromVariantMap(s.jsonData));
    if (!s.secureJsonData.isEmpty())
        o.insert(QLatin1String("secureJsonData"), QJsonObject::fromVariantMap(s.secureJsonData));
    return o;
}

Result<DatasourceSettings> DatasourceRegistry::settingsFromJson(const QJsonObject &o)
{
    DatasourceSettings s;
    auto str = [&](QLatin1String key, QString &out) -> bool {
        const QJsonValue v = o.value(key);
        if (v.isUndefined() || v.isNull())
            return true;
        if (!v.isString())
            return false;
        out = v.toString();
        return true;
    };
    for (auto [key, field] : {std::pair{QLatin1String("uid"), &s.uid}, std::pair{QLatin1String("name"), &s.name},
                              std::pair{QLatin1String("type"), &s.type}, std::pair{QLatin1String("url"), &s.url}})
        if (!str(key, *field))
            return fail(Error::badData(QStringLiteral("datasource field \"%1\" must be a string").arg(key)));
    if (s.uid.isEmpty())
        return fail(Error::badData(QStringLiteral("datasource \"%1\" has no uid").arg(s.name)));
    if (s.type.isEmpty())
        return fail(Error::badData(QStringLiteral("datasource \"%1\" has no type").arg(s.uid)));
    const QJsonValue def = o.value(QLatin1String("isDefault"));
    if (!def.isUndefined() && !def.isBool())
        return fail(Error::badData(QStringLiteral("datasource \"%1\": isDefault must be true or false").arg(s.uid)));
    s.isDefault = def.toBool();
    for (auto [key, field] : {std::pair{QLatin1String("jsonData"), &s.jsonData},
                              std::pair{QLatin1String("secureJsonData"), &s.secureJsonData}}) {
        const QJsonValue v = o.value(key);
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isObject())
            return fail(Error::badData(QStringLiteral("datasource \"%1\": %2 must be an object").arg(s.uid, key)));
        *field = v.toObject().toVariantMap();
    }
    if (s.name.isEmpty())
        s.name = s.uid;
    return s;
}

Result<void> DatasourceRegistry::save(const QString &path) const
{
    QJsonArray list;
    for (const DatasourceSettings &s : settingsList())
        list.push_back(settingsToJson(s));
    QJsonObject root;
    root.insert(QLatin1String("version"), kFileFormatVersion);
    root.insert(QLatin1String("datasources"), list);

    const QFileInfo fi(path);
    if (!QDir().mkpath(fi.absolutePath()))
        return fail(Error::io(QStringLiteral("cannot create directory %1").arg(fi.absolutePath())));
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(Error::io(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return fail(Error::io(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    return {};
}

Result<int> DatasourceRegistry::load(const QString &path)
{
    QFile f(path);
    if (!f.exists()) {
        clear();
        return 0;
    }
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot read %1: %2").arg(path, f.errorString())));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &perr);
    if (perr.error != QJsonParseError::NoError) {
        Error e = Error::badData(QStringLiteral("not valid JSON: %1 (at byte %2)")
                                     .arg(perr.errorString())
                                     .arg(perr.offset));
        e.source = path;
        return fail(e);
    }
    auto fileError = [&](QString msg) {
        Error e = Error::badData(std::move(msg));
        e.source = path;
        return fail(e);
    };
    if (!doc.isObject())
        return fileError(QStringLiteral("expected an object with a \"datasources\" list"));
    const QJsonObject root = doc.object();
    const int version = root.value(QLatin1String("version")).toInt(kFileFormatVersion);
    if (version > kFileFormatVersion)
        return fileError(QStringLiteral("written by a newer Spyglass (format version %1, this one reads up to %2)")
                             .arg(version)
                             .arg(kFileFormatVersion));
    const QJsonValue list = root.value(QLatin1String("datasources"));
    if (!list.isArray())
        return fileError(QStringLiteral("\"datasources\" must be a list"));

    QList<DatasourceSettings> parsed;
    QSet<QString> uids;
    const QJsonArray arr = list.toArray();
    for (qsizetype i = 0; i < arr.size(); ++i) {
        if (!arr[i].isObject())
            return fileError(QStringLiteral("datasource #%1 is not an object").arg(i + 1));
        auto s = settingsFromJson(arr[i].toObject());
        if (!s)
            return fileError(QStringLiteral("datasource #%1: %2").arg(i + 1).arg(s.error().message));
        if (uids.contains(s->uid))
            return fileError(QStringLiteral("datasource #%1: duplicate uid \"%2\"").arg(i + 1).arg(s->uid));
        uids.insert(s->uid);
        parsed.push_back(std::move(*s));
    }

    QList<Entry> entries;
    for (DatasourceSettings &s : parsed)
        entries.push_back(makeEntry(std::move(s)));
    QMutexLocker lock(&m_mutex);
    m_entries = std::move(entries);
    return static_cast<int>(m_entries.size());
}

} // namespace spyglass::datasource
