#include "core/viz/field_config.h"

#include "core/viz/colors.h"

#include <QJsonValue>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace spyglass::viz {

namespace {

std::optional<double> optionalNumber(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (v.isString()) {
        bool ok = false;
        const double d = v.toString().toDouble(&ok);
        if (ok)
            return d;
    }
    return std::nullopt;
}

MappingResult resultFromJson(const QJsonObject &o)
{
    MappingResult r;
    r.text = o.value(QLatin1String("text")).toString();
    if (o.contains(QLatin1String("color")))
        r.color = resolveColor(o.value(QLatin1String("color")).toString());
    r.index = o.value(QLatin1String("index")).toInt();
    return r;
}

QString regexSubstitute(const QRegularExpressionMatch &m, const QString &text)
{
    QString out = text;
    for (int i = m.lastCapturedIndex(); i >= 1; --i)
        out.replace(u'$' + QString::number(i), m.captured(i));
    return out;
}

} // namespace

Thresholds Thresholds::fromJson(const QJsonObject &json)
{
    Thresholds t;
    t.mode = json.value(QLatin1String("mode")).toString() == u"percentage" ? Mode::Percentage : Mode::Absolute;
    for (const QJsonValue &s : json.value(QLatin1String("steps")).toArray()) {
        const QJsonObject o = s.toObject();
        ThresholdStep step;
        if (auto v = optionalNumber(o.value(QLatin1String("value"))))
            step.value = *v;
        step.color = resolveColor(o.value(QLatin1String("color")).toString());
        t.steps.push_back(step);
    }
    std::stable_sort(t.steps.begin(), t.steps.end(), [](const ThresholdStep &a, const ThresholdStep &b) { return a.value < b.value; });
    return t;
}

Thresholds Thresholds::defaults()
{
    Thresholds t;
    t.steps = {{-std::numeric_limits<double>::infinity(), resolveColor(QStringLiteral("green"))},
               {80, resolveColor(QStringLiteral("red"))}};
    return t;
}

int Thresholds::stepIndex(double value, double min, double max) const
{
    if (steps.isEmpty())
        return -1;
    double v = value;
    if (mode == Mode::Percentage)
        v = max > min ? (value - min) / (max - min) * 100.0 : 0;
    int idx = 0;
    for (int i = 0; i < steps.size(); ++i) {
        if (v >= steps.at(i).value)
            idx = i;
        else
            break;
    }
    return idx;
}

QColor Thresholds::colorFor(double value, double min, double max) const
{
    const int i = stepIndex(value, min, max);
    return i < 0 ? QColor() : steps.at(i).color;
}

double Thresholds::absoluteValue(int step, double min, double max) const
{
    const double v = steps.at(step).value;
    if (mode == Mode::Percentage && std::isfinite(v))
        return min + (max - min) * v / 100.0;
    return v;
}

QList<ValueMapping> ValueMapping::listFromJson(const QJsonArray &json)
{
    QList<ValueMapping> out;
    for (const QJsonValue &entry : json) {
        const QJsonObject o = entry.toObject();
        const QString type = o.value(QLatin1String("type")).toString();
        const QJsonObject opts = o.value(QLatin1String("options")).toObject();
        ValueMapping m;
        if (type == u"value") {
            m.type = Type::Value;
            for (auto it = opts.begin(); it != opts.end(); ++it)
                m.values.insert(it.key(), resultFromJson(it.value().toObject()));
        } else if (type == u"range") {
            m.type = Type::Range;
            m.from = optionalNumber(opts.value(QLatin1String("from")));
            m.to = optionalNumber(opts.value(QLatin1String("to")));
            m.result = resultFromJson(opts.value(QLatin1String("result")).toObject());
        } else if (type == u"regex") {
            m.type = Type::Regex;
            m.pattern = opts.value(QLatin1String("pattern")).toString();
            m.result = resultFromJson(opts.value(QLatin1String("result")).toObject());
        } else if (type == u"special") {
            m.type = Type::Special;
            m.special = opts.value(QLatin1String("match")).toString();
            m.result = resultFromJson(opts.value(QLatin1String("result")).toObject());
        } else {
            continue; // legacy shapes are migrated by core/dashboard
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::optional<MappingResult> applyMappings(const QList<ValueMapping> &mappings, double value)
{
    const bool isNull = std::isnan(value);
    for (const ValueMapping &m : mappings) {
        switch (m.type) {
        case ValueMapping::Type::Value:
            if (!isNull) {
                if (auto it = m.values.constFind(toFixed(value, std::nullopt)); it != m.values.constEnd())
                    return *it;
                if (auto it = m.values.constFind(QString::number(value, 'g', 17)); it != m.values.constEnd())
                    return *it;
            }
            break;
        case ValueMapping::Type::Range:
            if (!isNull && (!m.from || value >= *m.from) && (!m.to || value <= *m.to) && (m.from || m.to))
                return m.result;
            break;
        case ValueMapping::Type::Regex: {
            if (isNull)
                break;
            if (auto r = applyMappings({m}, toFixed(value, std::nullopt)))
                return r;
            break;
        }
        case ValueMapping::Type::Special:
            if ((isNull && (m.special == u"null" || m.special == u"nan" || m.special == u"null+nan"))
                || (!isNull && value == 1 && m.special == u"true") || (!isNull && value == 0 && m.special == u"false"))
                return m.result;
            break;
        }
    }
    return std::nullopt;
}

std::optional<MappingResult> applyMappings(const QList<ValueMapping> &mappings, const QString &text)
{
    for (const ValueMapping &m : mappings) {
        switch (m.type) {
        case ValueMapping::Type::Value:
            if (auto it = m.values.constFind(text); it != m.values.constEnd())
                return *it;
            break;
        case ValueMapping::Type::Range: {
            bool ok = false;
            const double v = text.toDouble(&ok);
            if (ok && (m.from || m.to) && (!m.from || v >= *m.from) && (!m.to || v <= *m.to))
                return m.result;
            break;
        }
        case ValueMapping::Type::Regex: {
            const QRegularExpression re(m.pattern);
            if (!re.isValid())
                break;
            const auto match = re.match(text);
            if (match.hasMatch()) {
                MappingResult r = m.result;
                r.text = regexSubstitute(match, r.text);
                return r;
            }
            break;
        }
        case ValueMapping::Type::Special:
            if ((m.special == u"empty" && text.isEmpty()) || (m.special == u"true" && text == u"true")
                || (m.special == u"false" && text == u"false")
                || ((m.special == u"null" || m.special == u"null+nan") && text.isNull()))
                return m.result;
            break;
        }
    }
    return std::nullopt;
}

void FieldConfig::applyProperty(const QString &id, const QJsonValue &value)
{
    if (id == u"unit") {
        unit = value.toString();
    } else if (id == u"decimals") {
        decimals = value.isNull() ? std::nullopt : std::optional<int>(value.toInt());
    } else if (id == u"min") {
        min = optionalNumber(value);
    } else if (id == u"max") {
        max = optionalNumber(value);
    } else if (id == u"displayName" || id == u"displayNameFromDS") {
        displayName = value.toString();
    } else if (id == u"noValue") {
        noValue = value.toString();
    } else if (id == u"thresholds") {
        thresholds = Thresholds::fromJson(value.toObject());
    } else if (id == u"mappings") {
        mappings = ValueMapping::listFromJson(value.toArray());
    } else if (id == u"color") {
        const QJsonObject c = value.toObject();
        if (c.contains(QLatin1String("mode")))
            colorMode = c.value(QLatin1String("mode")).toString();
        if (c.contains(QLatin1String("fixedColor")))
            fixedColor = resolveColor(c.value(QLatin1String("fixedColor")).toString());
    } else if (id == u"links") {
        links.clear();
        for (const QJsonValue &l : value.toArray()) {
            const QJsonObject o = l.toObject();
            links.push_back({o.value(QLatin1String("title")).toString(), o.value(QLatin1String("url")).toString(),
                             o.value(QLatin1String("targetBlank")).toBool()});
        }
    } else if (id.startsWith(u"custom.")) {
        // Nested custom keys ("custom.hideFrom.legend") set one leaf.
        const QStringList path = id.mid(7).split(u'.');
        std::function<QJsonObject(QJsonObject, int)> set = [&](QJsonObject o, int i) {
            if (i == path.size() - 1) {
                o.insert(path.at(i), value);
                return o;
            }
            o.insert(path.at(i), set(o.value(path.at(i)).toObject(), i + 1));
            return o;
        };
        custom = set(custom, 0);
    }
}

FieldConfig FieldConfig::fromJson(const QJsonObject &defaults)
{
    FieldConfig c;
    for (auto it = defaults.begin(); it != defaults.end(); ++it) {
        if (it.key() == u"custom")
            c.custom = it.value().toObject();
        else
            c.applyProperty(it.key(), it.value());
    }
    return c;
}

bool FieldOverride::matches(const model::Frame &frame, const model::Field &field, const QString &displayName) const
{
    if (matcherId == u"byName") {
        const QString n = matcherOptions.toString();
        return n == displayName || n == field.name();
    }
    if (matcherId == u"byRegexp") {
        const QRegularExpression re(QRegularExpression::anchoredPattern(matcherOptions.toString()));
        return re.isValid() && (re.match(displayName).hasMatch() || re.match(field.name()).hasMatch());
    }
    if (matcherId == u"byType") {
        const QString t = matcherOptions.toString();
        switch (field.type()) {
        case model::FieldType::Time: return t == u"time";
        case model::FieldType::Float64:
        case model::FieldType::Int64: return t == u"number";
        case model::FieldType::String: return t == u"string";
        case model::FieldType::Labels: return t == u"other";
        }
        return false;
    }
    if (matcherId == u"byFrameRefID")
        return frameRefId(frame) == matcherOptions.toString();
    if (matcherId == u"byNames") {
        const QJsonObject o = matcherOptions.toObject();
        const QJsonArray names = o.value(QLatin1String("names")).toArray();
        const bool inList = names.contains(QJsonValue(displayName)) || names.contains(QJsonValue(field.name()));
        return o.value(QLatin1String("mode")).toString() == u"exclude" ? !inList : inList;
    }
    return false;
}

QList<FieldOverride> FieldOverride::listFromJson(const QJsonArray &json)
{
    QList<FieldOverride> out;
    for (const QJsonValue &v : json) {
        const QJsonObject o = v.toObject();
        const QJsonObject matcher = o.value(QLatin1String("matcher")).toObject();
        out.push_back({matcher.value(QLatin1String("id")).toString(), matcher.value(QLatin1String("options")),
                       o.value(QLatin1String("properties")).toArray()});
    }
    return out;
}

FieldConfigSource::FieldConfigSource(const QJsonObject &fieldConfig)
    : m_defaults(FieldConfig::fromJson(fieldConfig.value(QLatin1String("defaults")).toObject())),
      m_overrides(FieldOverride::listFromJson(fieldConfig.value(QLatin1String("overrides")).toArray()))
{
}

FieldConfig FieldConfigSource::resolve(const model::Frame &frame, const model::Field &field) const
{
    FieldConfig c = m_defaults;
    if (c.unit.isEmpty())
        c.unit = field.unit();
    const QString name = fieldDisplayName(frame, field);
    for (const FieldOverride &o : m_overrides) {
        if (!o.matches(frame, field, name))
            continue;
        for (const QJsonValue &p : o.properties) {
            const QJsonObject po = p.toObject();
            c.applyProperty(po.value(QLatin1String("id")).toString(), po.value(QLatin1String("value")));
        }
    }
    return c;
}

QString frameRefId(const model::Frame &frame)
{
    const QString r = frame.meta().custom.value(QStringLiteral("refId")).toString();
    return r.isEmpty() ? frame.name() : r;
}

QString fieldDisplayName(const model::Frame &frame, const model::Field &field, const QString &configuredName)
{
    const model::Labels labels = field.seriesLabels();
    if (!configuredName.isEmpty()) {
        QString out = configuredName;
        static const QRegularExpression var(QStringLiteral(R"(\$\{__field\.(labels\.([A-Za-z_][A-Za-z0-9_]*)|labels|name|displayName)\})"));
        QString result;
        qsizetype last = 0;
        for (auto it = var.globalMatch(out); it.hasNext();) {
            const auto m = it.next();
            result += out.mid(last, m.capturedStart() - last);
            if (!m.captured(2).isEmpty())
                result += labels.value(m.captured(2));
            else if (m.captured(1) == u"labels")
                result += labels.toString();
            else
                result += field.name();
            last = m.capturedEnd();
        }
        return result + out.mid(last);
    }
    if (field.type() == model::FieldType::Float64 || field.type() == model::FieldType::Int64) {
        int valueFields = 0;
        for (const auto &f : frame.fields())
            valueFields += (f.type() == model::FieldType::Float64 || f.type() == model::FieldType::Int64) ? 1 : 0;
        const bool isSeries = frame.firstOfType(model::FieldType::Time) != nullptr;
        // Datasources name a one-series frame after the legend format (or
        // the labels), which is what Grafana shows too.
        if (isSeries && valueFields == 1 && !frame.name().isEmpty())
            return frame.name();
        if (!labels.isEmpty()) {
            const QString metric = labels.metricName();
            const model::Labels rest = labels.withoutMetricName();
            if (rest.isEmpty())
                return metric;
            return metric + rest.toString();
        }
    }
    return field.name();
}

DisplayValue displayValue(const FieldConfig &config, double value, int seriesIndex)
{
    DisplayValue d;
    d.numeric = value;
    const double min = config.min.value_or(0), max = config.max.value_or(100);
    if (std::isnan(value) && !config.noValue.isEmpty())
        d.formatted.text = config.noValue;
    else
        d.formatted = formatValue(value, config.unit, config.decimals);
    if (config.colorMode == u"thresholds")
        d.color = std::isnan(value) ? QColor() : config.thresholds.colorFor(value, min, max);
    else if (config.colorMode == u"fixed" || config.colorMode == u"shades")
        d.color = config.fixedColor.isValid() ? config.fixedColor : resolveColor(QStringLiteral("green"));
    else if (isContinuousScheme(config.colorMode))
        d.color = continuousColor(config.colorMode, max > min ? (value - min) / (max - min) : 0);
    else
        d.color = classicPaletteColor(seriesIndex);
    if (auto m = applyMappings(config.mappings, value)) {
        if (!m->text.isEmpty())
            d.formatted = {{}, m->text, {}};
        if (m->color.isValid())
            d.color = m->color;
    }
    return d;
}

DisplayValue displayText(const FieldConfig &config, const QString &text)
{
    DisplayValue d;
    d.numeric = std::numeric_limits<double>::quiet_NaN();
    d.formatted.text = text;
    if (auto m = applyMappings(config.mappings, text)) {
        if (!m->text.isEmpty())
            d.formatted.text = m->text;
        d.color = m->color;
    }
    return d;
}

bool isNumeric(const model::Field &field)
{
    return field.type() == model::FieldType::Float64 || field.type() == model::FieldType::Int64;
}

QList<double> numericValues(const model::Field &field)
{
    switch (field.type()) {
    case model::FieldType::Float64: return field.doubles();
    case model::FieldType::Int64:
    case model::FieldType::Time: {
        QList<double> out;
        out.reserve(field.size());
        for (std::int64_t v : field.int64s())
            out.push_back(double(v));
        return out;
    }
    default: return {};
    }
}

} // namespace spyglass::viz
