#pragma once

#include "core/api/router.h"
#include "core/query/promql/engine.h"

#include <chrono>

namespace spyglass::store {
class Storage;
}

namespace spyglass::api {

struct PrometheusApiOptions
{
    // Upper bound of every query, as Prometheus's --query.timeout; a
    // request's `timeout` parameter can only shorten it.
    std::chrono::milliseconds queryTimeout{120'000};
    query::promql::EngineOptions engine;
    // Form-encoded POST bodies (long queries, many match[]).
    qint64 maxBodyBytes = 8 * 1024 * 1024;
};

// Prometheus 2.x's HTTP API over the embedded store, with its JSON shapes,
// status codes and errorType values, so Grafana and other Prometheus
// clients can use Spyglass as a Prometheus datasource:
//   GET/POST /api/v1/query, /api/v1/query_range, /api/v1/series,
//   /api/v1/labels, /api/v1/query_exemplars; GET /api/v1/label/{name}/values,
//   /api/v1/metadata, /api/v1/status/buildinfo, /-/ready, /-/healthy.
class PrometheusApi
{
public:
    // The storage must outlive the server the routes are registered on.
    static void registerRoutes(Router &router, store::Storage &storage, PrometheusApiOptions options = {});

    // The API version Spyglass answers like; clients gate features on it.
    static QString compatibleVersion() { return QStringLiteral("2.42.0"); }
};

} // namespace spyglass::api
