#pragma once

#include "core/api/router.h"

namespace spyglass::store {
class Storage;
}

namespace spyglass::api {

// Loki's HTTP query API over the embedded log store, with Loki's JSON shapes
// so Grafana's Loki datasource can use Spyglass:
//   GET/POST /loki/api/v1/query, /loki/api/v1/query_range,
//   GET /loki/api/v1/labels, /loki/api/v1/label/{name}/values,
//   GET/POST /loki/api/v1/series, GET /loki/api/v1/index/volume, /ready,
//   GET /loki/api/v1/tail (WebSocket: query, start, limit, delay_for; new
//   lines pushed as {"streams": [...], "dropped_entries": null}).
// Errors answer as Loki does: 400 with the message as plain text.
class LokiApi
{
public:
    // The storage must outlive the server the routes are registered on.
    static void registerRoutes(Router &router, store::Storage &storage);
};

} // namespace spyglass::api
