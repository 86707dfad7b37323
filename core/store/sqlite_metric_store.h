#pragma once

#include "core/store/label_index.h"
#include "core/store/metric_store.h"
#include "core/store/sqlite_connection.h"

#include <QHash>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <vector>

namespace spyglass::store {

// How a chunk's bytes are encoded (the `encoding` column, see FORMAT.md).
enum class ChunkEncoding : std::uint8_t { Xor = 1, ZstdXor = 2 };

// MetricStore over the SQLite catalog of a Storage (tables label_pairs,
// series, postings, chunks; see FORMAT.md). One writer connection behind a
// mutex; readers borrow connections from a pool, so queries run while an
// append is in progress (WAL gives them the last committed snapshot).
// Several processes may open the same directory: series created by another
// process are picked up from the catalog before each append and look-up.
class SqliteMetricStore final : public MetricStore
{
public:
    // Takes over `writer`, which must already have the schema (Storage::open).
    static Result<std::unique_ptr<SqliteMetricStore>>
    open(std::unique_ptr<SqliteConnection> writer);
    ~SqliteMetricStore() override;

    Result<AppendStats> append(const SampleBatch &batch) override;
    Result<QList<SeriesRef>> select(const model::LabelMatchers &matchers) const override;
    Result<QList<model::Sample>> samples(SeriesId id, model::TimestampMs mint,
                                         model::TimestampMs maxt) const override;
    Result<QStringList> labelNames() const override;
    Result<QStringList> labelValues(const QString &name) const override;
    Result<MetricStoreStats> stats() const override;
    Result<void> compact() override;

private:
    using PairKey = std::pair<QString, QString>;
    struct ChunkRow;
    class ReaderLease;

    explicit SqliteMetricStore(std::unique_ptr<SqliteConnection> writer);

    ReaderLease acquireReader() const;
    // Loads label pairs and series committed (by anyone) since the index was
    // last brought up to date. `conn` must be inside a transaction or used
    // for nothing else meanwhile, so both loads see one snapshot.
    Result<void> loadNewSeries(SqliteConnection &conn) const;
    Result<void> refreshIfStale(SqliteConnection &conn) const;

    Result<SeriesId> createSeries(const model::Labels &labels,
                                  QHash<PairKey, std::int64_t> &newPairs,
                                  QList<std::pair<SeriesId, model::Labels>> &newSeries);
    Result<void> writeSeriesSamples(SeriesId id, bool isNew, QList<model::Sample> samples,
                                    std::int64_t seq, std::int64_t &maxSpan);
    Result<void> insertChunks(SeriesId id, const QList<model::Sample> &samples, std::int64_t seq,
                              std::int64_t &maxSpan);
    Result<bool> compactSeries(SeriesId id, std::int64_t seq, std::int64_t &maxSpan);

    mutable std::mutex m_writeMutex;
    std::unique_ptr<SqliteConnection> m_writer;

    // Guards the index and the label pair dictionary.
    mutable std::shared_mutex m_indexMutex;
    mutable LabelIndex m_index;
    mutable QHash<PairKey, std::int64_t> m_pairIds;
    mutable QHash<std::int64_t, PairKey> m_pairs;
    mutable std::int64_t m_maxPairId = 0;

    mutable std::mutex m_poolMutex;
    mutable std::vector<std::unique_ptr<SqliteConnection>> m_readerPool;
};

} // namespace spyglass::store
