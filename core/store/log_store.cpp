#include "core/store/log_store.h"
#include "core/store/varint.h"

#include "core/store/sqlite_connection.h"
#include "core/store/store_schema.h"
#include "core/store/store_log.h"

#include <QFileInfo>
#include <QSet>
#include <algorithm>
#include <limits>
#include <zstd.h>

namespace spyglass::store {

using model::TimestampNs;

namespace {

// "SPYL" in the SQLite header: tells logs.db apart from the other stores.
constexpr std::int64_t kApplicationId = 0x5350594c;
const QString kMagic = QStringLiteral("spyglass-logs");
constexpr int kZstdLevel = 3;
constexpr std::int64_t kEncodingZstdEntries = 1;

// Table layout: see FORMAT.md, "Log store" (keep the two in step).
constexpr const char *kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE streams(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    labels BLOB NOT NULL UNIQUE,
    min_t INTEGER NOT NULL,
    max_t INTEGER NOT NULL);
CREATE TABLE chunks(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id INTEGER NOT NULL,
    min_t INTEGER NOT NULL,
    max_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    raw_bytes INTEGER NOT NULL,
    encoding INTEGER NOT NULL,
    data BLOB NOT NULL);
CREATE INDEX chunks_by_stream ON chunks(stream_id, max_t);
CREATE INDEX chunks_by_age ON chunks(max_t);
)sql";

StoreSchema schema()
{
    return StoreSchema{QStringLiteral("log store"), kApplicationId, kMagic, LogStore::kFormatVersion, kSchema, true};
}

void putBytes(QByteArray &out, QByteArrayView b)
{
    putUvarint(out, std::uint64_t(b.size()));
    out.append(b.data(), b.size());
}

bool getBytes(QByteArrayView in, qsizetype &pos, QByteArrayView &b)
{
    std::uint64_t n = 0;
    if (!getUvarint(in, pos, n) || n > std::uint64_t(in.size() - pos))
        return false;
    b = in.sliced(pos, qsizetype(n));
    pos += qsizetype(n);
    return true;
}

QByteArray encodeLabels(const model::Labels &labels)
{
    QByteArray out;
    putUvarint(out, std::uint64_t(labels.size()));
    for (const auto &l : labels) {
        putBytes(out, l.name.toUtf8());
        putBytes(out, l.value.toUtf8());
    }
    return out;
}

model::Labels decodeLabels(QByteArrayView in)
{
    qsizetype pos = 0;
    std::uint64_t n = 0;
    if (!getUvarint(in, pos, n))
        return {};
    QList<model::Label> pairs;
    pairs.reserve(qsizetype(std::min<std::uint64_t>(n, 256)));
    for (std::uint64_t i = 0; i < n; ++i) {
        QByteArrayView name, value;
        if (!getBytes(in, pos, name) || !getBytes(in, pos, value))
            break;
        pairs.append({QString::fromUtf8(name), QString::fromUtf8(value)});
    }
    return model::Labels(std::move(pairs));
}

// One entry to write: the line and metadata still encoded as UTF-8.
struct PendingEntry
{
    TimestampNs time = 0;
    QByteArray line;
    QByteArray metadata; // encodeMetadata() form
};

// Raw chunk layout (before zstd): uvarint count, then per entry
// zigzag-varint time delta (first: absolute), line bytes, metadata bytes.
QByteArray encodeEntries(const PendingEntry *begin, const PendingEntry *end)
{
    QByteArray raw;
    qsizetype size = 10;
    for (auto *e = begin; e != end; ++e)
        size += e->line.size() + e->metadata.size() + 12;
    raw.reserve(size);
    putUvarint(raw, std::uint64_t(end - begin));
    TimestampNs prev = 0;
    for (auto *e = begin; e != end; ++e) {
        putUvarint(raw, zigzag(e->time - prev));
        prev = e->time;
        putBytes(raw, e->line);
        putBytes(raw, e->metadata);
    }
    return raw;
}

Result<QByteArray> compress(const QByteArray &raw)
{
    QByteArray out(qsizetype(ZSTD_compressBound(size_t(raw.size()))), Qt::Uninitialized);
    const size_t n =
        ZSTD_compress(out.data(), size_t(out.size()), raw.constData(), size_t(raw.size()), kZstdLevel);
    if (ZSTD_isError(n))
        return fail(Error::internal(
            QStringLiteral("zstd compression failed: %1").arg(QString::fromUtf8(ZSTD_getErrorName(n)))));
    out.truncate(qsizetype(n));
    return out;
}

Result<QByteArray> decompress(QByteArrayView data, std::int64_t rawBytes)
{
    QByteArray out(qsizetype(rawBytes), Qt::Uninitialized);
    const size_t n = ZSTD_decompress(out.data(), size_t(out.size()), data.data(), size_t(data.size()));
    if (ZSTD_isError(n) || n != size_t(rawBytes))
        return fail(Error::badData(QStringLiteral("log chunk does not decompress to its recorded size "
                                                  "(%1 bytes): %2")
                                       .arg(rawBytes)
                                       .arg(ZSTD_isError(n) ? QString::fromUtf8(ZSTD_getErrorName(n))
                                                            : QString::number(n))));
    return out;
}

Result<void> parseEntries(const QByteArray &raw, std::vector<LogEntryView> &out)
{
    qsizetype pos = 0;
    std::uint64_t n = 0;
    if (!getUvarint(raw, pos, n))
        return fail(Error::badData(QStringLiteral("log chunk: truncated header")));
    TimestampNs prev = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t d = 0;
        LogEntryView e;
        if (!getUvarint(raw, pos, d) || !getBytes(raw, pos, e.line) || !getBytes(raw, pos, e.metadata))
            return fail(Error::badData(
                QStringLiteral("log chunk: entry %1 of %2 is truncated").arg(i).arg(n)));
        prev += unzigzag(d);
        e.time = prev;
        out.push_back(e);
    }
    return {};
}


bool overlaps(TimestampNs aMin, TimestampNs aMax, TimestampNs from, TimestampNs to)
{
    return aMax >= from && aMin <= to;
}

} // namespace

struct LogStore::ChunkMeta
{
    std::int64_t id = 0;
    TimestampNs minT = 0;
    TimestampNs maxT = 0;
    std::int64_t rawBytes = 0;
};

class LogStore::ReaderLease
{
public:
    ReaderLease(const LogStore *s, std::unique_ptr<SqliteConnection> c) : m_store(s), m_conn(std::move(c)) {}
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
    const LogStore *m_store;
    std::unique_ptr<SqliteConnection> m_conn;
};

LogStore::~LogStore() = default;

void LogStore::encodeMetadata(QByteArray &out, const model::Labels &metadata)
{
    if (metadata.isEmpty())
        return; // zero bytes = no metadata: the common case costs nothing
    out += encodeLabels(metadata);
}

model::Labels LogStore::decodeMetadata(QByteArrayView encoded)
{
    if (encoded.isEmpty())
        return {};
    return decodeLabels(encoded);
}

Result<std::unique_ptr<LogStore>> LogStore::open(const QString &path, Options options)
{
    std::unique_ptr<LogStore> s(new LogStore);
    s->m_path = QFileInfo(path).absoluteFilePath();
    s->m_options = options;
    auto conn = SqliteConnection::open(s->m_path, SqliteConnection::Mode::ReadWriteCreate);
    if (!conn)
        return fail(conn.error());
    SqliteConnection &c = **conn;
    {
        auto st = c.prepare("PRAGMA journal_mode = WAL");
        if (!st)
            return fail(st.error());
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row || st->textAt(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return fail(Error::io(QStringLiteral("log store %1: cannot switch to WAL mode").arg(c.path())));
    }
    if (auto r = c.exec("PRAGMA synchronous = FULL"); !r)
        return fail(r.error());
    if (auto r = createOrCheckSchema(c, schema()); !r)
        return fail(r.error());
    s->m_writer = std::move(*conn);
    if (auto r = s->rebuildIndex(*s->m_writer); !r)
        return fail(r.error());
    qCDebug(lcStore) << "opened log store" << s->m_path << "with" << s->m_index.seriesCount() << "streams";
    return s;
}

LogStore::ReaderLease LogStore::acquireReader() const
{
    {
        std::lock_guard lock(m_poolMutex);
        if (!m_readerPool.empty()) {
            auto c = std::move(m_readerPool.back());
            m_readerPool.pop_back();
            return ReaderLease(this, std::move(c));
        }
    }
    auto c = SqliteConnection::open(m_path, SqliteConnection::Mode::ReadWrite);
    if (!c) {
        ReaderLease l(this, nullptr);
        l.error = c.error();
        return l;
    }
    (void)(*c)->exec("PRAGMA query_only = 1");
    return ReaderLease(this, std::move(*c));
}

Result<void> LogStore::rebuildIndex(SqliteConnection &conn) const
{
    std::unique_lock lock(m_indexMutex);
    m_index = LabelIndex();
    m_bounds.clear();
    lock.unlock();
    return loadStreams(conn);
}

Result<void> LogStore::loadStreams(SqliteConnection &conn) const
{
    std::unique_lock lock(m_indexMutex);
    // Bounds of known streams may have moved too (another process appended):
    // refresh all bounds, add only new streams to the index.
    auto st = conn.prepare("SELECT id, labels, min_t, max_t FROM streams ORDER BY id");
    if (!st)
        return fail(st.error());
    const StreamId known = m_index.maxId();
    for (;;) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        const StreamId id = st->int64At(0);
        m_bounds[id] = Bounds{st->int64At(2), st->int64At(3)};
        if (id > known)
            m_index.add(id, decodeLabels(st->blobAt(1)));
    }
    return {};
}

Result<LogAppendStats> LogStore::append(const QList<model::LogRecord> &records)
{
    LogAppendStats stats;
    if (records.isEmpty())
        return stats;
    // Group by stream, keeping arrival order inside each group.
    QHash<model::Labels, qsizetype> groupOf;
    QList<model::Labels> groupLabels;
    QList<std::vector<PendingEntry>> groups;
    for (const auto &r : records) {
        if (r.stream.isEmpty())
            return fail(Error::invalid(QStringLiteral(
                "log line at %1 has no stream labels: a stream needs at least one label").arg(r.time)));
        auto it = groupOf.find(r.stream);
        if (it == groupOf.end()) {
            it = groupOf.insert(r.stream, groups.size());
            groupLabels.append(r.stream);
            groups.append(std::vector<PendingEntry>());
        }
        PendingEntry e;
        e.time = r.time;
        e.line = r.line.toUtf8();
        encodeMetadata(e.metadata, r.structuredMetadata);
        groups[*it].push_back(std::move(e));
    }

    std::lock_guard writeLock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    if (auto r = loadStreams(c); !r)
        return fail(r.error());

    struct Touched
    {
        StreamId id;
        model::Labels labels;
        Bounds bounds;
        bool isNew;
    };
    QList<Touched> touched;

    for (qsizetype g = 0; g < groups.size(); ++g) {
        auto &entries = groups[g];
        std::optional<SeriesId> existing;
        Bounds bounds;
        {
            std::shared_lock lock(m_indexMutex);
            existing = m_index.find(groupLabels[g]);
            if (existing)
                bounds = m_bounds.value(*existing);
        }
        // Out-of-order window, measured from the newest line of the stream
        // (including this batch), as Loki does.
        TimestampNs newest = existing ? bounds.max : std::numeric_limits<TimestampNs>::min();
        for (const auto &e : entries)
            newest = std::max(newest, e.time);
        const TimestampNs oldestAllowed = newest - m_options.outOfOrderWindowNs;
        std::erase_if(entries, [&](const PendingEntry &e) {
            if (e.time < oldestAllowed) {
                ++stats.tooOld;
                return true;
            }
            return false;
        });
        if (entries.empty())
            continue;
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto &a, const auto &b) { return a.time < b.time; });
        // Drop exact repeats of (time, line) within the batch: a client
        // retrying a push must not double its lines (Loki dedupes the same way).
        {
            std::vector<PendingEntry> kept;
            kept.reserve(entries.size());
            for (size_t i = 0; i < entries.size(); ++i) {
                bool dup = false;
                for (size_t j = kept.size(); j-- > 0 && kept[j].time == entries[i].time;) {
                    if (kept[j].line == entries[i].line) {
                        dup = true;
                        break;
                    }
                }
                if (dup)
                    ++stats.duplicates;
                else
                    kept.push_back(std::move(entries[i]));
            }
            entries = std::move(kept);
        }

        StreamId id = 0;
        if (!existing) {
            auto st = c.prepare("INSERT INTO streams(labels, min_t, max_t) VALUES (?1, ?2, ?3)");
            if (!st)
                return fail(st.error());
            st->bindBlob(1, encodeLabels(groupLabels[g])).bind(2, entries.front().time).bind(3, entries.back().time);
            if (auto r = st->run(); !r)
                return fail(r.error());
            id = c.queryInt("SELECT last_insert_rowid()").value_or(0);
            bounds = Bounds{entries.front().time, entries.back().time};
            ++stats.newStreams;
        } else {
            id = *existing;
            bounds.min = std::min(bounds.min, entries.front().time);
            bounds.max = std::max(bounds.max, entries.back().time);
            auto st = c.prepare("UPDATE streams SET min_t = ?2, max_t = ?3 WHERE id = ?1");
            if (!st)
                return fail(st.error());
            st->bind(1, id).bind(2, bounds.min).bind(3, bounds.max);
            if (auto r = st->run(); !r)
                return fail(r.error());

            // Extend the stream's newest chunk while it is small and the new
            // lines do not reach before it, so trickling appends do not
            // leave a chunk per batch.
            auto last = c.prepare("SELECT id, min_t, raw_bytes, data FROM chunks WHERE stream_id = ?1 "
                                  "ORDER BY max_t DESC LIMIT 1");
            if (!last)
                return fail(last.error());
            last->bind(1, id);
            auto row = last->step();
            if (!row)
                return fail(row.error());
            if (*row && last->int64At(2) < m_options.targetChunkRawBytes
                && entries.front().time >= last->int64At(1)) {
                const std::int64_t chunkId = last->int64At(0);
                auto raw = decompress(last->blobAt(3), last->int64At(2));
                if (!raw)
                    return fail(raw.error());
                std::vector<LogEntryView> old;
                if (auto r = parseEntries(*raw, old); !r)
                    return fail(r.error());
                std::vector<PendingEntry> merged;
                merged.reserve(old.size() + entries.size());
                for (const auto &o : old)
                    merged.push_back(PendingEntry{o.time, o.line.toByteArray(), o.metadata.toByteArray()});
                for (auto &e : entries)
                    merged.push_back(std::move(e));
                std::stable_sort(merged.begin(), merged.end(),
                                 [](const auto &a, const auto &b) { return a.time < b.time; });
                entries = std::move(merged);
                (void)last->step(); // done with the row: release the read
                auto del = c.prepare("DELETE FROM chunks WHERE id = ?1");
                if (!del)
                    return fail(del.error());
                del->bind(1, chunkId);
                if (auto r = del->run(); !r)
                    return fail(r.error());
            }
        }

        // Cut into chunks of about the target raw size.
        const PendingEntry *begin = entries.data();
        const PendingEntry *end = entries.data() + entries.size();
        while (begin != end) {
            const PendingEntry *cut = begin;
            std::int64_t size = 0;
            while (cut != end && (cut == begin || size < m_options.targetChunkRawBytes)) {
                size += cut->line.size() + cut->metadata.size() + 6;
                ++cut;
            }
            const QByteArray raw = encodeEntries(begin, cut);
            auto packed = compress(raw);
            if (!packed)
                return fail(packed.error());
            auto ins = c.prepare("INSERT INTO chunks(stream_id, min_t, max_t, count, raw_bytes, encoding, data) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            if (!ins)
                return fail(ins.error());
            ins->bind(1, id)
                .bind(2, begin->time)
                .bind(3, (cut - 1)->time)
                .bind(4, std::int64_t(cut - begin))
                .bind(5, std::int64_t(raw.size()))
                .bind(6, kEncodingZstdEntries)
                .bindBlob(7, *packed);
            if (auto r = ins->run(); !r)
                return fail(r.error());
            begin = cut;
        }
        touched.append(Touched{id, groupLabels[g], bounds, !existing});
        ++stats.streams;
    }
    stats.lines = records.size() - stats.tooOld - stats.duplicates;
    stats.bytes = 0;
    for (const auto &r : records)
        stats.bytes += r.line.size();

    if (auto r = txn->commit(); !r)
        return fail(r.error());

    std::unique_lock lock(m_indexMutex);
    for (const auto &t : touched) {
        if (t.isNew)
            m_index.add(t.id, t.labels);
        m_bounds[t.id] = t.bounds;
    }
    return stats;
}

Result<QList<LogStreamRef>> LogStore::streams(const model::LabelMatchers &matchers, TimestampNs from,
                                              TimestampNs to) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error);
    if (auto r = loadStreams(*lease.get()); !r)
        return fail(r.error());
    QList<LogStreamRef> out;
    std::shared_lock lock(m_indexMutex);
    const auto ids = matchers.isEmpty() ? m_index.allSeries() : m_index.select(matchers);
    for (StreamId id : ids) {
        const Bounds b = m_bounds.value(id);
        if (!overlaps(b.min, b.max, from, to))
            continue;
        out.append(LogStreamRef{id, *m_index.labels(id), b.min, b.max});
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.labels < b.labels; });
    return out;
}

Result<void> LogStore::read(StreamId id, TimestampNs from, TimestampNs to, LogDirection direction,
                            const std::function<bool(const LogEntryBlock &)> &sink) const
{
    if (to <= from)
        return {};
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error);
    SqliteConnection &c = *lease.get();
    std::vector<ChunkMeta> metas;
    {
        auto st = c.prepare("SELECT id, min_t, max_t, raw_bytes FROM chunks "
                            "WHERE stream_id = ?1 AND max_t >= ?2 AND min_t < ?3");
        if (!st)
            return fail(st.error());
        st->bind(1, id).bind(2, from).bind(3, to);
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            metas.push_back(ChunkMeta{st->int64At(0), st->int64At(1), st->int64At(2), st->int64At(3)});
        }
    }
    // Chunk ids grow with writes: on equal times the older chunk comes first.
    std::sort(metas.begin(), metas.end(), [](const auto &a, const auto &b) {
        return a.minT != b.minT ? a.minT < b.minT : a.id < b.id;
    });
    // Groups of mutually overlapping chunks: each group is merged on its own
    // and groups follow each other in time, so reading stays chunk by chunk.
    std::vector<std::pair<size_t, size_t>> groups;
    for (size_t i = 0; i < metas.size();) {
        size_t j = i + 1;
        TimestampNs groupMax = metas[i].maxT;
        while (j < metas.size() && metas[j].minT <= groupMax) {
            groupMax = std::max(groupMax, metas[j].maxT);
            ++j;
        }
        groups.emplace_back(i, j);
        i = j;
    }
    if (direction == LogDirection::Backward)
        std::reverse(groups.begin(), groups.end());

    for (const auto &[gb, ge] : groups) {
        LogEntryBlock block;
        block.raw.reserve(ge - gb);
        for (size_t k = gb; k < ge; ++k) {
            auto st = c.prepare("SELECT data FROM chunks WHERE id = ?1");
            if (!st)
                return fail(st.error());
            st->bind(1, metas[k].id);
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                continue; // deleted by retention meanwhile
            auto raw = decompress(st->blobAt(0), metas[k].rawBytes);
            if (!raw)
                return fail(Error::badData(
                    QStringLiteral("%1: chunk %2: %3").arg(m_path).arg(metas[k].id).arg(raw.error().message)));
            block.raw.push_back(std::move(*raw));
        }
        std::vector<LogEntryView> all;
        for (const auto &raw : block.raw) {
            if (auto r = parseEntries(raw, all); !r)
                return fail(Error::badData(QStringLiteral("%1: %2").arg(m_path, r.error().message)));
        }
        if (block.raw.size() > 1)
            std::stable_sort(all.begin(), all.end(), [](const auto &a, const auto &b) { return a.time < b.time; });
        block.entries.reserve(all.size());
        for (const auto &e : all)
            if (e.time >= from && e.time < to)
                block.entries.push_back(e);
        if (direction == LogDirection::Backward)
            std::reverse(block.entries.begin(), block.entries.end());
        if (block.entries.empty())
            continue;
        if (!sink(block))
            break;
    }
    return {};
}

Result<QList<model::LogRecord>> LogStore::select(const model::LabelMatchers &matchers, TimestampNs from,
                                                 TimestampNs to, LogDirection direction, qsizetype limit) const
{
    auto refs = streams(matchers, from, to);
    if (!refs)
        return fail(refs.error());
    QList<model::LogRecord> out;
    for (const auto &ref : *refs) {
        qsizetype taken = 0;
        auto r = read(ref.id, from, to, direction, [&](const LogEntryBlock &block) {
            for (const auto &e : block.entries) {
                model::LogRecord rec;
                rec.time = e.time;
                rec.line = QString::fromUtf8(e.line);
                rec.stream = ref.labels;
                rec.structuredMetadata = decodeMetadata(e.metadata);
                out.append(std::move(rec));
                if (limit > 0 && ++taken >= limit)
                    return false;
            }
            return true;
        });
        if (!r)
            return fail(r.error());
    }
    std::stable_sort(out.begin(), out.end(), [direction](const auto &a, const auto &b) {
        return direction == LogDirection::Forward ? a.time < b.time : a.time > b.time;
    });
    if (limit > 0 && out.size() > limit)
        out.resize(limit);
    return out;
}

Result<QStringList> LogStore::labelNames(TimestampNs from, TimestampNs to) const
{
    auto refs = streams({}, from, to);
    if (!refs)
        return fail(refs.error());
    QSet<QString> names;
    for (const auto &r : *refs)
        for (const auto &l : r.labels)
            names.insert(l.name);
    QStringList out(names.begin(), names.end());
    out.sort();
    return out;
}

Result<QStringList> LogStore::labelValues(const QString &name, TimestampNs from, TimestampNs to,
                                          const model::LabelMatchers &matchers) const
{
    auto refs = streams(matchers, from, to);
    if (!refs)
        return fail(refs.error());
    QSet<QString> values;
    for (const auto &r : *refs) {
        const QString v = r.labels.value(name);
        if (!v.isEmpty())
            values.insert(v);
    }
    QStringList out(values.begin(), values.end());
    out.sort();
    return out;
}

Result<LogStoreStats> LogStore::stats() const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error);
    SqliteConnection &c = *lease.get();
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    LogStoreStats s;
    {
    auto st = c.prepare("SELECT count(*), coalesce(sum(count), 0), coalesce(sum(raw_bytes), 0), "
                        "coalesce(sum(length(data)), 0), coalesce(min(min_t), 0), coalesce(max(max_t), 0) FROM chunks");
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    s.chunks = st->int64At(0);
    s.lines = st->int64At(1);
    s.rawBytes = st->int64At(2);
    s.chunkBytes = st->int64At(3);
    s.minTime = st->int64At(4);
    s.maxTime = st->int64At(5);
    }
    s.streams = c.queryInt("SELECT count(*) FROM streams").value_or(0);
    s.fileBytes = QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size();
    return s;
}

Result<LogRetentionStats> LogStore::applyRetention(std::int64_t maxAgeNs, std::int64_t maxBytes,
                                                   TimestampNs nowNs)
{
    LogRetentionStats out;
    std::lock_guard writeLock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    auto deleteIds = [&](const std::vector<std::int64_t> &ids) -> Result<void> {
        for (auto id : ids) {
            // A fresh borrow per row: the statement resets when released.
            auto del = c.prepare("DELETE FROM chunks WHERE id = ?1");
            if (!del)
                return fail(del.error());
            del->bind(1, id);
            if (auto r = del->run(); !r)
                return r;
        }
        return {};
    };
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    std::vector<std::int64_t> doomed;
    if (maxAgeNs > 0) {
        auto st = c.prepare("SELECT id, count FROM chunks WHERE max_t < ?1");
        if (!st)
            return fail(st.error());
        st->bind(1, nowNs - maxAgeNs);
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            doomed.push_back(st->int64At(0));
            out.linesDeleted += st->int64At(1);
        }
    }
    if (maxBytes > 0) {
        auto total = c.queryInt("SELECT coalesce(sum(length(data)), 0) FROM chunks");
        if (!total)
            return fail(total.error());
        std::int64_t bytes = *total;
        if (bytes > maxBytes) {
            auto st = c.prepare("SELECT id, count, length(data), max_t FROM chunks ORDER BY max_t, id");
            if (!st)
                return fail(st.error());
            const QSet<std::int64_t> already(doomed.begin(), doomed.end());
            for (;;) {
                auto row = st->step();
                if (!row)
                    return fail(row.error());
                if (!*row)
                    break;
                const std::int64_t id = st->int64At(0);
                bytes -= st->int64At(2);
                if (!already.contains(id)) {
                    doomed.push_back(id);
                    out.linesDeleted += st->int64At(1);
                }
                if (bytes <= maxBytes)
                    break;
            }
        } else if (!doomed.empty()) {
            // nothing more to do for size
        }
    }
    if (doomed.empty())
        return out;
    if (auto r = deleteIds(doomed); !r)
        return fail(r.error());
    out.chunksDeleted = std::int64_t(doomed.size());
    auto before = c.queryInt("SELECT count(*) FROM streams");
    if (!before)
        return fail(before.error());
    if (auto r = c.exec("DELETE FROM streams WHERE id NOT IN (SELECT DISTINCT stream_id FROM chunks)"); !r)
        return fail(r.error());
    if (auto r = c.exec("UPDATE streams SET min_t = (SELECT min(min_t) FROM chunks WHERE stream_id = streams.id)"); !r)
        return fail(r.error());
    auto after = c.queryInt("SELECT count(*) FROM streams");
    if (!after)
        return fail(after.error());
    out.streamsDeleted = *before - *after;
    if (auto r = txn->commit(); !r)
        return fail(r.error());
    // Give the freed pages back to the file system (auto_vacuum=INCREMENTAL).
    if (auto r = c.exec("PRAGMA incremental_vacuum"); !r)
        qCWarning(lcStore) << "incremental vacuum failed:" << r.error().message;
    if (auto r = rebuildIndex(c); !r)
        return fail(r.error());
    return out;
}

} // namespace spyglass::store
