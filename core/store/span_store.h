#pragma once

#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

namespace spyglass::store {

class SqliteConnection;

struct SpanAppendStats
{
    std::int64_t spans = 0;      // spans written (duplicates of stored spans are not)
    std::int64_t duplicates = 0; // spans already stored (same trace and span id), ignored
    std::int64_t traces = 0;     // traces touched
    std::int64_t newTraces = 0;  // traces created by this batch
};

// One row of the per-trace summary table: what a search result lists
// without reading the trace's spans.
struct TraceSummary
{
    QByteArray traceId; // 16 raw bytes
    model::TimestampNs start = 0;
    model::TimestampNs end = 0;
    QString rootServiceName; // empty until the root span arrived
    QString rootSpanName;
    std::int64_t spanCount = 0;
    std::int64_t errorCount = 0;
    std::int64_t bytes = 0; // stored size of the trace's spans (retention by size)
    model::TimestampNs durationNs() const { return end - start; }
};

// Which attributes an index key belongs to (TraceQL's `span.` / `resource.`).
enum class AttributeScope { Span = 0, Resource = 1 };

// A condition one span must satisfy. Answered from indexes, never by
// reading spans' encoded data.
struct SpanPredicate
{
    enum class Kind { Attribute, Name, Status, Duration };
    Kind kind = Kind::Attribute;
    AttributeScope scope = AttributeScope::Span; // Attribute
    QString key;                                 // Attribute
    QString value;                               // Attribute (text form), Name
    model::Span::Status status = model::Span::Status::Unset;
    std::int64_t minDurationNs = 0;                                    // Duration
    std::int64_t maxDurationNs = std::numeric_limits<std::int64_t>::max(); // Duration

    static SpanPredicate attribute(AttributeScope scope, QString key, QString value);
    static SpanPredicate service(QString name)
    {
        return attribute(AttributeScope::Resource, QStringLiteral("service.name"), std::move(name));
    }
    static SpanPredicate name(QString name);
    static SpanPredicate withStatus(model::Span::Status s);
    static SpanPredicate duration(std::int64_t minNs, std::int64_t maxNs);
};

// Traces overlapping [start, end] that have, for each predicate, at least
// one span satisfying it (different predicates may be met by different
// spans), newest first.
struct TraceQuery
{
    model::TimestampNs start = std::numeric_limits<std::int64_t>::min() / 2;
    model::TimestampNs end = std::numeric_limits<std::int64_t>::max() / 2;
    QList<SpanPredicate> predicates;
    std::int64_t minTraceDurationNs = 0;
    std::int64_t maxTraceDurationNs = std::numeric_limits<std::int64_t>::max();
    int limit = 0; // 0: all
};

struct AttributeValue
{
    QString value;
    QString type; // "string", "int", "float", "bool" (Tempo's tag value types)
};

struct SpanRetention
{
    std::int64_t maxAgeNs = 0; // traces ending earlier than now - maxAge go; 0: keep
    std::int64_t maxBytes = 0; // oldest traces go until the data fits; 0: no limit
};

struct SpanRetentionStats
{
    std::int64_t traces = 0;
    std::int64_t spans = 0;
};

struct SpanStoreStats
{
    std::int64_t traces = 0;
    std::int64_t spans = 0;
    std::int64_t usedBytes = 0; // database pages in use
    std::int64_t fileBytes = 0; // database + WAL files on disk
};

// The trace half of the embedded store: its own SQLite database (traces.db,
// WAL, synchronous=FULL; layout in FORMAT.md). Spans are clustered by trace
// id, so a whole trace is one index range; per-trace summary rows and an
// attribute index answer searches without decoding spans. Thread-safe:
// appends are serialised on one writer connection, reads use pooled
// connections and run alongside appends.
class SpanStore
{
public:
    static constexpr int kFormatVersion = 1;

    static Result<std::unique_ptr<SpanStore>> open(const QString &path);
    ~SpanStore();

    const QString &path() const { return m_path; }

    // Writes the batch in one transaction; when this returns success the
    // spans are durable. Spans with a malformed id fail the whole batch.
    Result<SpanAppendStats> append(const QList<model::Span> &spans);

    // All spans of a trace ordered by start time; empty when unknown.
    Result<QList<model::Span>> trace(QByteArrayView traceId) const;
    Result<TraceSummary> traceSummary(QByteArrayView traceId) const; // NotFound when unknown
    Result<QList<TraceSummary>> findTraces(const TraceQuery &query) const;

    // Indexed attribute keys of a scope (service.name is always indexed as
    // a resource attribute) and the values of one key.
    Result<QStringList> attributeKeys(AttributeScope scope) const;
    Result<QList<AttributeValue>> attributeValues(AttributeScope scope, const QString &key,
                                                  int limit = 1000) const;
    Result<QStringList> spanNames(int limit = 1000) const;

    Result<SpanRetentionStats> applyRetention(const SpanRetention &policy,
                                              model::TimestampNs nowNs);
    Result<SpanStoreStats> stats() const;

private:
    class ReaderLease;
    explicit SpanStore(QString path, std::unique_ptr<SqliteConnection> writer);
    Result<ReaderLease> acquireReader() const;
    Result<QList<QByteArray>> tracesMatching(SqliteConnection &c, const SpanPredicate &p,
                                             const TraceQuery &q) const;
    Result<std::int64_t> deleteTraces(const QList<QByteArray> &ids);

    QString m_path;
    mutable std::mutex m_writeMutex;
    std::unique_ptr<SqliteConnection> m_writer;
    mutable std::mutex m_poolMutex;
    mutable std::vector<std::unique_ptr<SqliteConnection>> m_readerPool;
};

} // namespace spyglass::store
