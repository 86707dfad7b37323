#include "core/dashboard/variable_set.h"

#include "core/dashboard/interval.h"
#include "core/model/frame.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QUrl>
#include <algorithm>
#include <functional>
#include <optional>

namespace spyglass::dashboard {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

const QRegularExpression &referenceRegex()
{
    // Grafana's variableRegex: $name | [[name:format]] | ${name.path:format}
    static const QRegularExpression re(
        QStringLiteral("\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?\\]\\]|\\$\\{(\\w+)(?:\\.([^:^\\}]+))?(?::([^\\}]+))?\\}"));
    return re;
}

// Prefixes every character of `special` in `v` with `prefix`.
QString escapeChars(const QString &v, QStringView special, QStringView prefix)
{
    QString out;
    out.reserve(v.size() + 8);
    for (QChar c : v) {
        if (special.contains(c))
            out += prefix;
        out += c;
    }
    return out;
}

QString regexEscape(const QString &v) { return escapeChars(v, u"\\^$*+?.()|[]{}/", u"\\"); }

QString prometheusRegularEscape(const QString &v)
{
    QString out = v;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    out.replace(QLatin1Char('\''), QStringLiteral("\\\\'"));
    return out;
}

QString percentEncode(const QString &v)
{
    // encodeURIComponent leaves these alone.
    return QString::fromLatin1(QUrl::toPercentEncoding(v, QByteArrayLiteral("-_.!~*'()")));
}

QString luceneEscape(const QString &v)
{
    return escapeChars(v, u"!*+-=<>&|()[]{}^~?:\\/\" ", u"\\");
}

QString isoTime(model::TimestampMs ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString formatDate(model::TimestampMs ms, const QString &args)
{
    if (args.isEmpty() || args == u"iso")
        return isoTime(ms);
    if (args == u"seconds")
        return QString::number(ms / 1000);
    // Moment-style patterns: the common tokens mapped to Qt's.
    QString pattern = args;
    pattern.replace(QStringLiteral("YYYY"), QStringLiteral("yyyy"));
    pattern.replace(QStringLiteral("DD"), QStringLiteral("dd"));
    pattern.replace(QStringLiteral("HH"), QStringLiteral("HH"));
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(pattern);
}

} // namespace

DefaultFormat defaultFormatFor(const QString &grafanaType)
{
    if (grafanaType == u"prometheus" || grafanaType == u"loki" || grafanaType == u"tempo")
        return DefaultFormat::Regex;
    return DefaultFormat::Glob;
}

QString prometheusRegexEscape(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QStringLiteral("\\\\\\\\"));
    return escapeChars(out, u"$^*{}[]'+?.()|", u"\\\\");
}

QString formatVariableValues(const QStringList &values, const QStringList &texts, const QString &formatSpec,
                             const QString &variableName)
{
    const qsizetype colon = formatSpec.indexOf(QLatin1Char(':'));
    const QString format = colon < 0 ? formatSpec : formatSpec.left(colon);
    auto mapJoin = [&](auto fn, const QString &sep) {
        QStringList parts;
        for (const QString &v : values)
            parts.append(fn(v));
        return parts.join(sep);
    };
    if (format == u"raw")
        return values.join(QLatin1Char(','));
    if (format == u"csv")
        return values.join(QLatin1Char(','));
    if (format == u"pipe")
        return values.join(QLatin1Char('|'));
    if (format == u"regex") {
        if (values.size() == 1)
            return regexEscape(values.front());
        return QLatin1Char('(') + mapJoin(regexEscape, str("|")) + QLatin1Char(')');
    }
    if (format == u"json") {
        if (values.size() == 1)
            return QString::fromUtf8(QJsonDocument(QJsonArray{values.front()}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
    }
    if (format == u"queryparam")
        return mapJoin([&](const QString &v) -> QString { return QStringLiteral("var-") + variableName + QLatin1Char('=') + percentEncode(v); },
                       str("&"));
    if (format == u"singlequote")
        return mapJoin([](QString v) -> QString { return QLatin1Char('\'') + v.replace(QLatin1Char('\''), QStringLiteral("\\'")) + QLatin1Char('\''); },
                       str(","));
    if (format == u"doublequote")
        return mapJoin([](QString v) -> QString { return QLatin1Char('"') + v.replace(QLatin1Char('"'), QStringLiteral("\\\"")) + QLatin1Char('"'); },
                       str(","));
    if (format == u"sqlstring")
        return mapJoin([](QString v) -> QString { return QLatin1Char('\'') + v.replace(QLatin1Char('\''), QStringLiteral("''")) + QLatin1Char('\''); },
                       str(","));
    if (format == u"text")
        return (texts.isEmpty() ? values : texts).join(QStringLiteral(" + "));
    if (format == u"lucene") {
        if (values.size() == 1)
            return luceneEscape(values.front());
        return QStringLiteral("(") + mapJoin([](const QString &v) -> QString { return QLatin1Char('"') + luceneEscape(v) + QLatin1Char('"'); },
                                             str(" OR ")) + QLatin1Char(')');
    }
    if (format == u"percentencode") {
        if (values.size() == 1)
            return percentEncode(values.front());
        return percentEncode(QLatin1Char('{') + values.join(QLatin1Char(',')) + QLatin1Char('}'));
    }
    if (format == u"distributed") {
        QStringList parts;
        for (qsizetype i = 0; i < values.size(); ++i)
            parts.append(i == 0 ? values[i] : variableName + QLatin1Char('=') + values[i]);
        return parts.join(QLatin1Char(','));
    }
    // glob, and Grafana's fallback for unknown formats
    if (values.size() > 1)
        return QLatin1Char('{') + values.join(QLatin1Char(',')) + QLatin1Char('}');
    return values.value(0);
}

// ---------------------------------------------------------------- VariableSet

Result<VariableSet> VariableSet::fromJson(const QJsonArray &list)
{
    VariableSet set;
    QSet<QString> names;
    for (const QJsonValue &v : list) {
        auto var = Variable::fromJson(v.toObject());
        if (!var)
            return fail(var.error());
        if (names.contains(var->name()))
            return fail(Error::badData(QStringLiteral("variable \"%1\" is defined twice").arg(var->name())));
        names.insert(var->name());
        set.m_variables.append(std::move(*var));
    }
    return set;
}

QJsonArray VariableSet::toJson() const
{
    QJsonArray out;
    for (const Variable &v : m_variables)
        out.append(v.toJson());
    return out;
}

Variable *VariableSet::find(const QString &name)
{
    for (Variable &v : m_variables)
        if (v.name() == name)
            return &v;
    return nullptr;
}

const Variable *VariableSet::find(const QString &name) const
{
    for (const Variable &v : m_variables)
        if (v.name() == name)
            return &v;
    return nullptr;
}

bool VariableSet::remove(const QString &name)
{
    for (qsizetype i = 0; i < m_variables.size(); ++i)
        if (m_variables[i].name() == name) {
            m_variables.removeAt(i);
            return true;
        }
    return false;
}

QStringList VariableSet::referencedNames(const QString &text)
{
    QStringList out;
    auto it = referenceRegex().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        QString name = m.captured(1);
        if (name.isEmpty())
            name = m.captured(2);
        if (name.isEmpty())
            name = m.captured(4);
        if (!name.startsWith(QStringLiteral("__")) && !out.contains(name))
            out.append(name);
    }
    return out;
}

bool VariableSet::containsVariable(const QString &text) { return referenceRegex().match(text).hasMatch(); }

QStringList VariableSet::dependencies(const QString &name) const
{
    const Variable *v = find(name);
    if (!v)
        return {};
    QString text = v->query().isString()
                       ? v->query().toString()
                       : QString::fromUtf8(QJsonDocument(v->query().toObject()).toJson(QJsonDocument::Compact));
    text += QLatin1Char(' ') + v->regex();
    const QJsonValue ds = v->datasource();
    text += QLatin1Char(' ') + (ds.isObject() ? ds.toObject().value(QLatin1String("uid")).toString() : ds.toString());
    QStringList out;
    for (const QString &ref : referencedNames(text))
        if (ref != name && find(ref))
            out.append(ref);
    return out;
}

Result<QList<int>> VariableSet::refreshOrder() const
{
    QList<int> order;
    QSet<int> done;
    QSet<int> visiting;
    std::optional<Error> cycle;
    std::function<void(int, QStringList)> visit = [&](int i, QStringList path) {
        if (done.contains(i))
            return;
        const QString name = m_variables[i].name();
        if (visiting.contains(i)) {
            if (!cycle) {
                path.append(name);
                cycle = Error::badData(QStringLiteral("variables refer to each other in a cycle: %1")
                                           .arg(path.join(QStringLiteral(" -> "))));
            }
            return;
        }
        visiting.insert(i);
        path.append(name);
        for (const QString &dep : dependencies(name))
            for (int j = 0; j < m_variables.size(); ++j)
                if (m_variables[j].name() == dep)
                    visit(j, path);
        visiting.remove(i);
        done.insert(i);
        order.append(i);
    };
    for (int i = 0; i < m_variables.size(); ++i)
        visit(i, {});
    if (cycle)
        return fail(*cycle);
    return order;
}

QList<AdhocFilter> VariableSet::adhocFiltersFor(const QString &datasourceUid) const
{
    QList<AdhocFilter> out;
    for (const Variable &v : m_variables) {
        if (v.type() != VariableType::Adhoc)
            continue;
        const QJsonValue ds = v.datasource();
        const QString uid = ds.isObject() ? ds.toObject().value(QLatin1String("uid")).toString() : ds.toString();
        if (uid.isEmpty() || uid == datasourceUid || containsVariable(uid))
            out += v.filters();
    }
    return out;
}

QString VariableSet::interpolate(const QString &text, const InterpolationScope &scope, DefaultFormat defaultFormat) const
{
    if (!text.contains(QLatin1Char('$')) && !text.contains(QStringLiteral("[[")))
        return text;
    const std::int64_t rangeMs = std::max<std::int64_t>(scope.to - scope.from, 0);
    const std::int64_t intervalMs =
        scope.intervalMs > 0 ? scope.intervalMs : calculateIntervalMs(scope.from, scope.to, 1000, 0);

    auto builtin = [&](const QString &name, const QString &path, const QString &format) -> std::optional<QString> {
        if (!path.isEmpty()) {
            const QString key = name + QLatin1Char('.') + path;
            if (scope.values.contains(key))
                return format.isEmpty() ? scope.values.value(key)
                                        : formatVariableValues({scope.values.value(key)}, {}, format, name);
            if (name == u"__dashboard" && path == u"uid")
                return scope.dashboardUid;
            return std::nullopt;
        }
        if (scope.values.contains(name))
            return format.isEmpty() ? scope.values.value(name)
                                    : formatVariableValues({scope.values.value(name)}, {}, format, name);
        if (name == u"__interval")
            return formatInterval(intervalMs);
        if (name == u"__interval_ms")
            return QString::number(intervalMs);
        if (name == u"__rate_interval")
            return formatInterval(rateIntervalMs(intervalMs, scope.scrapeIntervalMs));
        if (name == u"__rate_interval_ms")
            return QString::number(rateIntervalMs(intervalMs, scope.scrapeIntervalMs));
        if (name == u"__range")
            return QString::number(rangeMs / 1000) + QLatin1Char('s');
        if (name == u"__range_s")
            return QString::number(rangeMs / 1000);
        if (name == u"__range_ms")
            return QString::number(rangeMs);
        if (name == u"__from" || name == u"__to") {
            const model::TimestampMs t = name == u"__from" ? scope.from : scope.to;
            if (format.startsWith(QStringLiteral("date")))
                return formatDate(t, format.mid(5));
            return QString::number(t);
        }
        if (name == u"__dashboard")
            return scope.dashboardTitle;
        if (name.startsWith(QStringLiteral("__auto_interval_"))) {
            const Variable *v = find(name.mid(16));
            const int count = v ? v->autoCount() : 30;
            std::int64_t minMs = 0;
            if (v)
                if (auto m = model::parseDuration(v->autoMin()))
                    minMs = *m;
            return formatInterval(calculateIntervalMs(scope.from, scope.to, count, minMs));
        }
        return std::nullopt;
    };

    auto variableValue = [&](const Variable &v, const QString &explicitFormat) -> std::optional<QString> {
        const QString format = explicitFormat.isEmpty() && defaultFormat == DefaultFormat::Text ? str("text") : explicitFormat;
        if (v.type() == VariableType::Adhoc)
            return std::nullopt;
        QStringList values = v.currentValues();
        QStringList texts = v.currentTexts();
        if (v.type() == VariableType::Interval && values.size() == 1 &&
            values.front().startsWith(QStringLiteral("$__auto_interval_")))
            values = {builtin(values.front().mid(1), {}, {}).value_or(values.front())};
        if (v.isAllSelected()) {
            if (format == u"text")
                return str("All");
            if (format == u"queryparam")
                return QStringLiteral("var-") + v.name() + QStringLiteral("=$__all");
            if (!v.allValue().isEmpty())
                return v.allValue();
            values = v.allOptionValues();
            // Nothing to list (the datasource offered no values): match
            // everything rather than Grafana's "()" that matches nothing.
            if (values.isEmpty() && format.isEmpty() && defaultFormat == DefaultFormat::Regex)
                return str(".*");
            texts.clear();
            for (const VariableOption &o : v.options())
                if (o.value != kAllValue)
                    texts.append(o.text);
        }
        if (!format.isEmpty())
            return formatVariableValues(values, texts, format, v.name());
        if (defaultFormat == DefaultFormat::Regex) {
            if (!v.isMulti() && !v.includeAll())
                return prometheusRegularEscape(values.value(0));
            if (values.size() == 1)
                return prometheusRegexEscape(values.front());
            QStringList escaped;
            for (const QString &val : values)
                escaped.append(prometheusRegexEscape(val));
            return QLatin1Char('(') + escaped.join(QLatin1Char('|')) + QLatin1Char(')');
        }
        return formatVariableValues(values, texts, str("glob"), v.name());
    };

    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    auto it = referenceRegex().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        QString name = m.captured(1);
        QString format;
        QString path;
        if (name.isEmpty() && m.hasCaptured(2) && !m.captured(2).isEmpty()) {
            name = m.captured(2);
            format = m.captured(3);
        } else if (name.isEmpty()) {
            name = m.captured(4);
            path = m.captured(5);
            format = m.captured(6);
        }
        std::optional<QString> value;
        if (const Variable *v = path.isEmpty() ? find(name) : nullptr)
            value = variableValue(*v, format);
        else
            value = builtin(name, path, format);
        out += value ? *value : m.captured(0);
    }
    out += QStringView(text).mid(last);
    return out;
}

// ---------------------------------------------------------------- refresh

Result<void> VariableSet::refreshOne(Variable &v, VariableEnvironment &env, const InterpolationScope &scope,
                                     const CancelToken &cancel)
{
    switch (v.type()) {
    case VariableType::Query: {
        QJsonValue ref = v.datasource();
        if (ref.isObject()) {
            QJsonObject o = ref.toObject();
            o[str("uid")] = interpolate(o.value(QLatin1String("uid")).toString(), scope);
            ref = o;
        } else if (ref.isString()) {
            ref = interpolate(ref.toString(), scope);
        }
        const VariableEnvironment::Resolved resolved = env.resolveDatasource(ref);
        if (!resolved.datasource)
            return fail(Error::invalid(resolved.error.isEmpty() ? QStringLiteral("no datasource") : resolved.error));
        const QString text = interpolate(v.queryText(), scope, defaultFormatFor(resolved.grafanaType));
        auto options = runVariableQuery(*resolved.datasource, resolved.grafanaType, v.query(), text, scope, cancel);
        if (!options)
            return fail(options.error());
        auto filtered = applyVariableRegex(*options, interpolate(v.regex(), scope));
        if (!filtered)
            return fail(filtered.error());
        v.setOptions(sortVariableOptions(*filtered, v.sort()));
        return {};
    }
    case VariableType::Custom:
        v.setOptions(parseCustomOptions(interpolate(v.queryText(), scope)));
        return {};
    case VariableType::Interval: {
        QList<VariableOption> opts;
        if (v.autoInterval())
            opts.append({str("auto"), QStringLiteral("$__auto_interval_") + v.name()});
        for (const QString &part : v.queryText().split(QLatin1Char(','), Qt::SkipEmptyParts))
            opts.append({part.trimmed(), part.trimmed()});
        v.setOptions(opts);
        return {};
    }
    case VariableType::Datasource: {
        QList<VariableOption> opts;
        for (const datasource::DatasourceSettings &s : env.datasourcesOfType(v.queryText()))
            opts.append({s.name, s.uid});
        auto filtered = applyVariableRegex(opts, interpolate(v.regex(), scope));
        if (!filtered)
            return fail(filtered.error());
        v.setOptions(*filtered);
        return {};
    }
    default:
        return {};
    }
}

QStringList VariableSet::refresh(VariableEnvironment &env, const InterpolationScope &scope, Trigger trigger,
                                 const CancelToken &cancel)
{
    QSet<QString> names;
    for (const Variable &v : m_variables) {
        bool want = false;
        switch (v.type()) {
        case VariableType::Query:
            want = trigger == Trigger::Load ? (v.refresh() != 0 || v.options().isEmpty()) : v.refresh() == 2;
            break;
        case VariableType::Custom:
        case VariableType::Datasource:
            want = trigger == Trigger::Load;
            break;
        case VariableType::Interval:
            want = trigger == Trigger::Load || v.autoInterval();
            break;
        default:
            break;
        }
        if (want)
            names.insert(v.name());
    }
    return refreshSet(names, env, scope, cancel);
}

QStringList VariableSet::refreshSet(const QSet<QString> &names, VariableEnvironment &env,
                                    const InterpolationScope &scope, const CancelToken &cancel)
{
    QStringList errors;
    auto order = refreshOrder();
    QList<int> indices;
    if (!order) {
        errors.append(order.error().message);
        for (int i = 0; i < m_variables.size(); ++i)
            indices.append(i);
    } else {
        indices = *order;
    }
    QSet<QString> changed;
    for (int i : indices) {
        if (cancel.isCancelled())
            break;
        Variable &v = m_variables[i];
        const QStringList deps = dependencies(v.name());
        const bool depChanged = std::any_of(deps.begin(), deps.end(), [&](const QString &d) { return changed.contains(d); });
        if (!names.contains(v.name()) && !depChanged)
            continue;
        const QStringList before = v.currentValues();
        if (auto r = refreshOne(v, env, scope, cancel); !r)
            errors.append(v.name() + QStringLiteral(": ") + r.error().message);
        if (v.currentValues() != before || depChanged)
            changed.insert(v.name());
    }
    return errors;
}

QStringList VariableSet::refreshDependents(const QString &name, VariableEnvironment &env,
                                           const InterpolationScope &scope, const CancelToken &cancel)
{
    // Everything reachable from `name` through dependencies, refreshed in order.
    QSet<QString> affected;
    bool grew = true;
    while (grew) {
        grew = false;
        for (const Variable &v : m_variables) {
            if (affected.contains(v.name()) || v.name() == name)
                continue;
            const QStringList deps = dependencies(v.name());
            if (std::any_of(deps.begin(), deps.end(),
                            [&](const QString &d) { return d == name || affected.contains(d); })) {
                affected.insert(v.name());
                grew = true;
            }
        }
    }
    return refreshSet(affected, env, scope, cancel);
}

// ---------------------------------------------------------------- queries

namespace {

QStringList collectLabelValues(const model::Frames &frames, const QString &label)
{
    QStringList out;
    QSet<QString> seen;
    auto add = [&](const QString &v) {
        if (!v.isEmpty() && !seen.contains(v)) {
            seen.insert(v);
            out.append(v);
        }
    };
    for (const model::Frame &f : frames) {
        if (const model::Field *field = f.field(label); field && field->type() == model::FieldType::String) {
            for (const QString &v : field->strings())
                add(v);
            continue;
        }
        for (const model::Field &field : f.fields()) {
            if (field.type() == model::FieldType::Labels)
                for (const model::Labels &l : field.labelSets())
                    add(l.value(label));
            else if (field.seriesLabels().has(label))
                add(field.seriesLabels().value(label));
        }
    }
    return out;
}

QList<VariableOption> toOptions(const QStringList &values)
{
    QList<VariableOption> out;
    QSet<QString> seen;
    for (const QString &v : values)
        if (!seen.contains(v)) {
            seen.insert(v);
            out.append({v, v});
        }
    return out;
}

QString formatNumber(double v) { return QString::number(v, 'g', 15); }

} // namespace

Result<QList<VariableOption>> runVariableQuery(datasource::Datasource &ds, const QString &grafanaType,
                                               const QJsonValue &query, const QString &text,
                                               const InterpolationScope &scope, const CancelToken &cancel)
{
    // Loki and Tempo's query editors store {type, label}: 0 = names, 1 = values.
    if (query.isObject() && query.toObject().contains(QLatin1String("type")) &&
        !query.toObject().contains(QLatin1String("query"))) {
        const QJsonObject q = query.toObject();
        const int type = q.value(QLatin1String("type")).toInt();
        if (type == 0) {
            auto names = ds.labelNames(cancel);
            if (!names)
                return fail(names.error());
            return toOptions(*names);
        }
        const QString label = q.value(QLatin1String("label")).toString();
        if (label.isEmpty())
            return fail(Error::invalid(QStringLiteral("the tag values query names no label")));
        auto values = ds.labelValues(label, cancel);
        if (!values)
            return fail(values.error());
        return toOptions(*values);
    }

    static const QRegularExpression labelNamesRe(QStringLiteral("^\\s*label_names\\(\\s*(.*)\\s*\\)\\s*$"),
                                                 QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression labelValuesRe(
        QStringLiteral("^\\s*label_values\\((?:(.+),\\s*)?([a-zA-Z_$][\\w.]*)\\s*\\)\\s*$"),
        QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression metricsRe(QStringLiteral("^\\s*metrics\\((.+)\\)\\s*$"),
                                              QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression queryResultRe(QStringLiteral("^\\s*query_result\\((.+)\\)\\s*$"),
                                                  QRegularExpression::DotMatchesEverythingOption);
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QList<VariableOption>{};

    if (labelNamesRe.match(trimmed).hasMatch()) {
        auto names = ds.labelNames(cancel);
        if (!names)
            return fail(names.error());
        return toOptions(*names);
    }
    if (const auto m = labelValuesRe.match(trimmed); m.hasMatch()) {
        const QString selector = m.captured(1).trimmed();
        const QString label = m.captured(2);
        if (selector.isEmpty() || grafanaType == u"loki" || grafanaType == u"tempo") {
            auto values = ds.labelValues(label, cancel);
            if (!values)
                return fail(values.error());
            return toOptions(*values);
        }
        // Series seen over the dashboard range, as /api/v1/series would answer.
        const std::int64_t rangeS = std::max<std::int64_t>((scope.to - scope.from) / 1000, 1);
        datasource::QueryRequest req;
        req.refId = QStringLiteral("variable");
        req.expr = QStringLiteral("group by (%1) (last_over_time(%2[%3s]))").arg(label, selector).arg(rangeS);
        req.from = scope.to;
        req.to = scope.to;
        req.instant = true;
        req.options.insert(QStringLiteral("language"), QStringLiteral("promql"));
        auto frames = ds.query(req, cancel);
        if (!frames)
            return fail(frames.error());
        return toOptions(collectLabelValues(*frames, label));
    }
    if (const auto m = metricsRe.match(trimmed); m.hasMatch()) {
        auto names = ds.labelValues(QStringLiteral("__name__"), cancel);
        if (!names)
            return fail(names.error());
        QRegularExpression re(m.captured(1).trimmed());
        if (!re.isValid())
            return fail(Error::invalid(QStringLiteral("invalid regex in metrics(): %1").arg(re.errorString())));
        QStringList matched;
        for (const QString &n : *names)
            if (re.match(n).hasMatch())
                matched.append(n);
        return toOptions(matched);
    }
    if (grafanaType != u"prometheus" && !grafanaType.isEmpty() && !queryResultRe.match(trimmed).hasMatch())
        return fail(Error::invalid(QStringLiteral("unsupported variable query for a %1 datasource: %2").arg(grafanaType, trimmed)));

    QString expr = trimmed;
    if (const auto m = queryResultRe.match(trimmed); m.hasMatch())
        expr = m.captured(1).trimmed();
    datasource::QueryRequest req;
    req.refId = QStringLiteral("variable");
    req.expr = expr;
    req.from = scope.to;
    req.to = scope.to;
    req.instant = true;
    req.options.insert(QStringLiteral("format"), QStringLiteral("time_series"));
    auto frames = ds.query(req, cancel);
    if (!frames)
        return fail(frames.error());
    // Grafana's query_result text: metric{labels} value timestamp_ms.
    QStringList texts;
    for (const model::Frame &f : *frames) {
        const model::Field *time = f.firstOfType(model::FieldType::Time);
        for (const model::Field &field : f.fields()) {
            if (field.type() != model::FieldType::Float64 || field.size() == 0)
                continue;
            const qsizetype row = field.size() - 1;
            QString line = field.seriesLabels().isEmpty() ? f.seriesLabels().toString() : field.seriesLabels().toString();
            line += QLatin1Char(' ') + formatNumber(field.doubles().at(row));
            if (time && time->size() > row)
                line += QLatin1Char(' ') + QString::number(time->int64s().at(row));
            texts.append(line);
        }
    }
    return toOptions(texts);
}

// ---------------------------------------------------------------- ad hoc

QString applyAdhocFilters(const QString &query, const QList<AdhocFilter> &filters)
{
    QStringList matchers;
    for (const AdhocFilter &f : filters) {
        if (f.key.isEmpty() || !(f.op == u"=" || f.op == u"!=" || f.op == u"=~" || f.op == u"!~"))
            continue;
        QString value = f.value;
        value.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
        matchers.append(f.key + f.op + QLatin1Char('"') + value + QLatin1Char('"'));
    }
    if (matchers.isEmpty())
        return query;
    const QString joined = matchers.join(QLatin1Char(','));
    static const QSet<QString> keywords{
        str("by"), str("without"), str("on"), str("ignoring"), str("group_left"), str("group_right"), str("bool"),
        str("and"), str("or"), str("unless"), str("offset"), str("start"), str("end"), str("atan2"), str("inf"),
        str("nan"), str("Inf"), str("NaN")};
    // LogQL pipelines (`| json`) have bare words that are not metric names.
    bool pipeline = false;
    QChar quote;
    for (QChar c : query) {
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == u'"' || c == u'\'' || c == u'`')
            quote = c;
        else if (c == u'|')
            pipeline = true;
    }

    QString out;
    const qsizetype n = query.size();
    int groupingDepth = 0; // inside by(...)/on(...) label lists
    int parenDepth = 0;
    QList<int> groupingAt;
    for (qsizetype i = 0; i < n;) {
        const QChar c = query[i];
        if (c == u'"' || c == u'\'' || c == u'`') {
            qsizetype j = i + 1;
            while (j < n && query[j] != c) {
                if (query[j] == u'\\' && c != u'`')
                    ++j;
                ++j;
            }
            out += QStringView(query).mid(i, j + 1 - i);
            i = j + 1;
            continue;
        }
        if (c == u'{') {
            qsizetype j = i + 1;
            QChar q;
            while (j < n && (query[j] != u'}' || !q.isNull())) {
                if (!q.isNull()) {
                    if (query[j] == u'\\')
                        ++j;
                    else if (query[j] == q)
                        q = QChar();
                } else if (query[j] == u'"' || query[j] == u'\'' || query[j] == u'`') {
                    q = query[j];
                }
                ++j;
            }
            const QString inner = query.mid(i + 1, j - i - 1);
            out += QLatin1Char('{') + inner + (inner.trimmed().isEmpty() ? QString() : QStringLiteral(",")) + joined +
                   QLatin1Char('}');
            i = j + 1;
            continue;
        }
        if (c == u'[') { // durations and subqueries: copy
            const qsizetype j = query.indexOf(QLatin1Char(']'), i);
            const qsizetype end = j < 0 ? n : j + 1;
            out += QStringView(query).mid(i, end - i);
            i = end;
            continue;
        }
        if (c == u'(') {
            ++parenDepth;
            out += c;
            ++i;
            continue;
        }
        if (c == u')') {
            if (!groupingAt.isEmpty() && groupingAt.back() == parenDepth) {
                groupingAt.removeLast();
                --groupingDepth;
            }
            --parenDepth;
            out += c;
            ++i;
            continue;
        }
        if (c.isLetter() || c == u'_' || c == u':') {
            qsizetype j = i;
            while (j < n && (query[j].isLetterOrNumber() || query[j] == u'_' || query[j] == u':'))
                ++j;
            const QString word = query.mid(i, j - i);
            out += word;
            qsizetype k = j;
            while (k < n && query[k].isSpace())
                ++k;
            const QChar next = k < n ? query[k] : QChar();
            const bool prevDigit = i > 0 && (query[i - 1].isDigit() || query[i - 1] == u'$' || query[i - 1] == u'.');
            if (word == u"by" || word == u"without" || word == u"on" || word == u"ignoring" ||
                word == u"group_left" || word == u"group_right") {
                if (next == u'(') {
                    groupingAt.append(parenDepth + 1);
                    ++groupingDepth;
                }
            } else if (!pipeline && groupingDepth == 0 && !prevDigit && !keywords.contains(word) && next != u'(' &&
                       next != u'{' && next != u'=' && next != u'!' && next != u'~') {
                out += QLatin1Char('{') + joined + QLatin1Char('}');
            }
            i = j;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

} // namespace spyglass::dashboard
