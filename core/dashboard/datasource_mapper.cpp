#include "core/dashboard/datasource_mapper.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace spyglass::dashboard {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

QString expandEnv(const QString &in)
{
    if (!in.contains(QLatin1Char('$')))
        return in;
    static const QRegularExpression re(QStringLiteral("\\$\\$|\\$\\{(\\w+)\\}|\\$(\\w+)"));
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QString out;
    qsizetype last = 0;
    auto it = re.globalMatch(in);
    while (it.hasNext()) {
        const auto m = it.next();
        out += QStringView(in).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        if (m.captured(0) == u"$$")
            out += QLatin1Char('$');
        else
            out += env.value(m.captured(1).isEmpty() ? m.captured(2) : m.captured(1));
    }
    out += QStringView(in).mid(last);
    return out;
}

QVariant toVariant(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Scalar: {
        const QString s = expandEnv(QString::fromStdString(node.Scalar()));
        if (node.Tag() == "!")
            return s; // quoted: always a string
        if (s == u"true")
            return true;
        if (s == u"false")
            return false;
        bool ok = false;
        const qlonglong i = s.toLongLong(&ok);
        if (ok)
            return i;
        const double d = s.toDouble(&ok);
        if (ok)
            return d;
        return s;
    }
    case YAML::NodeType::Sequence: {
        QVariantList list;
        for (const YAML::Node &n : node)
            list.append(toVariant(n));
        return list;
    }
    case YAML::NodeType::Map: {
        QVariantMap map;
        for (auto it = node.begin(); it != node.end(); ++it)
            map.insert(QString::fromStdString(it->first.as<std::string>()), toVariant(it->second));
        return map;
    }
    default:
        return {};
    }
}

} // namespace

Result<QList<datasource::DatasourceSettings>> parseProvisioningYaml(const QByteArray &yaml, const QString &source)
{
    YAML::Node root;
    try {
        root = YAML::Load(yaml.toStdString());
    } catch (const YAML::Exception &e) {
        return fail(Error::at(source, e.mark.line + 1, e.mark.column + 1,
                              QStringLiteral("not valid YAML: %1").arg(QString::fromStdString(e.msg))));
    }
    if (!root.IsMap())
        return fail(Error::at(source, 1, 1, QStringLiteral("a provisioning file must be a YAML mapping with \"datasources\"")));
    const YAML::Node list = root["datasources"];
    if (!list || !list.IsSequence())
        return fail(Error::at(source, 1, 1, QStringLiteral("no \"datasources\" list in the provisioning file")));
    QList<datasource::DatasourceSettings> out;
    int index = 0;
    for (const YAML::Node &n : list) {
        ++index;
        const int line = n.Mark().line + 1;
        if (!n.IsMap())
            return fail(Error::at(source, line, n.Mark().column + 1, QStringLiteral("datasource %1 is not a mapping").arg(index)));
        const QVariantMap m = toVariant(n).toMap();
        datasource::DatasourceSettings s;
        s.name = m.value(str("name")).toString();
        s.type = m.value(str("type")).toString();
        s.uid = m.value(str("uid")).toString();
        s.url = m.value(str("url")).toString();
        s.isDefault = m.value(str("isDefault")).toBool();
        s.jsonData = m.value(str("jsonData")).toMap();
        s.secureJsonData = m.value(str("secureJsonData")).toMap();
        // Grafana keeps these outside jsonData; the plugins read them there.
        for (const char *k : {"user", "database", "basicAuth", "basicAuthUser", "access", "withCredentials"})
            if (m.contains(str(k)) && !s.jsonData.contains(str(k)))
                s.jsonData.insert(str(k), m.value(str(k)));
        if (s.name.isEmpty())
            return fail(Error::at(source, line, n.Mark().column + 1, QStringLiteral("datasource %1 has no name").arg(index)));
        if (s.type.isEmpty())
            return fail(Error::at(source, line, n.Mark().column + 1, QStringLiteral("datasource \"%1\" has no type").arg(s.name)));
        if (s.uid.isEmpty())
            s.uid = s.name.toLower().replace(QRegularExpression(QStringLiteral("[^a-z0-9_-]+")), QStringLiteral("-"));
        out.append(s);
    }
    return out;
}

Result<QList<datasource::DatasourceSettings>> loadProvisioningFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot read %1: %2").arg(path, f.errorString())));
    return parseProvisioningYaml(f.readAll(), path);
}

QString languageForGrafanaType(const QString &t)
{
    if (t == u"prometheus")
        return str("promql");
    if (t == u"loki")
        return str("logql");
    if (t == u"tempo" || t == u"jaeger")
        return str("traceql");
    if (t == u"phlare" || t == u"grafana-pyroscope-datasource" || t == u"pyroscope")
        return str("profile");
    return {};
}

QStringList grafanaTypesOf(const datasource::DatasourceSettings &s)
{
    if (s.type != u"local")
        return {s.type == u"pyroscope" ? str("grafana-pyroscope-datasource") : s.type};
    const QString lang = s.jsonData.value(str("language")).toString();
    if (lang == u"promql")
        return {str("prometheus")};
    if (lang == u"logql")
        return {str("loki")};
    if (lang == u"traceql")
        return {str("tempo")};
    if (lang == u"profile")
        return {str("phlare"), str("grafana-pyroscope-datasource")};
    return {str("prometheus"), str("loki"), str("tempo"), str("phlare"), str("grafana-pyroscope-datasource")};
}

DatasourceRef DatasourceRef::fromJson(const QJsonValue &v)
{
    DatasourceRef r;
    if (v.isString()) {
        r.uid = v.toString();
        r.isNull = r.uid.isEmpty();
    } else if (v.isObject()) {
        const QJsonObject o = v.toObject();
        r.uid = o.value(QLatin1String("uid")).toString();
        r.type = o.value(QLatin1String("type")).toString();
        r.isNull = r.uid.isEmpty() && r.type.isEmpty();
    }
    return r;
}

QString DatasourceRef::key() const
{
    if (isNull)
        return str("default");
    if (uid.isEmpty())
        return QStringLiteral("type:") + type;
    return uid;
}

QString DatasourceRef::displayText() const
{
    if (isNull)
        return str("default");
    if (type.isEmpty())
        return uid;
    if (uid.isEmpty())
        return type;
    return QStringLiteral("%1 (%2)").arg(uid, type);
}

DatasourceMapper::DatasourceMapper(QList<datasource::DatasourceSettings> configured, QString defaultUid)
{
    setConfigured(std::move(configured), std::move(defaultUid));
}

void DatasourceMapper::setConfigured(QList<datasource::DatasourceSettings> configured, QString defaultUid)
{
    m_configured = std::move(configured);
    m_defaultUid = std::move(defaultUid);
}

void DatasourceMapper::setInputs(const QJsonArray &inputs)
{
    m_inputTypes.clear();
    for (const QJsonValue &v : inputs) {
        const QJsonObject o = v.toObject();
        if (o.value(QLatin1String("type")).toString() == u"datasource")
            m_inputTypes.insert(o.value(QLatin1String("name")).toString(), o.value(QLatin1String("pluginId")).toString());
    }
}

void DatasourceMapper::setChoice(const QString &refKey, const QString &uid) { m_choices.insert(refKey, uid); }

const datasource::DatasourceSettings *DatasourceMapper::findByUidOrName(const QString &uidOrName) const
{
    for (const auto &s : m_configured)
        if (s.uid == uidOrName)
            return &s;
    for (const auto &s : m_configured)
        if (s.name == uidOrName)
            return &s;
    return nullptr;
}

QList<datasource::DatasourceSettings> DatasourceMapper::candidatesFor(const QString &grafanaType) const
{
    QList<datasource::DatasourceSettings> out;
    for (const auto &s : m_configured)
        if (grafanaType.isEmpty() || grafanaTypesOf(s).contains(grafanaType))
            out.append(s);
    return out;
}

DatasourceResolution DatasourceMapper::resolved(const datasource::DatasourceSettings &s, const QString &refType,
                                                const QString &key) const
{
    DatasourceResolution r;
    r.state = DatasourceResolution::State::Resolved;
    r.settings = s;
    r.key = key;
    const QStringList types = grafanaTypesOf(s);
    r.grafanaType = !refType.isEmpty() && (s.type == u"local" ? types.contains(refType) || types.size() > 1 : true)
                        ? refType
                        : types.value(0);
    if (s.type == u"local") {
        const QString lang = s.jsonData.value(str("language")).toString();
        r.language = !lang.isEmpty() ? lang : languageForGrafanaType(r.grafanaType);
        if (r.language.isEmpty())
            r.language = str("promql");
    }
    return r;
}

DatasourceResolution DatasourceMapper::resolve(const QJsonValue &refJson, const VariableSet *variables,
                                               const InterpolationScope &scope) const
{
    DatasourceRef ref = DatasourceRef::fromJson(refJson);
    const QString key = ref.key();
    DatasourceResolution r;
    r.key = key;
    r.grafanaType = ref.type;
    if (ref.isMixed() || (ref.type == u"datasource" && ref.uid == u"-- Mixed --")) {
        r.state = DatasourceResolution::State::Mixed;
        return r;
    }
    if (ref.isDashboard()) {
        r.state = DatasourceResolution::State::Dashboard;
        return r;
    }
    if (const auto it = m_choices.constFind(key); it != m_choices.constEnd())
        if (const auto *s = findByUidOrName(*it))
            return resolved(*s, ref.type, key);
    if (ref.isGrafana()) {
        r.message = QStringLiteral("Grafana's built-in datasource is not available: choose a datasource");
        return r;
    }
    if (ref.isNull) {
        if (const auto *s = findByUidOrName(m_defaultUid))
            return resolved(*s, {}, key);
        if (!m_configured.isEmpty())
            return resolved(m_configured.front(), {}, key);
        r.message = QStringLiteral("no datasource is configured: add one, then choose it here");
        return r;
    }
    QString uid = ref.uid;
    QString type = ref.type;
    if (VariableSet::containsVariable(uid)) {
        if (variables) {
            const QString value = variables->interpolate(uid, scope);
            if (!VariableSet::containsVariable(value))
                uid = value;
        }
        if (VariableSet::containsVariable(uid)) {
            // An exported dashboard's ${DS_X}: the input says which plugin it needs.
            static const QRegularExpression placeholder(QStringLiteral("^\\$\\{?(\\w+)\\}?$"));
            const auto m = placeholder.match(uid);
            if (m.hasMatch() && m_inputTypes.contains(m.captured(1)) && type.isEmpty())
                type = m_inputTypes.value(m.captured(1));
            const auto candidates = candidatesFor(type);
            if (candidates.size() == 1 && !type.isEmpty())
                return resolved(candidates.front(), type, key);
            r.grafanaType = type;
            r.message = candidates.isEmpty()
                            ? QStringLiteral("%1 needs a %2 datasource and none is configured: add one, then choose it here")
                                  .arg(ref.uid, type.isEmpty() ? str("matching") : type)
                            : QStringLiteral("%1 could be any of %2 %3 datasources: choose one")
                                  .arg(ref.uid)
                                  .arg(candidates.size())
                                  .arg(type);
            return r;
        }
    }
    if (uid.isEmpty()) {
        // {type} only: the default of that type.
        const auto candidates = candidatesFor(type);
        for (const auto &c : candidates)
            if (c.uid == m_defaultUid)
                return resolved(c, type, key);
        if (candidates.size() == 1)
            return resolved(candidates.front(), type, key);
        r.message = QStringLiteral("no %1 datasource is configured: choose a datasource").arg(type);
        return r;
    }
    if (const auto *s = findByUidOrName(uid))
        return resolved(*s, type, key);
    r.message = type.isEmpty()
                    ? QStringLiteral("no datasource with uid or name \"%1\" is configured: choose a datasource").arg(uid)
                    : QStringLiteral("no %1 datasource with uid \"%2\" is configured: choose a datasource").arg(type, uid);
    return r;
}

} // namespace spyglass::dashboard
