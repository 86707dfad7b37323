#include "core/dashboard/panel_query_builder.h"

#include "core/dashboard/interval.h"
#include "core/model/time_range.h"

#include <QJsonArray>

namespace spyglass::dashboard {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

std::int64_t durationMs(const QString &text)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('>')))
        t = t.mid(1); // Grafana's ">10s" = at least 10s
    if (t.isEmpty())
        return 0;
    auto d = model::parseDuration(t);
    return d ? *d : 0;
}

QString traceqlFromFilters(const QJsonArray &filters)
{
    QStringList parts;
    for (const QJsonValue &fv : filters) {
        const QJsonObject f = fv.toObject();
        const QString tag = f.value(QLatin1String("tag")).toString();
        const QJsonValue value = f.value(QLatin1String("value"));
        if (tag.isEmpty() || value.isUndefined() || value.isNull())
            continue;
        const QString scope = f.value(QLatin1String("scope")).toString();
        const QString op = f.value(QLatin1String("operator")).toString(str("="));
        const QString prefix = scope == u"span" || scope == u"resource" ? scope + QLatin1Char('.')
                               : scope == u"intrinsic"                 ? QString()
                                                                       : str(".");
        QString v;
        if (value.isArray()) {
            QStringList vals;
            for (const QJsonValue &e : value.toArray())
                vals.append(e.toString());
            v = QLatin1Char('"') + vals.join(QLatin1Char('|')) + QLatin1Char('"');
        } else {
            const QString type = f.value(QLatin1String("valueType")).toString(str("string"));
            v = type == u"string" ? QLatin1Char('"') + value.toString() + QLatin1Char('"') : value.toVariant().toString();
        }
        parts.append(prefix + tag + QLatin1Char(' ') + op + QLatin1Char(' ') + v);
    }
    return QStringLiteral("{") + parts.join(QStringLiteral(" && ")) + QStringLiteral("}");
}

} // namespace

QString targetQueryText(const QJsonObject &target, const QString &grafanaType)
{
    if (grafanaType == u"tempo") {
        const QString queryType = target.value(QLatin1String("queryType")).toString();
        if (queryType == u"traceqlSearch")
            return traceqlFromFilters(target.value(QLatin1String("filters")).toArray());
        return target.value(QLatin1String("query")).toString();
    }
    if (grafanaType == u"phlare" || grafanaType == u"grafana-pyroscope-datasource") {
        QString selector = target.value(QLatin1String("labelSelector")).toString(str("{}"));
        return target.value(QLatin1String("profileTypeId")).toString() + selector;
    }
    if (target.contains(QLatin1String("expr")))
        return target.value(QLatin1String("expr")).toString();
    return target.value(QLatin1String("query")).toString();
}

PanelQueryPlan buildPanelQueries(const Panel &panel, const VariableSet &variables, const DatasourceMapper &mapper,
                                 const InterpolationScope &baseScope, int widthPx)
{
    PanelQueryPlan plan;
    const QJsonObject p = panel.json();
    InterpolationScope scope = baseScope;

    // Panel time overrides: "timeFrom" replaces the range's start relative
    // to its end, "timeShift" moves both ends back.
    if (const std::int64_t from = durationMs(variables.interpolate(p.value(QLatin1String("timeFrom")).toString(), scope)); from > 0)
        scope.from = scope.to - from;
    if (const std::int64_t shift = durationMs(variables.interpolate(p.value(QLatin1String("timeShift")).toString(), scope)); shift > 0) {
        scope.from -= shift;
        scope.to -= shift;
    }
    plan.from = scope.from;
    plan.to = scope.to;

    const DatasourceResolution panelDs = mapper.resolve(panel.datasource(), &variables, scope);
    if (panelDs.state == DatasourceResolution::State::Dashboard) {
        const QJsonArray targets = panel.targets();
        plan.dashboardSourcePanelId = targets.isEmpty() ? -1 : targets.at(0).toObject().value(QLatin1String("panelId")).toInt(-1);
        return plan;
    }
    const int maxDataPoints = p.value(QLatin1String("maxDataPoints")).toInt(0) > 0
                                  ? p.value(QLatin1String("maxDataPoints")).toInt()
                                  : std::clamp(widthPx > 0 ? widthPx : 1000, 50, 11000);
    const std::int64_t panelMinInterval = durationMs(variables.interpolate(p.value(QLatin1String("interval")).toString(), scope));

    QJsonArray targets = panel.targets();
    // Panels without targets but with a datasource still run one default query
    // only when it has text; Grafana shows "no data" otherwise.
    for (const QJsonValue &tv : targets) {
        const QJsonObject t = tv.toObject();
        if (t.value(QLatin1String("hide")).toBool(false))
            continue;
        DatasourceResolution ds = panelDs;
        const QJsonValue tds = t.value(QLatin1String("datasource"));
        if (panelDs.state == DatasourceResolution::State::Mixed ||
            (!tds.isUndefined() && !tds.isNull() && DatasourceRef::fromJson(tds).key() != DatasourceRef::fromJson(panel.datasource()).key()))
            ds = mapper.resolve(tds, &variables, scope);
        if (ds.state != DatasourceResolution::State::Resolved) {
            if (ds.state == DatasourceResolution::State::Mixed && ds.message.isEmpty())
                ds.message = QStringLiteral("target %1 names no datasource").arg(t.value(QLatin1String("refId")).toString());
            ds.state = DatasourceResolution::State::Unmatched;
            plan.unmatched.append(ds);
            continue;
        }
        const QString type = ds.grafanaType;
        std::int64_t scrapeMs = durationMs(ds.settings.jsonData.value(str("timeInterval")).toString());
        const std::int64_t targetMin = durationMs(variables.interpolate(t.value(QLatin1String("interval")).toString(), scope));
        const std::int64_t minInterval = targetMin > 0 ? targetMin : panelMinInterval > 0 ? panelMinInterval : scrapeMs;
        const std::int64_t intervalMs = calculateIntervalMs(scope.from, scope.to, maxDataPoints, minInterval);
        plan.intervalMs = intervalMs;

        InterpolationScope local = scope;
        local.intervalMs = intervalMs;
        local.scrapeIntervalMs = scrapeMs > 0 ? scrapeMs : 15000;
        QString expr = variables.interpolate(targetQueryText(t, type), local, defaultFormatFor(type));
        if (type == u"prometheus" || type == u"loki")
            expr = applyAdhocFilters(expr, variables.adhocFiltersFor(ds.settings.uid));

        PanelQuery q;
        q.refId = t.value(QLatin1String("refId")).toString(str("A"));
        q.datasource = ds;
        datasource::QueryRequest &r = q.request;
        r.refId = q.refId;
        r.expr = expr;
        r.from = scope.from;
        r.to = scope.to;
        r.maxDataPoints = maxDataPoints;
        r.stepMs = intervalMs * std::max(1, t.value(QLatin1String("intervalFactor")).toInt(1));
        const QString queryType = t.value(QLatin1String("queryType")).toString();
        r.instant = (t.value(QLatin1String("instant")).toBool(false) && !t.value(QLatin1String("range")).toBool(false)) ||
                    (type == u"loki" && queryType == u"instant");
        if (t.contains(QLatin1String("legendFormat")))
            r.options.insert(str("legendFormat"), variables.interpolate(t.value(QLatin1String("legendFormat")).toString(), local));
        if (t.contains(QLatin1String("format")))
            r.options.insert(str("format"), t.value(QLatin1String("format")).toString());
        if (t.contains(QLatin1String("limit")))
            r.options.insert(str("limit"), t.value(QLatin1String("limit")).toInt());
        if (!queryType.isEmpty())
            r.options.insert(str("queryType"), queryType);
        if (t.contains(QLatin1String("tableType")))
            r.options.insert(str("tableType"), t.value(QLatin1String("tableType")).toString());
        if (t.contains(QLatin1String("maxLines")))
            r.options.insert(str("limit"), t.value(QLatin1String("maxLines")).toInt());
        if (p.value(QLatin1String("type")).toString() == u"logs" || type == u"loki")
            r.options.insert(str("direction"), p.value(QLatin1String("options")).toObject().value(QLatin1String("sortOrder")).toString() == u"Ascending"
                                                   ? str("forward")
                                                   : str("backward"));
        if (!ds.language.isEmpty())
            r.options.insert(str("language"), ds.language);
        r.options.insert(str("grafanaType"), type);
        q.request = r;
        plan.queries.append(q);
    }
    if (targets.isEmpty() && panelDs.state == DatasourceResolution::State::Unmatched && !panelDs.message.isEmpty() &&
        !panel.isRow() && p.value(QLatin1String("type")).toString() != u"text")
        plan.unmatched.append(panelDs);
    return plan;
}

} // namespace spyglass::dashboard
