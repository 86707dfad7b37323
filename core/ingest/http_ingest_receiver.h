#pragma once

#include "core/api/router.h"

#include <memory>

namespace spyglass::ingest {

class IngestSink;

struct HttpIngestOptions
{
    // Largest accepted body after gzip/snappy is undone (413 above it).
    qint64 maxBodyBytes = 64 * 1024 * 1024;
    // Requests decoded/committed at once over all ingest routes; more get
    // 429 with Retry-After (bounded memory under overload).
    int maxInFlight = 4;
    int retryAfterSeconds = 2;
};

// The HTTP receivers on the core's HTTP server:
//   POST /v1/metrics, /v1/logs, /v1/traces, /v1development/profiles  OTLP/HTTP
//        (application/x-protobuf or application/json; gzip bodies; the
//        answer is an Export*ServiceResponse in the request's content type,
//        with partial_success when some items were rejected; 400 with a
//        google.rpc.Status on bad bodies, 415 on other content types)
//   POST /api/v1/write    Prometheus remote_write 1.0 (snappy protobuf; 204)
//   POST /loki/api/v1/push  Loki push (JSON, or snappy protobuf; 204)
// Overload answers 429 and a sink that cannot take a signal 503, both with
// Retry-After; a failed commit 500. Nothing is stored from a refused body.
class HttpIngestReceiver
{
public:
    // The sink must outlive the server the routes are registered on.
    static void registerRoutes(api::Router &router, IngestSink &sink, HttpIngestOptions options = {});
};

} // namespace spyglass::ingest
