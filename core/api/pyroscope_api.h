#pragma once

#include "core/api/router.h"

namespace spyglass::store {
class Storage;
}

namespace spyglass::api {

struct PyroscopeApiOptions
{
    // Largest accepted /ingest body (after gzip is undone).
    qint64 maxIngestBytes = 64 * 1024 * 1024;
    // Largest query body of the querier endpoints.
    qint64 maxQueryBytes = 1024 * 1024;
    // Nodes of a flame graph when the request gives no maxNodes (Pyroscope's default).
    int defaultMaxNodes = 8192;
};

// Pyroscope's HTTP API over the embedded profile store, so Pyroscope
// clients and Grafana's Pyroscope datasource can use Spyglass:
//   POST /ingest                 legacy ingest: name=app.cpu{k=v}&from&until
//                                &format=folded|lines|pprof&sampleRate; pprof
//                                as the raw body or the "profile" part of
//                                multipart/form-data
//   GET  /pyroscope/render       flamebearer JSON + timeline for
//                                query=<type id or app.cpu>{...}&from&until&maxNodes
//   POST /querier.v1.QuerierService/{ProfileTypes, LabelNames, LabelValues,
//        SelectMergeStacktraces, SelectSeries, Diff}
//                                Connect protocol, JSON encoding (int64 as
//                                strings, times in Unix milliseconds), errors
//                                as {"code": "invalid_argument", "message": ...}
class PyroscopeApi
{
public:
    // The storage must outlive the server the routes are registered on.
    static void registerRoutes(Router &router, store::Storage &storage, PyroscopeApiOptions options = {});
};

} // namespace spyglass::api
