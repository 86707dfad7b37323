#include "core/store/sqlite_metric_store.h"
#include "core/store/varint.h"

#include "core/store/store_log.h"
#include "core/store/xor_chunk.h"

#include <QFileInfo>
#include <algorithm>
#include <limits>

namespace spyglass::store {

namespace {

// Sorts by time (stable, so of equal timestamps the later sample stays
// last) and keeps only the last sample of each timestamp.
void sortAndDedupe(QList<model::Sample> &s)
{
    const bool sorted =
        std::is_sorted(s.begin(), s.end(), [](const auto &a, const auto &b) { return a.t < b.t; });
    if (!sorted)
        std::stable_sort(s.begin(), s.end(),
                         [](const auto &a, const auto &b) { return a.t < b.t; });
    qsizetype out = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (out > 0 && s[out - 1].t == s[i].t)
            s[out - 1] = s[i];
        else
            s[out++] = s[i];
    }
    s.resize(out);
}

Result<QList<model::Sample>> decodeChunk(std::int64_t encoding, QByteArrayView data)
{
    switch (ChunkEncoding(encoding)) {
    case ChunkEncoding::Xor:
        return decodeXorChunk(data);
    case ChunkEncoding::ZstdXor:
        break;
    }
    return fail(Error::badData(QStringLiteral("unknown chunk encoding %1").arg(encoding)));
}

constexpr std::string_view kSelectLastChunk =
    "SELECT max_t, seq, min_t, count, encoding, data FROM chunks "
    "WHERE series_id = ?1 ORDER BY max_t DESC LIMIT 1";
constexpr std::string_view kInsertChunk =
    "INSERT INTO chunks(series_id, max_t, seq, min_t, count, encoding, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kDeleteChunk =
    "DELETE FROM chunks WHERE series_id = ?1 AND max_t = ?2 AND seq = ?3";
constexpr std::string_view kMetaGet = "SELECT value FROM meta WHERE key = ?1";
constexpr std::string_view kMetaSet = "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)";

Result<std::int64_t> metaInt(SqliteConnection &c, const QString &key, std::int64_t fallback)
{
    auto st = c.prepare(kMetaGet);
    if (!st)
        return fail(st.error());
    st->bind(1, key);
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row || st->isNull(0))
        return fallback;
    return st->int64At(0);
}

Result<void> setMetaInt(SqliteConnection &c, const QString &key, std::int64_t v)
{
    auto st = c.prepare(kMetaSet);
    if (!st)
        return fail(st.error());
    st->bind(1, key).bind(2, v);
    return st->run();
}

const QString kNextSeq = QStringLiteral("next_chunk_seq");
const QString kMaxSpan = QStringLiteral("max_chunk_span");

} // namespace

struct SqliteMetricStore::ChunkRow
{
    std::int64_t maxT = 0;
    std::int64_t seq = 0;
    std::int64_t minT = 0;
    std::int64_t count = 0;
    std::int64_t encoding = 0;
    QByteArray data;
};

// A reader connection borrowed from the pool and returned on destruction.
class SqliteMetricStore::ReaderLease
{
public:
    ReaderLease(const SqliteMetricStore *s, std::unique_ptr<SqliteConnection> c)
        : m_store(s), m_conn(std::move(c))
    {
    }
    ReaderLease(ReaderLease &&) = default;
    ~ReaderLease()
    {
        if (m_conn) {
            std::lock_guard lock(m_store->m_poolMutex);
            m_store->m_readerPool.push_back(std::move(m_conn));
        }
    }
    SqliteConnection *get() const { return m_conn.get(); }
    explicit operator bool() const { return bool(m_conn); }
    Error error;

private:
    const SqliteMetricStore *m_store;
    std::unique_ptr<SqliteConnection> m_conn;
};

SqliteMetricStore::SqliteMetricStore(std::unique_ptr<SqliteConnection> writer)
    : m_writer(std::move(writer))
{
}

SqliteMetricStore::~SqliteMetricStore() = default;

Result<std::unique_ptr<SqliteMetricStore>>
SqliteMetricStore::open(std::unique_ptr<SqliteConnection> writer)
{
    std::unique_ptr<SqliteMetricStore> s(new SqliteMetricStore(std::move(writer)));
    auto txn = SqliteTransaction::begin(*s->m_writer, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    if (auto r = s->loadNewSeries(*s->m_writer); !r)
        return fail(r.error());
    if (auto r = txn->commit(); !r)
        return fail(r.error());
    qCDebug(lcStore) << "opened" << s->m_writer->path() << "with" << s->m_index.seriesCount()
                     << "series";
    return s;
}

SqliteMetricStore::ReaderLease SqliteMetricStore::acquireReader() const
{
    {
        std::lock_guard lock(m_poolMutex);
        if (!m_readerPool.empty()) {
            auto c = std::move(m_readerPool.back());
            m_readerPool.pop_back();
            return ReaderLease(this, std::move(c));
        }
    }
    auto c = SqliteConnection::open(m_writer->path(), SqliteConnection::Mode::ReadWrite);
    if (!c) {
        ReaderLease l(this, nullptr);
        l.error = c.error();
        return l;
    }
    // Readers never write; refusing writes guards against a bug turning a
    // query into a second writer.
    (void)(*c)->exec("PRAGMA query_only = 1");
    return ReaderLease(this, std::move(*c));
}

Result<void> SqliteMetricStore::loadNewSeries(SqliteConnection &conn) const
{
    std::unique_lock lock(m_indexMutex);
    {
        auto st = conn.prepare("SELECT id, name, value FROM label_pairs WHERE id > ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, m_maxPairId);
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const std::int64_t id = st->int64At(0);
            PairKey key{st->textAt(1), st->textAt(2)};
            m_pairIds.insert(key, id);
            m_pairs.insert(id, std::move(key));
            m_maxPairId = id;
        }
    }
    auto st = conn.prepare("SELECT id, labels FROM series WHERE id > ?1 ORDER BY id");
    if (!st)
        return fail(st.error());
    st->bind(1, m_index.maxId());
    for (;;) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        const SeriesId id = st->int64At(0);
        const QByteArrayView blob = st->blobAt(1);
        QList<model::Label> pairs;
        qsizetype pos = 0;
        while (pos < blob.size()) {
            std::uint64_t pairId;
            if (!getUvarint(blob, pos, pairId))
                return fail(
                    Error::badData(QStringLiteral("store %1: labels of series %2 are corrupt")
                                       .arg(conn.path())
                                       .arg(id)));
            auto it = m_pairs.constFind(std::int64_t(pairId));
            if (it == m_pairs.cend())
                return fail(
                    Error::badData(QStringLiteral("store %1: series %2 refers to missing label "
                                                  "pair %3")
                                       .arg(conn.path())
                                       .arg(id)
                                       .arg(pairId)));
            pairs.push_back({it->first, it->second});
        }
        m_index.add(id, model::Labels(std::move(pairs)));
    }
    return {};
}

Result<void> SqliteMetricStore::refreshIfStale(SqliteConnection &conn) const
{
    // Series ids only grow, so a larger max(id) is how another process's
    // (or a just-committed) append shows itself. The check is one index probe.
    auto maxId = conn.queryInt("SELECT max(id) FROM series");
    if (!maxId)
        return fail(maxId.error());
    {
        std::shared_lock lock(m_indexMutex);
        if (*maxId <= m_index.maxId())
            return {};
    }
    auto txn = SqliteTransaction::begin(conn, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    if (auto r = loadNewSeries(conn); !r)
        return r;
    return txn->commit();
}

Result<SeriesId>
SqliteMetricStore::createSeries(const model::Labels &labels, QHash<PairKey, std::int64_t> &newPairs,
                                QList<std::pair<SeriesId, model::Labels>> &newSeries)
{
    QList<std::int64_t> pairIds;
    pairIds.reserve(labels.size());
    for (const auto &l : labels) {
        PairKey key{l.name, l.value};
        std::int64_t pid = 0;
        {
            std::shared_lock lock(m_indexMutex);
            pid = m_pairIds.value(key, 0);
        }
        if (!pid)
            pid = newPairs.value(key, 0);
        if (!pid) {
            auto st = m_writer->prepare("INSERT INTO label_pairs(name, value) VALUES (?1, ?2)");
            if (!st)
                return fail(st.error());
            st->bind(1, l.name).bind(2, l.value);
            if (auto r = st->run(); !r)
                return fail(r.error());
            auto id = m_writer->queryInt("SELECT last_insert_rowid()");
            if (!id)
                return fail(id.error());
            pid = *id;
            newPairs.insert(key, pid);
        }
        pairIds.push_back(pid);
    }
    QByteArray blob;
    for (auto pid : pairIds)
        putUvarint(blob, std::uint64_t(pid));
    auto st = m_writer->prepare("INSERT INTO series(labels) VALUES (?1)");
    if (!st)
        return fail(st.error());
    st->bindBlob(1, blob);
    if (auto r = st->run(); !r)
        return fail(r.error());
    auto id = m_writer->queryInt("SELECT last_insert_rowid()");
    if (!id)
        return fail(id.error());
    for (auto pid : pairIds) {
        auto p = m_writer->prepare("INSERT INTO postings(pair_id, series_id) VALUES (?1, ?2)");
        if (!p)
            return fail(p.error());
        p->bind(1, pid).bind(2, *id);
        if (auto r = p->run(); !r)
            return fail(r.error());
    }
    newSeries.push_back({*id, labels});
    return *id;
}

Result<void> SqliteMetricStore::insertChunks(SeriesId id, const QList<model::Sample> &samples,
                                             std::int64_t seq, std::int64_t &maxSpan)
{
    qsizetype start = 0;
    const QList<QByteArray> chunks = encodeXorChunks(samples);
    for (const QByteArray &data : chunks) {
        const int n = xorChunkCount(data);
        const std::int64_t minT = samples[start].t;
        const std::int64_t maxT = samples[start + n - 1].t;
        start += n;
        auto st = m_writer->prepare(kInsertChunk);
        if (!st)
            return fail(st.error());
        st->bind(1, id).bind(2, maxT).bind(3, seq).bind(4, minT).bind(5, std::int64_t(n));
        st->bind(6, std::int64_t(ChunkEncoding::Xor)).bindBlob(7, data);
        if (auto r = st->run(); !r)
            return r;
        // Unsigned: timestamps at both ends of int64 must not overflow. A
        // span beyond int64 saturates; samples() treats any span >= 2^62 as
        // "no upper bound".
        const std::uint64_t uspan = std::uint64_t(maxT) - std::uint64_t(minT);
        const std::int64_t span = uspan > std::uint64_t(std::numeric_limits<std::int64_t>::max())
                                      ? std::numeric_limits<std::int64_t>::max()
                                      : std::int64_t(uspan);
        maxSpan = std::max(maxSpan, span);
    }
    return {};
}

Result<void> SqliteMetricStore::writeSeriesSamples(SeriesId id, bool isNew,
                                                   QList<model::Sample> samples, std::int64_t seq,
                                                   std::int64_t &maxSpan)
{
    if (samples.isEmpty())
        return {};
    if (!isNew) {
        // Scrape-style appends add a few samples after the newest chunk:
        // grow that chunk instead of leaving a trail of tiny ones. It keeps
        // its write sequence: the new samples overlap nothing, and the old
        // ones must keep losing to any later overlapping write.
        std::int64_t lastMaxT = 0;
        std::int64_t lastSeq = 0;
        QList<model::Sample> old;
        bool extend = false;
        {
            auto st = m_writer->prepare(kSelectLastChunk);
            if (!st)
                return fail(st.error());
            st->bind(1, id);
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (*row && st->int64At(0) < samples.front().t &&
                st->int64At(3) < XorChunkEncoder::kMaxSamples) {
                lastMaxT = st->int64At(0);
                lastSeq = st->int64At(1);
                auto dec = decodeChunk(st->int64At(4), st->blobAt(5));
                if (!dec)
                    return fail(Error::badData(
                        QStringLiteral("store %1: chunk of series %2 ending at %3: %4")
                            .arg(m_writer->path())
                            .arg(id)
                            .arg(lastMaxT)
                            .arg(dec.error().message)));
                old = std::move(*dec);
                extend = true;
            }
        }
        if (extend) {
            auto del = m_writer->prepare(kDeleteChunk);
            if (!del)
                return fail(del.error());
            del->bind(1, id).bind(2, lastMaxT).bind(3, lastSeq);
            if (auto r = del->run(); !r)
                return r;
            old.append(samples);
            return insertChunks(id, old, lastSeq, maxSpan);
        }
    }
    return insertChunks(id, samples, seq, maxSpan);
}

Result<AppendStats> SqliteMetricStore::append(const SampleBatch &batch)
{
    // Group by label set first: a batch naming a series twice is one write
    // of that series, the later samples winning on equal timestamps.
    QHash<model::Labels, qsizetype> groupOf;
    QList<std::pair<model::Labels, QList<model::Sample>>> groups;
    for (const auto &s : batch.series) {
        if (s.labels.isEmpty())
            return fail(
                Error::invalid(QStringLiteral("cannot store a series with an empty label set")));
        for (const auto &l : s.labels)
            if (l.name.isEmpty())
                return fail(
                    Error::invalid(QStringLiteral("cannot store series %1: empty label name")
                                       .arg(s.labels.toString())));
        auto it = groupOf.constFind(s.labels);
        if (it == groupOf.cend()) {
            groupOf.insert(s.labels, groups.size());
            groups.push_back({s.labels, s.samples});
        } else {
            groups[*it].second.append(s.samples);
        }
    }

    std::lock_guard writeLock(m_writeMutex);
    auto txn = SqliteTransaction::begin(*m_writer, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    if (auto r = loadNewSeries(*m_writer); !r)
        return fail(r.error());
    auto seq = metaInt(*m_writer, kNextSeq, 1);
    if (!seq)
        return fail(seq.error());
    auto span = metaInt(*m_writer, kMaxSpan, 0);
    if (!span)
        return fail(span.error());
    std::int64_t maxSpan = *span;

    AppendStats stats;
    QHash<PairKey, std::int64_t> newPairs;
    QList<std::pair<SeriesId, model::Labels>> newSeries;
    for (auto &[labels, samples] : groups) {
        std::optional<SeriesId> id;
        {
            std::shared_lock lock(m_indexMutex);
            id = m_index.find(labels);
        }
        const bool isNew = !id;
        if (isNew) {
            if (samples.isEmpty())
                continue; // a series is only created with data
            auto created = createSeries(labels, newPairs, newSeries);
            if (!created)
                return fail(created.error());
            id = *created;
            ++stats.newSeries;
        }
        sortAndDedupe(samples);
        if (auto r = writeSeriesSamples(*id, isNew, std::move(samples), *seq, maxSpan); !r)
            return fail(r.error());
        ++stats.series;
    }
    stats.samples = batch.sampleCount();
    if (auto r = setMetaInt(*m_writer, kNextSeq, *seq + 1); !r)
        return fail(r.error());
    if (maxSpan != *span)
        if (auto r = setMetaInt(*m_writer, kMaxSpan, maxSpan); !r)
            return fail(r.error());
    if (auto r = txn->commit(); !r)
        return fail(r.error());

    // Only now, with the data durable, may readers see the new series.
    std::unique_lock lock(m_indexMutex);
    for (auto it = newPairs.cbegin(); it != newPairs.cend(); ++it) {
        m_pairIds.insert(it.key(), it.value());
        m_pairs.insert(it.value(), it.key());
        m_maxPairId = std::max(m_maxPairId, it.value());
    }
    for (const auto &[id, labels] : newSeries)
        m_index.add(id, labels);
    return stats;
}

Result<QList<SeriesRef>> SqliteMetricStore::select(const model::LabelMatchers &matchers) const
{
    auto reader = acquireReader();
    if (!reader)
        return fail(reader.error);
    if (auto r = refreshIfStale(*reader.get()); !r)
        return fail(r.error());
    QList<SeriesRef> out;
    {
        std::shared_lock lock(m_indexMutex);
        const auto ids = m_index.select(matchers);
        out.reserve(qsizetype(ids.size()));
        for (SeriesId id : ids)
            out.push_back({id, *m_index.labels(id)});
    }
    std::sort(out.begin(), out.end(),
              [](const SeriesRef &a, const SeriesRef &b) { return a.labels < b.labels; });
    return out;
}

Result<QList<model::Sample>> SqliteMetricStore::samples(SeriesId id, model::TimestampMs mint,
                                                        model::TimestampMs maxt) const
{
    if (mint > maxt)
        return QList<model::Sample>{};
    auto reader = acquireReader();
    if (!reader)
        return fail(reader.error);
    // A chunk overlaps [mint, maxt] iff max_t >= mint and min_t <= maxt. The
    // upper bound on max_t (no chunk spans more than max_chunk_span) lets
    // SQLite stop the index range scan instead of reading every later chunk
    // (the bound is a constant expression, so it still limits the range).
    // One statement, so the span and the chunks come from one snapshot.
    auto st =
        reader.get()->prepare("SELECT seq, min_t, max_t, encoding, data FROM chunks "
                              "WHERE series_id = ?1 AND max_t >= ?2 "
                              "AND max_t <= coalesce((SELECT CASE WHEN value >= "
                              "4611686018427387904 THEN 9223372036854775807 "
                              "                                   ELSE ?3 + value END "
                              "                       FROM meta WHERE key = 'max_chunk_span'), ?3) "
                              "AND min_t <= ?3 ORDER BY max_t, seq");
    if (!st)
        return fail(st.error());
    st->bind(1, id).bind(2, mint).bind(3, maxt);

    struct Decoded
    {
        std::int64_t seq;
        std::int64_t minT;
        std::int64_t maxT;
        QList<model::Sample> samples;
    };
    QList<Decoded> chunks;
    bool overlapping = false;
    for (;;) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        Decoded d{st->int64At(0), st->int64At(1), st->int64At(2), {}};
        auto dec = decodeChunk(st->int64At(3), st->blobAt(4));
        if (!dec)
            return fail(
                Error::badData(QStringLiteral("store %1: chunk of series %2 ending at %3: %4")
                                   .arg(reader.get()->path())
                                   .arg(id)
                                   .arg(d.maxT)
                                   .arg(dec.error().message)));
        d.samples = std::move(*dec);
        if (!chunks.isEmpty() && d.minT <= chunks.back().maxT)
            overlapping = true;
        chunks.push_back(std::move(d));
    }

    QList<model::Sample> out;
    auto inWindow = [&](const model::Sample &s) { return s.t >= mint && s.t <= maxt; };
    if (!overlapping) {
        for (const auto &c : chunks)
            for (const auto &s : c.samples)
                if (inWindow(s))
                    out.push_back(s);
        return out;
    }
    // Out-of-order writes: merge by time; on equal timestamps the chunk
    // written last (highest seq) wins.
    struct Entry
    {
        std::int64_t t;
        std::int64_t seq;
        double v;
    };
    std::vector<Entry> all;
    for (const auto &c : chunks)
        for (const auto &s : c.samples)
            if (inWindow(s))
                all.push_back({s.t, c.seq, s.v});
    std::stable_sort(all.begin(), all.end(), [](const Entry &a, const Entry &b) {
        return a.t != b.t ? a.t < b.t : a.seq < b.seq;
    });
    for (size_t i = 0; i < all.size(); ++i) {
        if (i + 1 < all.size() && all[i + 1].t == all[i].t)
            continue;
        out.push_back({all[i].t, all[i].v});
    }
    return out;
}

Result<QStringList> SqliteMetricStore::labelNames() const
{
    auto reader = acquireReader();
    if (!reader)
        return fail(reader.error);
    if (auto r = refreshIfStale(*reader.get()); !r)
        return fail(r.error());
    std::shared_lock lock(m_indexMutex);
    return m_index.labelNames();
}

Result<QStringList> SqliteMetricStore::labelValues(const QString &name) const
{
    auto reader = acquireReader();
    if (!reader)
        return fail(reader.error);
    if (auto r = refreshIfStale(*reader.get()); !r)
        return fail(r.error());
    std::shared_lock lock(m_indexMutex);
    return m_index.labelValues(name);
}

Result<MetricStoreStats> SqliteMetricStore::stats() const
{
    auto reader = acquireReader();
    if (!reader)
        return fail(reader.error);
    if (auto r = refreshIfStale(*reader.get()); !r)
        return fail(r.error());
    MetricStoreStats s;
    {
        std::shared_lock lock(m_indexMutex);
        s.series = m_index.seriesCount();
    }
    auto st = reader.get()->prepare(
        "SELECT count(*), sum(count), sum(length(data)), min(min_t), max(max_t) FROM chunks");
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (*row) {
        s.chunks = st->int64At(0);
        s.samples = st->int64At(1);
        s.chunkBytes = st->int64At(2);
        s.minTime = st->int64At(3);
        s.maxTime = st->int64At(4);
    }
    const QString db = reader.get()->path();
    s.fileBytes = QFileInfo(db).size() + QFileInfo(db + QStringLiteral("-wal")).size();
    return s;
}

Result<bool> SqliteMetricStore::compactSeries(SeriesId id, std::int64_t seq, std::int64_t &maxSpan)
{
    QList<ChunkRow> rows;
    {
        auto st = m_writer->prepare("SELECT max_t, seq, min_t, count, encoding, data FROM chunks "
                                    "WHERE series_id = ?1 ORDER BY min_t, seq");
        if (!st)
            return fail(st.error());
        st->bind(1, id);
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const QByteArrayView data = st->blobAt(5);
            rows.push_back({st->int64At(0), st->int64At(1), st->int64At(2), st->int64At(3),
                            st->int64At(4), QByteArray(data.data(), data.size())});
        }
    }
    // Components: maximal groups of chunks whose time ranges overlap. They
    // are disjoint in time, so rewriting a run of whole components can never
    // change which write wins anywhere else.
    struct Component
    {
        qsizetype first;
        qsizetype last; // inclusive
        std::int64_t maxT;
    };
    QList<Component> comps;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        if (!comps.isEmpty() && rows[i].minT <= comps.back().maxT) {
            comps.back().last = i;
            comps.back().maxT = std::max(comps.back().maxT, rows[i].maxT);
        } else {
            comps.push_back({i, i, rows[i].maxT});
        }
    }
    auto isFullChunk = [&](const Component &c) {
        return c.first == c.last && rows[c.first].count >= XorChunkEncoder::kMaxSamples;
    };

    bool changed = false;
    qsizetype ci = 0;
    while (ci < comps.size()) {
        if (isFullChunk(comps[ci])) {
            ++ci;
            continue;
        }
        qsizetype cj = ci;
        while (cj + 1 < comps.size() && !isFullChunk(comps[cj + 1]))
            ++cj;
        const qsizetype firstRow = comps[ci].first;
        const qsizetype lastRow = comps[cj].last;
        const qsizetype oldCount = lastRow - firstRow + 1;
        bool overlap = false;
        for (qsizetype c = ci; c <= cj; ++c)
            overlap = overlap || comps[c].first != comps[c].last;
        ci = cj + 1;
        if (oldCount < 2)
            continue;

        struct Entry
        {
            std::int64_t t;
            std::int64_t seq;
            double v;
        };
        std::vector<Entry> all;
        for (qsizetype r = firstRow; r <= lastRow; ++r) {
            auto dec = decodeChunk(rows[r].encoding, rows[r].data);
            if (!dec)
                return fail(
                    Error::badData(QStringLiteral("store %1: chunk of series %2 ending at %3: %4")
                                       .arg(m_writer->path())
                                       .arg(id)
                                       .arg(rows[r].maxT)
                                       .arg(dec.error().message)));
            for (const auto &s : *dec)
                all.push_back({s.t, rows[r].seq, s.v});
        }
        std::stable_sort(all.begin(), all.end(), [](const Entry &a, const Entry &b) {
            return a.t != b.t ? a.t < b.t : a.seq < b.seq;
        });
        QList<model::Sample> merged;
        merged.reserve(qsizetype(all.size()));
        for (size_t i = 0; i < all.size(); ++i)
            if (i + 1 == all.size() || all[i + 1].t != all[i].t)
                merged.push_back({all[i].t, all[i].v});
        const qsizetype newCount =
            (merged.size() + XorChunkEncoder::kMaxSamples - 1) / XorChunkEncoder::kMaxSamples;
        if (newCount >= oldCount && !overlap)
            continue;
        for (qsizetype r = firstRow; r <= lastRow; ++r) {
            auto del = m_writer->prepare(kDeleteChunk);
            if (!del)
                return fail(del.error());
            del->bind(1, id).bind(2, rows[r].maxT).bind(3, rows[r].seq);
            if (auto res = del->run(); !res)
                return fail(res.error());
        }
        if (auto res = insertChunks(id, merged, seq, maxSpan); !res)
            return fail(res.error());
        changed = true;
    }
    return changed;
}

Result<void> SqliteMetricStore::compact()
{
    std::lock_guard writeLock(m_writeMutex);
    QList<SeriesId> candidates;
    {
        // Series with small chunks, or with overlapping ones (e.g. the same
        // file imported twice): sorted by max_t, a chunk overlaps an earlier
        // one exactly when it starts at or before the previous chunk's end.
        auto st = m_writer->prepare("SELECT series_id FROM chunks WHERE count < ?1 "
                                    "UNION "
                                    "SELECT series_id FROM (SELECT series_id, min_t, "
                                    "  lag(max_t) OVER (PARTITION BY series_id ORDER BY max_t, "
                                    "seq) AS prev_max_t FROM chunks) "
                                    "WHERE min_t <= prev_max_t "
                                    "ORDER BY series_id");
        if (!st)
            return fail(st.error());
        st->bind(1, std::int64_t(XorChunkEncoder::kMaxSamples));
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            candidates.push_back(st->int64At(0));
        }
    }
    // Small transactions: readers and other writers get turns, and an
    // interruption loses at most one group's work, never data.
    constexpr qsizetype kSeriesPerTxn = 256;
    qsizetype rewritten = 0;
    for (qsizetype start = 0; start < candidates.size(); start += kSeriesPerTxn) {
        auto txn = SqliteTransaction::begin(*m_writer, SqliteTransaction::Kind::Immediate);
        if (!txn)
            return fail(txn.error());
        auto seq = metaInt(*m_writer, kNextSeq, 1);
        if (!seq)
            return fail(seq.error());
        auto span = metaInt(*m_writer, kMaxSpan, 0);
        if (!span)
            return fail(span.error());
        std::int64_t maxSpan = *span;
        const qsizetype end = std::min(candidates.size(), start + kSeriesPerTxn);
        for (qsizetype i = start; i < end; ++i) {
            auto r = compactSeries(candidates[i], *seq, maxSpan);
            if (!r)
                return fail(r.error());
            rewritten += *r ? 1 : 0;
        }
        if (auto r = setMetaInt(*m_writer, kNextSeq, *seq + 1); !r)
            return r;
        if (maxSpan != *span)
            if (auto r = setMetaInt(*m_writer, kMaxSpan, maxSpan); !r)
                return r;
        if (auto r = txn->commit(); !r)
            return r;
    }
    qCDebug(lcStore) << "compacted" << rewritten << "of" << candidates.size() << "candidate series";
    return {};
}

} // namespace spyglass::store
