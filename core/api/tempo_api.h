#pragma once

#include "core/api/router.h"

#include <chrono>

namespace spyglass::store {
class Storage;
}

namespace spyglass::api {

struct TempoApiOptions
{
    int defaultLimit = 20;       // traces per search, as Tempo
    int defaultSpansPerSpanSet = 3;
    int maxLimit = 10'000;
};

// Tempo 2.x's query API over the embedded span store, with Tempo's JSON
// shapes, so Grafana's Tempo datasource (and our own) can use Spyglass:
//   GET /api/traces/{id}          OTLP JSON ({"batches": [...]}) or, with
//                                 Accept: application/protobuf, the OTLP
//                                 TracesData bytes (the same wire format as
//                                 Tempo's tempopb.Trace)
//   GET /api/v2/traces/{id}       {"trace": {"resourceSpans": [...]}}
//   GET /api/search               q (TraceQL) or tags (logfmt), minDuration,
//                                 maxDuration, limit, start, end, spss
//   GET /api/search/tags, /api/v2/search/tags[?scope=]
//   GET /api/search/tag/{tag}/values, /api/v2/search/tag/{tag}/values
//   GET /api/metrics/query_range  q, start, end, step (TraceQL metrics)
//   GET /api/echo, /ready, /api/status/buildinfo
// Trace and span ids in JSON are lower-case hex (OTLP/JSON); search results
// drop leading zeros of trace ids as Tempo does, and every id parameter
// accepts such shortened ids.
class TempoApi
{
public:
    // The storage must outlive the server the routes are registered on.
    static void registerRoutes(Router &router, store::Storage &storage, TempoApiOptions options = {});

    // The Tempo version Spyglass answers like (Grafana gates features on it).
    static QString compatibleVersion() { return QStringLiteral("2.6.0"); }
};

} // namespace spyglass::api
