#pragma once

#include "core/model/log_record.h"
#include "core/model/sample.h"
#include "core/model/span.h"
#include "core/store/exemplar_store.h"

#include <QList>
#include <QStringList>
#include <cstdint>

namespace spyglass::ingest {

// How a request body is encoded on the wire (after gzip/snappy is undone).
enum class PayloadEncoding { Protobuf, Json };

// Decoded metric data ready for IngestSink::appendSamples: series merged by
// label set, samples sorted by time (a later duplicate timestamp wins).
struct MetricsConversion
{
    QList<model::Series> series;
    std::int64_t acceptedPoints = 0; // source data points converted
    std::int64_t rejectedPoints = 0; // source data points dropped (see problems)
    std::int64_t ignoredExemplars = 0;
    // Exemplars with the series they belong to (histograms: the first
    // bucket whose `le` holds the value), for IngestSink::appendExemplars.
    QList<store::SeriesExemplar> exemplars;
    QStringList problems;            // one sentence per distinct reason, for partial_success

    std::int64_t sampleCount() const
    {
        std::int64_t n = 0;
        for (const auto &s : series)
            n += s.samples.size();
        return n;
    }
};

struct LogsConversion
{
    QList<model::LogRecord> records;
    std::int64_t rejectedRecords = 0;
    QStringList problems;
};

struct SpansConversion
{
    QList<model::Span> spans;
    std::int64_t rejectedSpans = 0;
    QStringList problems;
};

// Adds `problem` once (the list is a set of reasons, not a log).
inline void noteProblem(QStringList &problems, const QString &problem)
{
    if (!problems.contains(problem) && problems.size() < 20)
        problems.append(problem);
}

} // namespace spyglass::ingest
