#include "core/dashboard/variable.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>

namespace spyglass::dashboard {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

QStringList stringOrList(const QJsonValue &v)
{
    if (v.isArray()) {
        QStringList out;
        for (const QJsonValue &e : v.toArray())
            out.append(e.toVariant().toString());
        return out;
    }
    if (v.isUndefined() || v.isNull())
        return {};
    return {v.toVariant().toString()};
}

int naturalCompare(const QString &a, const QString &b)
{
    qsizetype i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i].isDigit() && b[j].isDigit()) {
            qsizetype ei = i, ej = j;
            while (ei < a.size() && a[ei].isDigit())
                ++ei;
            while (ej < b.size() && b[ej].isDigit())
                ++ej;
            const double na = a.mid(i, ei - i).toDouble();
            const double nb = b.mid(j, ej - j).toDouble();
            if (na != nb)
                return na < nb ? -1 : 1;
            i = ei;
            j = ej;
            continue;
        }
        const int c = QString::compare(a.mid(i, 1), b.mid(j, 1), Qt::CaseInsensitive);
        if (c != 0)
            return c;
        ++i;
        ++j;
    }
    return int(a.size() - i) - int(b.size() - j);
}

} // namespace

QString variableTypeName(VariableType t)
{
    switch (t) {
    case VariableType::Query: return str("query");
    case VariableType::Custom: return str("custom");
    case VariableType::Constant: return str("constant");
    case VariableType::Textbox: return str("textbox");
    case VariableType::Interval: return str("interval");
    case VariableType::Datasource: return str("datasource");
    case VariableType::Adhoc: return str("adhoc");
    case VariableType::Unknown: break;
    }
    return str("unknown");
}

VariableType variableTypeFromName(QStringView name)
{
    for (VariableType t : {VariableType::Query, VariableType::Custom, VariableType::Constant, VariableType::Textbox,
                           VariableType::Interval, VariableType::Datasource, VariableType::Adhoc})
        if (variableTypeName(t) == name)
            return t;
    return VariableType::Unknown;
}

Result<Variable> Variable::fromJson(const QJsonObject &json)
{
    Variable v;
    v.m_json = json;
    v.m_name = json.value(QLatin1String("name")).toString();
    if (v.m_name.isEmpty())
        return fail(Error::badData(QStringLiteral("a templating variable has no \"name\"")));
    static const QRegularExpression nameRe(QStringLiteral("^\\w+$"));
    if (!nameRe.match(v.m_name).hasMatch())
        return fail(Error::badData(QStringLiteral("variable name \"%1\" may only hold letters, digits and _").arg(v.m_name)));
    v.m_type = variableTypeFromName(json.value(QLatin1String("type")).toString());
    v.m_multi = json.value(QLatin1String("multi")).toBool(false);
    v.m_includeAll = json.value(QLatin1String("includeAll")).toBool(false);
    const QJsonValue all = json.value(QLatin1String("allValue"));
    v.m_allValue = all.isString() ? all.toString() : QString();
    for (const QJsonValue &o : json.value(QLatin1String("options")).toArray()) {
        const QJsonObject obj = o.toObject();
        const QStringList texts = stringOrList(obj.value(QLatin1String("text")));
        const QStringList values = stringOrList(obj.value(QLatin1String("value")));
        v.m_options.append({texts.value(0), values.value(0)});
    }
    const QJsonObject current = json.value(QLatin1String("current")).toObject();
    v.m_currentValues = stringOrList(current.value(QLatin1String("value")));
    v.m_currentTexts = stringOrList(current.value(QLatin1String("text")));
    for (const QJsonValue &f : json.value(QLatin1String("filters")).toArray()) {
        const QJsonObject o = f.toObject();
        v.m_filters.append({o.value(QLatin1String("key")).toString(), o.value(QLatin1String("operator")).toString(str("=")),
                            o.value(QLatin1String("value")).toString()});
    }
    // Variables whose value is their definition.
    if (v.m_type == VariableType::Constant) {
        v.m_options = {{v.queryText(), v.queryText()}};
        v.m_currentValues = {v.queryText()};
        v.m_currentTexts = {v.queryText()};
    } else if (v.m_type == VariableType::Textbox && v.m_currentValues.isEmpty()) {
        v.m_currentValues = {v.queryText()};
        v.m_currentTexts = {v.queryText()};
    } else if (v.m_type == VariableType::Custom && v.m_options.isEmpty()) {
        QList<VariableOption> opts = parseCustomOptions(v.queryText());
        if (v.m_includeAll)
            opts.prepend({str("All"), kAllValue.toString()});
        v.m_options = opts;
        if (v.m_currentValues.isEmpty() && !opts.isEmpty()) {
            v.m_currentValues = {opts.front().value};
            v.m_currentTexts = {opts.front().text};
        }
    }
    if (v.m_currentTexts.size() != v.m_currentValues.size()) {
        v.m_currentTexts.clear();
        for (const QString &val : v.m_currentValues)
            v.m_currentTexts.append(v.textFor(val));
    }
    return v;
}

QJsonObject Variable::toJson() const
{
    QJsonObject o = m_json;
    if (m_currentDirty) {
        QJsonObject current = o.value(QLatin1String("current")).toObject();
        const bool asArray = m_multi || current.value(QLatin1String("value")).isArray();
        if (asArray) {
            current[str("text")] = QJsonArray::fromStringList(m_currentTexts);
            current[str("value")] = QJsonArray::fromStringList(m_currentValues);
        } else {
            current[str("text")] = m_currentTexts.value(0);
            current[str("value")] = m_currentValues.value(0);
        }
        current[str("selected")] = true;
        o[str("current")] = current;
        if (m_type == VariableType::Textbox)
            o[str("query")] = m_currentValues.value(0);
    }
    // Grafana keeps options of variables it does not query again on load.
    if (m_optionsDirty && (m_type == VariableType::Custom || m_type == VariableType::Interval ||
                           (m_type == VariableType::Query && refresh() == 0))) {
        QJsonArray arr;
        for (const VariableOption &opt : m_options)
            arr.append(QJsonObject{{str("text"), opt.text},
                                   {str("value"), opt.value},
                                   {str("selected"), m_currentValues.contains(opt.value)}});
        o[str("options")] = arr;
    }
    if (m_filtersDirty) {
        QJsonArray arr;
        for (const AdhocFilter &f : m_filters)
            arr.append(QJsonObject{{str("key"), f.key}, {str("operator"), f.op}, {str("value"), f.value}});
        o[str("filters")] = arr;
    }
    return o;
}

QString Variable::label() const
{
    const QString l = m_json.value(QLatin1String("label")).toString();
    return l.isEmpty() ? m_name : l;
}

QString Variable::queryText() const
{
    const QJsonValue q = query();
    if (q.isString())
        return q.toString();
    if (q.isObject())
        return q.toObject().value(QLatin1String("query")).toString();
    return {};
}

QString Variable::textFor(const QString &value) const
{
    if (value == kAllValue)
        return str("All");
    for (const VariableOption &o : m_options)
        if (o.value == value)
            return o.text;
    return value;
}

bool Variable::setOptions(QList<VariableOption> options)
{
    if (m_includeAll && (options.isEmpty() || options.front().value != kAllValue))
        options.prepend({str("All"), kAllValue.toString()});
    m_optionsDirty = m_optionsDirty || options != m_options;
    m_options = std::move(options);
    QStringList keep;
    for (const QString &v : m_currentValues)
        if (std::any_of(m_options.begin(), m_options.end(), [&](const VariableOption &o) { return o.value == v; }))
            keep.append(v);
    if (!keep.isEmpty() && keep.size() == m_currentValues.size()) {
        // Texts may have changed even when values did not.
        QStringList texts;
        for (const QString &v : keep)
            texts.append(textFor(v));
        m_currentTexts = texts;
        return false;
    }
    if (!keep.isEmpty() && m_multi)
        return setCurrent(keep);
    if (m_options.isEmpty())
        return setCurrent({});
    return setCurrent({m_options.front().value});
}

bool Variable::setCurrent(const QStringList &values)
{
    QStringList vals = values;
    if (!m_multi && vals.size() > 1)
        vals = vals.mid(0, 1);
    // Selecting All together with other values means All alone.
    if (vals.size() > 1 && vals.contains(kAllValue.toString()))
        vals = {kAllValue.toString()};
    QStringList texts;
    for (const QString &v : vals)
        texts.append(textFor(v));
    if (vals == m_currentValues && texts == m_currentTexts)
        return false;
    m_currentValues = vals;
    m_currentTexts = texts;
    m_currentDirty = true;
    return true;
}

void Variable::setFilters(QList<AdhocFilter> filters)
{
    if (filters == m_filters)
        return;
    m_filters = std::move(filters);
    m_filtersDirty = true;
}

QStringList Variable::allOptionValues() const
{
    QStringList out;
    for (const VariableOption &o : m_options)
        if (o.value != kAllValue)
            out.append(o.value);
    return out;
}

QList<VariableOption> parseCustomOptions(const QString &query)
{
    QList<VariableOption> out;
    static const QRegularExpression item(QStringLiteral("(?:\\\\,|[^,])+"));
    auto it = item.globalMatch(query);
    QSet<QString> seen;
    while (it.hasNext()) {
        QString part = it.next().captured(0).trimmed();
        part.replace(QStringLiteral("\\,"), QStringLiteral(","));
        if (part.isEmpty())
            continue;
        VariableOption opt;
        const qsizetype sep = part.indexOf(QStringLiteral(" : "));
        if (sep >= 0) {
            opt.text = part.left(sep).trimmed();
            opt.value = part.mid(sep + 3).trimmed();
        } else {
            opt.text = opt.value = part;
        }
        if (!seen.contains(opt.value)) {
            seen.insert(opt.value);
            out.append(opt);
        }
    }
    return out;
}

Result<QList<VariableOption>> applyVariableRegex(const QList<VariableOption> &options, const QString &regex)
{
    if (regex.trimmed().isEmpty())
        return options;
    QString pattern = regex.trimmed();
    QRegularExpression::PatternOptions flags;
    if (pattern.startsWith(QLatin1Char('/'))) {
        const qsizetype end = pattern.lastIndexOf(QLatin1Char('/'));
        if (end <= 0)
            return fail(Error::invalid(QStringLiteral("regex %1 is missing its closing /").arg(regex)));
        const QString f = pattern.mid(end + 1);
        pattern = pattern.mid(1, end - 1);
        if (f.contains(QLatin1Char('i')))
            flags |= QRegularExpression::CaseInsensitiveOption;
        if (f.contains(QLatin1Char('m')))
            flags |= QRegularExpression::MultilineOption;
        if (f.contains(QLatin1Char('s')))
            flags |= QRegularExpression::DotMatchesEverythingOption;
    }
    // JavaScript spells named groups (?<name>...), as PCRE does.
    QRegularExpression re(pattern, flags);
    if (!re.isValid())
        return fail(Error::invalid(QStringLiteral("invalid variable regex %1: %2 at offset %3")
                                       .arg(regex, re.errorString())
                                       .arg(re.patternErrorOffset())));
    const QStringList groups = re.namedCaptureGroups();
    const bool hasText = groups.contains(str("text"));
    const bool hasValue = groups.contains(str("value"));
    QList<VariableOption> out;
    QSet<QString> seen;
    for (const VariableOption &o : options) {
        const auto m = re.match(o.text);
        if (!m.hasMatch())
            continue;
        VariableOption r;
        if (hasText || hasValue) {
            r.text = hasText && m.hasCaptured(str("text")) ? m.captured(str("text")) : m.captured(str("value"));
            r.value = hasValue && m.hasCaptured(str("value")) ? m.captured(str("value")) : r.text;
        } else if (re.captureCount() >= 1 && m.hasCaptured(1)) {
            r.text = r.value = m.captured(1);
        } else {
            r = o;
        }
        if (r.value.isEmpty() && r.text.isEmpty())
            continue;
        if (!seen.contains(r.value)) {
            seen.insert(r.value);
            out.append(r);
        }
    }
    return out;
}

QList<VariableOption> sortVariableOptions(QList<VariableOption> options, int sort)
{
    if (sort <= 0)
        return options;
    auto numberOf = [](const QString &t) {
        static const QRegularExpression digits(QStringLiteral("-?\\d+(\\.\\d+)?"));
        const auto m = digits.match(t);
        return m.hasMatch() ? m.captured(0).toDouble() : -std::numeric_limits<double>::infinity();
    };
    const bool desc = sort % 2 == 0;
    switch ((sort + 1) / 2) {
    case 1:
        std::stable_sort(options.begin(), options.end(),
                         [](const VariableOption &a, const VariableOption &b) { return a.text < b.text; });
        break;
    case 2:
        std::stable_sort(options.begin(), options.end(), [&](const VariableOption &a, const VariableOption &b) {
            return numberOf(a.text) < numberOf(b.text);
        });
        break;
    case 3:
        std::stable_sort(options.begin(), options.end(), [](const VariableOption &a, const VariableOption &b) {
            return a.text.compare(b.text, Qt::CaseInsensitive) < 0;
        });
        break;
    default:
        // Natural order: runs of digits compare as numbers, the rest case-insensitively
        // (QCollator's numeric mode depends on ICU and the locale).
        std::stable_sort(options.begin(), options.end(), [](const VariableOption &a, const VariableOption &b) {
            return naturalCompare(a.text, b.text) < 0;
        });
        break;
    }
    if (desc)
        std::reverse(options.begin(), options.end());
    return options;
}

} // namespace spyglass::dashboard
