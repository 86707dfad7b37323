#pragma once

#include "core/model/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace spyglass::dashboard {

enum class VariableType { Query, Custom, Constant, Textbox, Interval, Datasource, Adhoc, Unknown };

QString variableTypeName(VariableType t);
VariableType variableTypeFromName(QStringView name);

struct VariableOption
{
    QString text;
    QString value;
    friend bool operator==(const VariableOption &, const VariableOption &) = default;
};

struct AdhocFilter
{
    QString key;
    QString op = QStringLiteral("=");
    QString value;
    friend bool operator==(const AdhocFilter &, const AdhocFilter &) = default;
};

// The value Grafana uses for "All" in `current`.
inline constexpr QStringView kAllValue = u"$__all";

// One templating variable (Grafana's templating.list entry). The original
// JSON is kept; toJson() writes back only `current` (and `options` / `filters`)
// when they were changed, so a saved dashboard differs from its input only
// by what the user selected.
class Variable
{
public:
    static Result<Variable> fromJson(const QJsonObject &json);
    QJsonObject toJson() const;

    const QString &name() const { return m_name; }
    QString label() const; // label, or the name
    VariableType type() const { return m_type; }
    QString typeName() const { return m_json.value(QLatin1String("type")).toString(); }
    bool isMulti() const { return m_multi; }
    bool includeAll() const { return m_includeAll; }
    // Custom "all" value ("allValue": ".*"), empty when not set.
    QString allValue() const { return m_allValue; }
    QString regex() const { return m_json.value(QLatin1String("regex")).toString(); }
    int sort() const { return m_json.value(QLatin1String("sort")).toInt(0); }
    // 0 never (saved options), 1 on dashboard load, 2 on time range change.
    int refresh() const { return m_json.value(QLatin1String("refresh")).toInt(1); }
    int hide() const { return m_json.value(QLatin1String("hide")).toInt(0); } // 0 show, 1 no label, 2 hidden
    QString description() const { return m_json.value(QLatin1String("description")).toString(); }
    QJsonValue datasource() const { return m_json.value(QLatin1String("datasource")); }
    QJsonValue query() const { return m_json.value(QLatin1String("query")); }
    // The query as text: the string itself, or query.query of the object form.
    QString queryText() const;

    // Interval variables.
    bool autoInterval() const { return m_json.value(QLatin1String("auto")).toBool(false); }
    int autoCount() const { return m_json.value(QLatin1String("auto_count")).toInt(30); }
    QString autoMin() const { return m_json.value(QLatin1String("auto_min")).toString(QStringLiteral("10s")); }

    const QList<VariableOption> &options() const { return m_options; }
    // Sets the options (after a refresh). Keeps the current selection when
    // still offered, otherwise selects the first option (All when included).
    // Returns whether the current value changed.
    bool setOptions(QList<VariableOption> options);

    const QStringList &currentValues() const { return m_currentValues; }
    const QStringList &currentTexts() const { return m_currentTexts; }
    bool isAllSelected() const { return m_currentValues.size() == 1 && m_currentValues.front() == kAllValue; }
    // Selects values (texts looked up from the options); returns whether anything changed.
    bool setCurrent(const QStringList &values);

    const QList<AdhocFilter> &filters() const { return m_filters; }
    void setFilters(QList<AdhocFilter> filters);

    // Every value "All" stands for: the options other than All itself.
    QStringList allOptionValues() const;

private:
    QString textFor(const QString &value) const;

    QJsonObject m_json;
    QString m_name;
    VariableType m_type = VariableType::Unknown;
    bool m_multi = false;
    bool m_includeAll = false;
    QString m_allValue;
    QList<VariableOption> m_options;
    QStringList m_currentValues;
    QStringList m_currentTexts;
    QList<AdhocFilter> m_filters;
    bool m_currentDirty = false;
    bool m_optionsDirty = false;
    bool m_filtersDirty = false;
};

// Grafana's "custom" variable syntax: comma-separated values, `\,` escapes a
// comma, and `text : value` gives an option a display text.
QList<VariableOption> parseCustomOptions(const QString &query);

// Applies a variable's regex ("/pattern/flags") to option texts the way
// Grafana does: non-matching options are dropped, the first capture group
// (or the named groups "text" and "value") become the option. Returns an
// error for an invalid pattern.
Result<QList<VariableOption>> applyVariableRegex(const QList<VariableOption> &options, const QString &regex);

// Grafana's sort codes: 0 none, 1/2 alphabetical asc/desc, 3/4 numerical,
// 5/6 alphabetical case-insensitive, 7/8 natural.
QList<VariableOption> sortVariableOptions(QList<VariableOption> options, int sort);

} // namespace spyglass::dashboard
