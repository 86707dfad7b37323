#pragma once

#include "core/dashboard/variable.h"
#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <memory>

namespace spyglass::dashboard {

// Built-in values for interpolation: the dashboard time range and the
// panel's interval, plus scoped values (data links: "__field.labels.job",
// "__data.fields.x", "__value.raw", "__series.name", ...).
struct InterpolationScope
{
    model::TimestampMs from = 0;
    model::TimestampMs to = 0;
    std::int64_t intervalMs = 0;          // $__interval; 0 = derived from the range and 1000 points
    std::int64_t scrapeIntervalMs = 15000; // the datasource's scrape interval, for $__rate_interval
    QString dashboardTitle;
    QString dashboardUid;
    QHash<QString, QString> values;
};

// How a multi-value variable is written when the text names no format:
// Grafana's generic default is glob ({a,b}); the Prometheus, Loki and Tempo
// datasources write values regex-escaped and joined with |.
// Titles use the display texts ("All", "Web 1 + DB 2").
enum class DefaultFormat { Glob, Regex, Text };

// The Grafana datasource type behind a variable or panel query: decides the
// default format and how a query variable's query is run.
DefaultFormat defaultFormatFor(const QString &grafanaType);

// What variables need from the outside: datasource instances for query
// variables and the configured datasources for datasource variables. The
// dashboard UI implements it over the DatasourceRegistry; tests fake it.
class VariableEnvironment
{
public:
    virtual ~VariableEnvironment() = default;
    struct Resolved
    {
        std::shared_ptr<datasource::Datasource> datasource;
        QString grafanaType; // "prometheus", "loki", "tempo", ...
        QString error;       // why nothing was resolved
    };
    // `ref` is the variable's datasource reference after interpolation.
    virtual Resolved resolveDatasource(const QJsonValue &ref) = 0;
    // The datasources a datasource variable of `grafanaType` offers.
    virtual QList<datasource::DatasourceSettings> datasourcesOfType(const QString &grafanaType) = 0;
};

// Runs one query variable's query: label_values(label), label_values(selector,
// label), label_names(), metrics(regex), query_result(query) for Prometheus-like
// datasources; {type, label} tag (value) queries for Loki and Tempo.
Result<QList<VariableOption>> runVariableQuery(datasource::Datasource &ds, const QString &grafanaType,
                                               const QJsonValue &query, const QString &interpolatedText,
                                               const InterpolationScope &scope, const CancelToken &cancel);

// The dashboard's variables: current values, refresh in dependency order,
// and interpolation of text (queries, titles, links) with every Grafana
// syntax: $var, ${var}, [[var]], ${var:format}, ${var.path} and built-ins.
class VariableSet
{
public:
    static Result<VariableSet> fromJson(const QJsonArray &list);
    QJsonArray toJson() const;

    const QList<Variable> &variables() const { return m_variables; }
    Variable *find(const QString &name);
    const Variable *find(const QString &name) const;
    void add(Variable v) { m_variables.append(std::move(v)); }
    bool remove(const QString &name);

    // Variables other variables' definitions refer to, before them. A cycle
    // is reported here (and its members keep their order).
    Result<QList<int>> refreshOrder() const;
    // Names of the variables `name` refers to (directly).
    QStringList dependencies(const QString &name) const;

    enum class Trigger { Load, TimeRangeChanged };
    // Refreshes options of query, custom, interval and datasource variables
    // in dependency order (query variables with refresh 0 keep their saved
    // options unless they have none). Errors of single variables are
    // collected ("name: message") and do not stop the others.
    QStringList refresh(VariableEnvironment &env, const InterpolationScope &scope, Trigger trigger,
                        const CancelToken &cancel = {});
    // After the user changed `name`: refreshes the variables depending on it,
    // transitively, in order. Returns errors like refresh().
    QStringList refreshDependents(const QString &name, VariableEnvironment &env, const InterpolationScope &scope,
                                  const CancelToken &cancel = {});

    // Interpolates every variable reference in `text`. Unknown names stay as
    // written. `defaultFormat` applies to multi values without an explicit format.
    QString interpolate(const QString &text, const InterpolationScope &scope,
                        DefaultFormat defaultFormat = DefaultFormat::Glob) const;
    // Whether `text` refers to any variable or built-in.
    static bool containsVariable(const QString &text);
    // Names referred to in `text` (without built-ins).
    static QStringList referencedNames(const QString &text);

    // Ad hoc filters of every adhoc variable whose datasource matches `uid`
    // (or has none).
    QList<AdhocFilter> adhocFiltersFor(const QString &datasourceUid) const;

private:
    Result<void> refreshOne(Variable &v, VariableEnvironment &env, const InterpolationScope &scope,
                            const CancelToken &cancel);
    QStringList refreshSet(const QSet<QString> &names, VariableEnvironment &env, const InterpolationScope &scope,
                           const CancelToken &cancel);

    QList<Variable> m_variables;
};

// Formats values of a variable the way ${var:format} does. `format` is the
// text after the colon ("csv", "regex", "date:iso", ...); an unknown format
// falls back to glob as in Grafana. `texts` are used by the "text" format.
QString formatVariableValues(const QStringList &values, const QStringList &texts, const QString &format,
                             const QString &variableName = {});

// Escapes a value for a regex inside a PromQL string literal, as Grafana's
// Prometheus datasource does (backslashes doubled for the string).
QString prometheusRegexEscape(const QString &value);

// Adds ad hoc filters as label matchers to every series selector of a
// PromQL or LogQL query (`up` -> `up{job="x"}`, `{a="b"}` -> `{a="b",job="x"}`).
QString applyAdhocFilters(const QString &query, const QList<AdhocFilter> &filters);

} // namespace spyglass::dashboard
