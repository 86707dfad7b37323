#pragma once

#include "core/model/label_matcher.h"
#include "core/model/log_record.h"
#include "core/model/result.h"
#include "core/store/label_index.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace spyglass::store {

class SqliteConnection;

using StreamId = std::int64_t;

struct LogStreamRef
{
    StreamId id = 0;
    model::Labels labels;
    model::TimestampNs minTime = 0; // first and last line ever stored
    model::TimestampNs maxTime = 0;
};

struct LogAppendStats
{
    std::int64_t lines = 0;      // lines written
    std::int64_t bytes = 0;      // line bytes written
    std::int64_t streams = 0;    // streams touched
    std::int64_t newStreams = 0; // streams created by this batch
    std::int64_t duplicates = 0; // identical (time, line) pairs already in the batch, dropped
    // Lines older than the stream's newest line minus the out-of-order
    // window: refused (not written), as Loki refuses them.
    std::int64_t tooOld = 0;
};

struct LogStoreStats
{
    std::int64_t streams = 0;
    std::int64_t lines = 0;
    std::int64_t chunks = 0;
    std::int64_t rawBytes = 0;    // uncompressed entry bytes of all chunks
    std::int64_t chunkBytes = 0;  // compressed chunk payload bytes
    std::int64_t fileBytes = 0;   // logs.db + WAL on disk
    model::TimestampNs minTime = 0;
    model::TimestampNs maxTime = 0;
};

struct LogRetentionStats
{
    std::int64_t chunksDeleted = 0;
    std::int64_t linesDeleted = 0;
    std::int64_t streamsDeleted = 0;
};

enum class LogDirection { Forward, Backward };

// The decoded entries of one group of chunks: `raw` owns the bytes, entries
// point into it. Line filters run on `line` directly (UTF-8 bytes), so a
// rejected line never becomes a QString.
struct LogEntryView
{
    model::TimestampNs time = 0;
    QByteArrayView line;
    QByteArrayView metadata; // encoded pairs, decode with LogStore::decodeMetadata
};

struct LogEntryBlock
{
    std::vector<QByteArray> raw; // decompressed chunks the views point into
    std::vector<LogEntryView> entries; // in the requested direction
};

// The logs half of the embedded store (Loki's model): streams identified by
// their label set (indexed), each stream's lines in time-ordered,
// zstd-compressed chunks with per-chunk time bounds, plus structured metadata
// per line (not indexed). Lives in its own SQLite file, logs.db, in WAL mode
// with synchronous=FULL (FORMAT.md, "Log store"). Thread safe: appends are
// serialised, reads run concurrently with them on pooled connections.
class LogStore
{
public:
    static constexpr int kFormatVersion = 1;

    struct Options
    {
        // Lines older than (newest line of the stream - window) are refused.
        std::int64_t outOfOrderWindowNs = 3600LL * 1'000'000'000; // Loki's default: 1h
        // A chunk is closed when its raw size reaches this.
        std::int64_t targetChunkRawBytes = 256 * 1024;
    };

    static Result<std::unique_ptr<LogStore>> open(const QString &path, Options options);
    static Result<std::unique_ptr<LogStore>> open(const QString &path) { return open(path, Options{}); }
    ~LogStore();

    // Writes the batch in one transaction and returns once it is committed
    // (durable). Records may come in any order and any mix of streams.
    Result<LogAppendStats> append(const QList<model::LogRecord> &records);

    // Streams whose labels match every matcher and that hold lines in
    // [from, to] (by their overall bounds), sorted by labels.
    Result<QList<LogStreamRef>> streams(const model::LabelMatchers &matchers,
                                        model::TimestampNs from, model::TimestampNs to) const;

    // Reads a stream's lines with from <= t < to (Loki's end is exclusive),
    // in `direction`, one block of mutually overlapping chunks at a time.
    // `sink` returns false to stop early (limit reached, cancelled).
    Result<void> read(StreamId id, model::TimestampNs from, model::TimestampNs to,
                      LogDirection direction,
                      const std::function<bool(const LogEntryBlock &)> &sink) const;

    // Convenience for tests and small reads: whole records, merged over all
    // matching streams in `direction`, at most `limit` (0 = no limit).
    Result<QList<model::LogRecord>> select(const model::LabelMatchers &matchers,
                                           model::TimestampNs from, model::TimestampNs to,
                                           LogDirection direction, qsizetype limit) const;

    // Label names / values of streams with lines in [from, to], sorted.
    Result<QStringList> labelNames(model::TimestampNs from, model::TimestampNs to) const;
    Result<QStringList> labelValues(const QString &name, model::TimestampNs from,
                                    model::TimestampNs to,
                                    const model::LabelMatchers &matchers = {}) const;

    Result<LogStoreStats> stats() const;

    // Deletes whole chunks whose newest line is older than nowNs - maxAgeNs
    // (0 = no age limit), then the oldest chunks until the compressed chunk
    // bytes are at most maxBytes (0 = no size limit). Streams left without
    // chunks are removed. All in one transaction.
    Result<LogRetentionStats> applyRetention(std::int64_t maxAgeNs, std::int64_t maxBytes,
                                             model::TimestampNs nowNs);

    const QString &path() const { return m_path; }

    static model::Labels decodeMetadata(QByteArrayView encoded);
    static void encodeMetadata(QByteArray &out, const model::Labels &metadata);

private:
    struct ChunkMeta;
    class ReaderLease;
    LogStore() = default;
    ReaderLease acquireReader() const;
    Result<void> loadStreams(SqliteConnection &conn) const; // streams newer than the index
    Result<void> rebuildIndex(SqliteConnection &conn) const;

    QString m_path;
    Options m_options;
    mutable std::mutex m_writeMutex;
    std::unique_ptr<SqliteConnection> m_writer;

    mutable std::shared_mutex m_indexMutex;
    mutable LabelIndex m_index;
    struct Bounds
    {
        model::TimestampNs min = 0;
        model::TimestampNs max = 0;
    };
    mutable QHash<StreamId, Bounds> m_bounds;

    mutable std::mutex m_poolMutex;
    mutable std::vector<std::unique_ptr<SqliteConnection>> m_readerPool;
};

} // namespace spyglass::store
