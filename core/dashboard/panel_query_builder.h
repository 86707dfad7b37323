#pragma once

#include "core/dashboard/dashboard.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/dashboard/variable_set.h"
#include "core/datasource/datasource.h"

#include <QList>
#include <QString>

namespace spyglass::dashboard {

// One target of a panel, ready to run: which datasource, and the request
// after interpolation (expr, step from $__interval, legend format, language
// for the local datasource).
struct PanelQuery
{
    QString refId;
    DatasourceResolution datasource;
    datasource::QueryRequest request;
};

struct PanelQueryPlan
{
    QList<PanelQuery> queries;
    // Unresolved datasources, per target or for the panel (shown as the
    // panel's "choose a datasource" prompt); the resolvable targets still run.
    QList<DatasourceResolution> unmatched;
    int dashboardSourcePanelId = -1; // "-- Dashboard --": reuse that panel's frames
    std::int64_t intervalMs = 0;
    model::TimestampMs from = 0; // after the panel's timeFrom/timeShift
    model::TimestampMs to = 0;
};

// Builds the requests of a panel's visible targets. `scope` carries the
// dashboard range and title; `widthPx` is the panel's width (maxDataPoints
// when the panel sets none).
PanelQueryPlan buildPanelQueries(const Panel &panel, const VariableSet &variables, const DatasourceMapper &mapper,
                                 const InterpolationScope &scope, int widthPx);

// The query text of a target for a Grafana datasource type: expr
// (Prometheus, Loki), query (Tempo TraceQL, or built from the search
// filters), profileTypeId{labelSelector} (Pyroscope).
QString targetQueryText(const QJsonObject &target, const QString &grafanaType);

} // namespace spyglass::dashboard
