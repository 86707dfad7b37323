#pragma once

#include "core/formats/open_metrics_parser.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QString>
#include <cstdint>
#include <functional>
#include <optional>

namespace spyglass::store {
class MetricStore;
}

namespace spyglass::formats {

struct ImportStats
{
    std::int64_t series = 0;    // distinct series in the file
    std::int64_t samples = 0;   // samples stored (or, when validating, that would be)
    std::int64_t exemplars = 0; // parsed and checked; the store keeps no exemplars yet
    qint64 bytesRead = 0;       // size of the file as stored on disk (compressed for .gz)
    model::TimestampMs minTime = 0; // 0/0 when the file has no samples
    model::TimestampMs maxTime = 0;
    MetricsFormat format = MetricsFormat::Auto; // the format actually parsed
};

struct ImportOptions
{
    MetricsFormat format = MetricsFormat::Auto;
    // Timestamp of samples that carry none; default: the time the import starts.
    std::optional<model::TimestampMs> defaultTimestamp;
    // Samples per MetricStore::append() transaction; bounds memory.
    std::int64_t batchSamples = 500'000;
    // Called now and then with (done, total) in bytes. The file is read twice
    // (see MetricsImporter), so total is twice its size; done never goes back.
    std::function<void(qint64 done, qint64 total)> progress;
    CancelToken cancel;
};

// Imports Prometheus text / OpenMetrics files (plain or gzip) into a
// MetricStore.
//
// Two streaming passes over the file: the first parses and checks everything
// (syntax, duplicate samples, out-of-order timestamps) and stores nothing;
// only a file that passed is read again and appended in batches. The store
// commits each append() on its own, so one transaction per file would mean
// holding the whole file in memory; the first pass gives the same guarantee
// for bad input (a refused file changes nothing) at the cost of parsing
// twice, with memory bounded by one batch plus one entry per series.
// Cancelling or a store failure during the second pass keeps the batches
// already committed (the error says how many samples were stored).
class MetricsImporter
{
public:
    explicit MetricsImporter(store::MetricStore &store);

    Result<ImportStats> importFile(const QString &path, const ImportOptions &options = {});
    Result<ImportStats> importData(const QByteArray &data, const QString &sourceName,
                                   const ImportOptions &options = {});

    // The first pass alone: what importFile would store, without storing.
    static Result<ImportStats> validateFile(const QString &path, const ImportOptions &options = {});

private:
    store::MetricStore &m_store;
};

} // namespace spyglass::formats
