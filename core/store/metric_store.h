#pragma once

#include "core/model/label_matcher.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>

namespace spyglass::store {

using SeriesId = std::int64_t;

struct SeriesRef
{
    SeriesId id = 0;
    model::Labels labels;
};

// Samples of many series written as one unit: all or nothing.
struct SampleBatch
{
    QList<model::Series> series; // samples of each in increasing time order
    std::int64_t sampleCount() const
    {
        std::int64_t n = 0;
        for (const auto &s : series)
            n += s.samples.size();
        return n;
    }
};

struct AppendStats
{
    std::int64_t samples = 0;   // samples written
    std::int64_t series = 0;    // series touched
    std::int64_t newSeries = 0; // series created by this batch
};

struct MetricStoreStats
{
    std::int64_t series = 0;
    std::int64_t samples = 0;
    std::int64_t chunks = 0;
    std::int64_t chunkBytes = 0; // encoded chunk payload bytes
    std::int64_t fileBytes = 0;  // database + WAL files on disk
    model::TimestampMs minTime = 0;
    model::TimestampMs maxTime = 0;
};

// The metrics half of the embedded store: series identified by label sets,
// samples in Gorilla-encoded chunks, all in the data directory's SQLite
// catalog (see FORMAT.md). Safe to call from several threads at once:
// appends are serialised, reads run concurrently with them.
class MetricStore
{
public:
    virtual ~MetricStore() = default;

    // Writes the batch in one transaction; when this returns success the
    // batch is durable (survives kill -9 and power loss per SQLite's WAL).
    virtual Result<AppendStats> append(const SampleBatch &batch) = 0;

    // Series whose labels satisfy every matcher, sorted by labels. Uses the
    // label index; only matchers that accept the empty value need a scan.
    virtual Result<QList<SeriesRef>> select(const model::LabelMatchers &matchers) const = 0;

    // The series' samples with mint <= t <= maxt in increasing time order.
    // Where chunks overlap (out-of-order writes) the latest write wins.
    virtual Result<QList<model::Sample>> samples(SeriesId id, model::TimestampMs mint,
                                                 model::TimestampMs maxt) const = 0;

    virtual Result<QStringList> labelNames() const = 0;
    virtual Result<QStringList> labelValues(const QString &name) const = 0;
    virtual Result<MetricStoreStats> stats() const = 0;

    // Rewrites small adjacent chunks of a series into full ones (small chunks
    // come from frequent small appends such as scrapes). Safe to interrupt.
    virtual Result<void> compact() = 0;
};

} // namespace spyglass::store
