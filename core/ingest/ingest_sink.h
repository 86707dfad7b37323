#pragma once

#include "core/model/log_record.h"
#include "core/model/profile.h"
#include "core/model/result.h"
#include "core/model/sample.h"
#include "core/model/span.h"
#include "core/store/exemplar_store.h"

#include <QList>
#include <QString>
#include <cstdint>

namespace spyglass::ingest {

// What a durable append took in: `accepted` items (samples, log records,
// spans, profiles) are committed when the call returns; `rejected` ones were
// refused by the store for `reason` (e.g. log lines older than the
// out-of-order window) and are reported back to the sender as partial success.
struct AppendCounts
{
    std::int64_t accepted = 0;
    std::int64_t rejected = 0;
    QString reason;
};

// Where receivers deliver decoded telemetry. Every call returns only once
// the batch is durable (committed) or failed as a whole, so a receiver can
// acknowledge its sender truthfully. Implementations must be thread-safe:
// HTTP and gRPC handlers call them from several threads at once.
//
// An error of Kind::Unavailable means "not now / not this signal" and makes
// receivers answer with a retryable status (HTTP 503, gRPC UNAVAILABLE).
class IngestSink
{
public:
    virtual ~IngestSink() = default;

    // Each series' samples are in increasing time order; one series appears
    // once per batch.
    virtual Result<AppendCounts> appendSamples(const QList<model::Series> &series) = 0;
    virtual Result<AppendCounts> appendLogs(const QList<model::LogRecord> &records) = 0;
    virtual Result<AppendCounts> appendSpans(const QList<model::Span> &spans) = 0;
    virtual Result<AppendCounts> appendProfiles(const QList<model::Profile> &profiles) = 0;
    // Exemplars of metric samples (trace ids on histogram buckets). Sinks
    // without an exemplar store refuse them all; the samples are unaffected.
    virtual Result<AppendCounts> appendExemplars(const QList<store::SeriesExemplar> &exemplars)
    {
        return AppendCounts{0, exemplars.size(), QStringLiteral("exemplars are not stored by this receiver")};
    }
};

} // namespace spyglass::ingest
