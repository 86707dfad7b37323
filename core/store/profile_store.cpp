#include "core/store/profile_store.h"
#include "core/store/varint.h"

#include "core/store/sqlite_connection.h"
#include "core/store/store_schema.h"
#include "core/store/store_log.h"

#include <QFileInfo>

#include <algorithm>
#include <limits>
#include <vector>

namespace spyglass::store {

using model::TimestampNs;

namespace {

constexpr std::int64_t kApplicationId = 0x53505950; // "SPYP"
const QString kMagic = QStringLiteral("spyglass-profiles");

// Table layout: see FORMAT.md, "profiles.db" (keep the two in step).
constexpr const char *kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE functions(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE);
CREATE TABLE stacks(
    id INTEGER PRIMARY KEY,
    frames BLOB NOT NULL);
CREATE TABLE label_sets(
    id INTEGER PRIMARY KEY,
    labels BLOB NOT NULL UNIQUE);
CREATE TABLE series(
    id INTEGER PRIMARY KEY,
    type_id TEXT NOT NULL,
    labels BLOB NOT NULL,
    UNIQUE(type_id, labels));
CREATE TABLE profiles(
    id INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    period INTEGER NOT NULL,
    total INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    data BLOB NOT NULL);
CREATE INDEX profiles_by_series_time ON profiles(series_id, time_ns);
CREATE INDEX profiles_by_time ON profiles(time_ns);
)sql";

StoreSchema schema()
{
    return StoreSchema{QStringLiteral("profile store"), kApplicationId, kMagic, ProfileStore::kFormatVersion, kSchema, false};
}

QByteArray encodeLabels(const model::Labels &labels)
{
    QByteArray out;
    putUvarint(out, std::uint64_t(labels.size()));
    for (const auto &l : labels) {
        const QByteArray n = l.name.toUtf8(), v = l.value.toUtf8();
        putUvarint(out, std::uint64_t(n.size()));
        out += n;
        putUvarint(out, std::uint64_t(v.size()));
        out += v;
    }
    return out;
}

std::optional<model::Labels> decodeLabels(QByteArrayView in)
{
    qsizetype pos = 0;
    std::uint64_t n = 0;
    if (!getUvarint(in, pos, n) || n > std::uint64_t(in.size()))
        return std::nullopt;
    QList<model::Label> pairs;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t len = 0;
        QString parts[2];
        for (auto &part : parts) {
            if (!getUvarint(in, pos, len) || len > std::uint64_t(in.size() - pos))
                return std::nullopt;
            part = QString::fromUtf8(in.sliced(pos, qsizetype(len)));
            pos += qsizetype(len);
        }
        pairs.append({parts[0], parts[1]});
    }
    return model::Labels(pairs);
}

QByteArray encodeFrames(const QList<std::int64_t> &frames)
{
    QByteArray out;
    for (auto f : frames)
        putUvarint(out, std::uint64_t(f));
    return out;
}

struct Entry
{
    std::int64_t stack = 0;
    std::int64_t labelSet = 0;
    std::int64_t value = 0;
};

// count, then per entry: stack id delta, zigzag value, label set id; sorted
// by stack id so deltas stay small.
QByteArray encodeEntries(std::vector<Entry> &entries)
{
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.stack != b.stack ? a.stack < b.stack : a.labelSet < b.labelSet;
    });
    QByteArray out;
    out.reserve(qsizetype(entries.size()) * 5 + 4);
    putUvarint(out, entries.size());
    std::int64_t prev = 0;
    for (const auto &e : entries) {
        putUvarint(out, std::uint64_t(e.stack - prev));
        prev = e.stack;
        putUvarint(out, zigzag(e.value));
        putUvarint(out, std::uint64_t(e.labelSet));
    }
    return out;
}

template <typename F>
bool decodeEntries(QByteArrayView in, F &&f)
{
    qsizetype pos = 0;
    std::uint64_t n = 0;
    if (!getUvarint(in, pos, n) || n > std::uint64_t(in.size()))
        return false;
    std::int64_t stack = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t d = 0, v = 0, ls = 0;
        if (!getUvarint(in, pos, d) || !getUvarint(in, pos, v) || !getUvarint(in, pos, ls))
            return false;
        stack += std::int64_t(d);
        f(stack, std::int64_t(ls), unzigzag(v));
    }
    return pos == in.size();
}


Error corrupt(const QString &path, const QString &what)
{
    return Error::badData(QStringLiteral("profile store %1 is damaged: %2").arg(path, what));
}

} // namespace

struct ProfileStore::Dictionary
{
    QHash<std::int64_t, QString> functions;
    QHash<QString, std::int64_t> functionIds;
    std::int64_t maxFunction = 0;
    QHash<std::int64_t, QList<std::int64_t>> stacks; // function ids, leaf first
    QHash<QByteArray, std::int64_t> stackIds;         // encoded frames -> id
    std::int64_t maxStack = 0;
    QHash<std::int64_t, model::Labels> labelSets;
    QHash<model::Labels, std::int64_t> labelSetIds;
    std::int64_t maxLabelSet = 0;
    QHash<std::int64_t, ProfileSeriesRef> series;
    QHash<QPair<QString, model::Labels>, std::int64_t> seriesIds;
    std::int64_t maxSeries = 0;
};

ProfileStore::~ProfileStore() = default;

Result<std::unique_ptr<ProfileStore>> ProfileStore::open(const QString &path)
{
    std::unique_ptr<ProfileStore> s(new ProfileStore);
    s->m_path = QFileInfo(path).absoluteFilePath();
    s->m_dict = std::make_unique<Dictionary>();
    auto conn = SqliteConnection::open(s->m_path, SqliteConnection::Mode::ReadWriteCreate);
    if (!conn)
        return fail(conn.error());
    SqliteConnection &c = **conn;
    // Before any table exists: lets retention hand freed pages back.
    if (auto r = c.exec("PRAGMA auto_vacuum = INCREMENTAL"); !r)
        return fail(r.error());
    // WAL + synchronous=FULL: an acknowledged append survives kill -9 and
    // power loss; readers never block the writer.
    auto st = c.prepare("PRAGMA journal_mode = WAL");
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row || st->textAt(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return fail(Error::io(QStringLiteral("profile store %1: cannot switch to WAL mode").arg(s->m_path)));
    st = c.prepare("PRAGMA synchronous = FULL");
    if (!st)
        return fail(st.error());
    if (auto r = st->run(); !r)
        return fail(r.error());
    if (auto r = createOrCheckSchema(c, schema()); !r)
        return fail(r.error());
    s->m_writer = std::move(*conn);

    auto reader = SqliteConnection::open(s->m_path, SqliteConnection::Mode::ReadWrite);
    if (!reader)
        return fail(reader.error());
    s->m_reader = std::move(*reader);
    {
        std::lock_guard lock(s->m_writeMutex);
        if (auto r = s->refresh(*s->m_writer); !r)
            return fail(r.error());
    }
    return s;
}

Result<void> ProfileStore::refresh(SqliteConnection &conn) const
{
    std::unique_lock lock(m_dictMutex);
    Dictionary &d = *m_dict;
    {
        auto st = conn.prepare("SELECT id, name FROM functions WHERE id > ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, d.maxFunction);
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const auto id = st->int64At(0);
            const QString name = st->textAt(1);
            d.functions.insert(id, name);
            d.functionIds.insert(name, id);
            d.maxFunction = id;
        }
    }
    {
        auto st = conn.prepare("SELECT id, frames FROM stacks WHERE id > ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, d.maxStack);
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const auto id = st->int64At(0);
            const QByteArrayView blob = st->blobAt(1);
            QList<std::int64_t> frames;
            qsizetype pos = 0;
            while (pos < blob.size()) {
                std::uint64_t f = 0;
                if (!getUvarint(blob, pos, f))
                    return fail(corrupt(m_path, QStringLiteral("stack %1 has undecodable frames").arg(id)));
                frames.append(std::int64_t(f));
            }
            d.stacks.insert(id, frames);
            d.stackIds.insert(blob.toByteArray(), id);
            d.maxStack = id;
        }
    }
    {
        auto st = conn.prepare("SELECT id, labels FROM label_sets WHERE id > ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, d.maxLabelSet);
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const auto id = st->int64At(0);
            auto labels = decodeLabels(st->blobAt(1));
            if (!labels)
                return fail(corrupt(m_path, QStringLiteral("label set %1 is undecodable").arg(id)));
            d.labelSets.insert(id, *labels);
            d.labelSetIds.insert(*labels, id);
            d.maxLabelSet = id;
        }
    }
    {
        auto st = conn.prepare("SELECT id, type_id, labels FROM series WHERE id > ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, d.maxSeries);
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const auto id = st->int64At(0);
            auto labels = decodeLabels(st->blobAt(2));
            if (!labels)
                return fail(corrupt(m_path, QStringLiteral("series %1 has undecodable labels").arg(id)));
            ProfileSeriesRef ref{id, st->textAt(1), *labels};
            d.seriesIds.insert({ref.typeId, ref.labels}, id);
            d.series.insert(id, std::move(ref));
            d.maxSeries = id;
        }
    }
    return {};
}

Result<ProfileAppendStats> ProfileStore::append(const QList<model::Profile> &profiles)
{
    for (qsizetype i = 0; i < profiles.size(); ++i) {
        if (!model::ProfileType::parse(profiles[i].typeId))
            return fail(Error::invalid(QStringLiteral("profile %1: \"%2\" is not a profile type id "
                                                      "(name:sample_type:sample_unit:period_type:period_unit)")
                                           .arg(i + 1).arg(profiles[i].typeId)));
        for (const auto &s : profiles[i].stacks)
            for (auto f : s.functions)
                if (f >= std::uint32_t(profiles[i].functionNames.size()))
                    return fail(Error::invalid(QStringLiteral("profile %1: a stack refers to function %2 "
                                                              "of %3")
                                                   .arg(i + 1).arg(f).arg(profiles[i].functionNames.size())));
    }

    std::lock_guard writeLock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    // Under the write lock of the database: after this the cache knows every
    // committed row, so dictionary look-ups need no SQL.
    if (auto r = refresh(c); !r)
        return fail(r.error());

    // New rows live here until commit, so a rollback leaves the cache clean.
    Dictionary pending;
    ProfileAppendStats stats;
    const Dictionary &d = *m_dict;
    // Readers may refresh the cache meanwhile: every look-up takes the lock.
    auto cached = [&](const auto &hash, const auto &key) -> std::int64_t {
        std::shared_lock lock(m_dictMutex);
        return hash.value(key, 0);
    };

    auto insertReturningId = [&](auto &st) -> Result<std::int64_t> {
        auto row = st.step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return fail(Error::internal(QStringLiteral("INSERT ... RETURNING gave no row")));
        return st.int64At(0);
    };

    auto functionId = [&](const QString &name) -> Result<std::int64_t> {
        if (auto id = cached(d.functionIds, name))
            return id;
        if (auto it = pending.functionIds.constFind(name); it != pending.functionIds.cend())
            return *it;
        auto st = c.prepare("INSERT INTO functions(name) VALUES (?1) RETURNING id");
        if (!st)
            return fail(st.error());
        st->bind(1, name);
        auto id = insertReturningId(*st);
        if (!id)
            return fail(id.error());
        pending.functionIds.insert(name, *id);
        pending.functions.insert(*id, name);
        ++stats.newFunctions;
        return *id;
    };
    auto labelSetId = [&](const model::Labels &labels) -> Result<std::int64_t> {
        if (labels.isEmpty())
            return 0;
        if (auto id = cached(d.labelSetIds, labels))
            return id;
        if (auto it = pending.labelSetIds.constFind(labels); it != pending.labelSetIds.cend())
            return *it;
        auto st = c.prepare("INSERT INTO label_sets(labels) VALUES (?1) RETURNING id");
        if (!st)
            return fail(st.error());
        st->bindBlob(1, encodeLabels(labels));
        auto id = insertReturningId(*st);
        if (!id)
            return fail(id.error());
        pending.labelSetIds.insert(labels, *id);
        pending.labelSets.insert(*id, labels);
        return *id;
    };

    for (const auto &prof : profiles) {
        // Series.
        std::int64_t seriesId = 0;
        const QPair<QString, model::Labels> skey{prof.typeId, prof.labels};
        if (auto id = cached(d.seriesIds, skey)) {
            seriesId = id;
        } else if (auto it2 = pending.seriesIds.constFind(skey); it2 != pending.seriesIds.cend()) {
            seriesId = *it2;
        } else {
            auto st = c.prepare("INSERT INTO series(type_id, labels) VALUES (?1, ?2) RETURNING id");
            if (!st)
                return fail(st.error());
            st->bind(1, prof.typeId).bindBlob(2, encodeLabels(prof.labels));
            auto id = insertReturningId(*st);
            if (!id)
                return fail(id.error());
            seriesId = *id;
            pending.seriesIds.insert(skey, seriesId);
            pending.series.insert(seriesId, ProfileSeriesRef{seriesId, prof.typeId, prof.labels});
            ++stats.newSeries;
        }

        std::vector<std::int64_t> fnMap(size_t(prof.functionNames.size()), -1);
        QHash<QPair<std::int64_t, std::int64_t>, qsizetype> entryIndex;
        std::vector<Entry> entries;
        std::int64_t total = 0;
        QList<std::int64_t> frames;
        for (const auto &s : prof.stacks) {
            if (s.value == 0)
                continue;
            frames.clear();
            for (auto f : s.functions) {
                if (fnMap[f] < 0) {
                    auto id = functionId(prof.functionNames[f]);
                    if (!id)
                        return fail(id.error());
                    fnMap[f] = *id;
                }
                frames.append(fnMap[f]);
            }
            const QByteArray key = encodeFrames(frames);
            std::int64_t stackId = 0;
            if (auto id = cached(d.stackIds, key)) {
                stackId = id;
            } else if (auto it2 = pending.stackIds.constFind(key); it2 != pending.stackIds.cend()) {
                stackId = *it2;
            } else {
                auto st = c.prepare("INSERT INTO stacks(frames) VALUES (?1) RETURNING id");
                if (!st)
                    return fail(st.error());
                st->bindBlob(1, key);
                auto id = insertReturningId(*st);
                if (!id)
                    return fail(id.error());
                stackId = *id;
                pending.stackIds.insert(key, stackId);
                pending.stacks.insert(stackId, frames);
                ++stats.newStacks;
            }
            auto ls = labelSetId(s.labels);
            if (!ls)
                return fail(ls.error());
            auto it = entryIndex.constFind({stackId, *ls});
            if (it == entryIndex.cend()) {
                entryIndex.insert({stackId, *ls}, qsizetype(entries.size()));
                entries.push_back(Entry{stackId, *ls, s.value});
            } else {
                entries[size_t(*it)].value += s.value;
            }
            total += s.value;
        }
        const QByteArray data = encodeEntries(entries);
        auto st = c.prepare("INSERT INTO profiles(series_id, time_ns, duration_ns, period, total, entries, data) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!st)
            return fail(st.error());
        st->bind(1, seriesId)
            .bind(2, std::int64_t(prof.time))
            .bind(3, prof.durationNs)
            .bind(4, prof.period)
            .bind(5, total)
            .bind(6, std::int64_t(entries.size()))
            .bindBlob(7, data);
        if (auto r = st->run(); !r)
            return fail(r.error());
        ++stats.profiles;
        stats.entries += qint64(entries.size());
    }
    if (auto r = txn->commit(); !r)
        return fail(r.error());

    std::unique_lock lock(m_dictMutex);
    Dictionary &w = *m_dict;
    for (auto it = pending.functions.cbegin(); it != pending.functions.cend(); ++it) {
        w.functions.insert(it.key(), it.value());
        w.functionIds.insert(it.value(), it.key());
        w.maxFunction = std::max(w.maxFunction, it.key());
    }
    for (auto it = pending.stacks.cbegin(); it != pending.stacks.cend(); ++it) {
        w.stacks.insert(it.key(), it.value());
        w.maxStack = std::max(w.maxStack, it.key());
    }
    for (auto it = pending.stackIds.cbegin(); it != pending.stackIds.cend(); ++it)
        w.stackIds.insert(it.key(), it.value());
    for (auto it = pending.labelSets.cbegin(); it != pending.labelSets.cend(); ++it) {
        w.labelSets.insert(it.key(), it.value());
        w.labelSetIds.insert(it.value(), it.key());
        w.maxLabelSet = std::max(w.maxLabelSet, it.key());
    }
    for (auto it = pending.series.cbegin(); it != pending.series.cend(); ++it) {
        w.series.insert(it.key(), it.value());
        w.seriesIds.insert({it->typeId, it->labels}, it.key());
        w.maxSeries = std::max(w.maxSeries, it.key());
    }
    return stats;
}

Result<QList<ProfileSeriesRef>> ProfileStore::selectSeries(const QString &typeId,
                                                           const model::LabelMatchers &matchers) const
{
    {
        std::lock_guard lock(m_readMutex);
        if (auto r = refresh(*m_reader); !r)
            return fail(r.error());
    }
    std::shared_lock lock(m_dictMutex);
    QList<ProfileSeriesRef> out;
    for (const auto &s : m_dict->series)
        if ((typeId.isEmpty() || s.typeId == typeId) && model::matchesAll(matchers, s.labels))
            out.append(s);
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return out;
}

Result<QList<ProfileInfo>> ProfileStore::listProfilesLocked(SqliteConnection &conn,
                                                            const QList<std::int64_t> &seriesIds,
                                                            TimestampNs from, TimestampNs to) const
{
    QList<ProfileInfo> out;
    for (auto sid : seriesIds) {
        auto st = conn.prepare("SELECT id, time_ns, duration_ns, period, total FROM profiles "
                               "WHERE series_id = ?1 AND time_ns BETWEEN ?2 AND ?3");
        if (!st)
            return fail(st.error());
        st->bind(1, sid).bind(2, std::int64_t(from)).bind(3, std::int64_t(to));
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            out.append(ProfileInfo{st->int64At(0), sid, st->int64At(1), st->int64At(2), st->int64At(3),
                                   st->int64At(4)});
        }
    }
    std::sort(out.begin(), out.end(), [](const ProfileInfo &a, const ProfileInfo &b) {
        return a.time != b.time ? a.time < b.time : a.id < b.id;
    });
    return out;
}

Result<QList<ProfileInfo>> ProfileStore::listProfiles(const QList<std::int64_t> &seriesIds,
                                                      TimestampNs from, TimestampNs to) const
{
    std::lock_guard lock(m_readMutex);
    auto txn = SqliteTransaction::begin(*m_reader, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    return listProfilesLocked(*m_reader, seriesIds, from, to);
}

template <typename Visit>
Result<void> ProfileStore::scanData(SqliteConnection &conn, const QList<std::int64_t> &seriesIds,
                                    TimestampNs from, TimestampNs to, Visit &&visit) const
{
    for (auto sid : seriesIds) {
        auto st = conn.prepare("SELECT id, data FROM profiles WHERE series_id = ?1 AND time_ns BETWEEN ?2 AND ?3");
        if (!st)
            return fail(st.error());
        st->bind(1, sid).bind(2, std::int64_t(from)).bind(3, std::int64_t(to));
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            if (!decodeEntries(st->blobAt(1), visit))
                return fail(corrupt(m_path, QStringLiteral("profile %1 has undecodable data").arg(st->int64At(0))));
        }
    }
    return {};
}

Result<model::Profile>
ProfileStore::materialize(SqliteConnection &conn,
                          const QHash<std::pair<std::int64_t, std::int64_t>, std::int64_t> &sums) const
{
    // Rows committed by another process since the last refresh.
    bool complete = true;
    {
        std::shared_lock lock(m_dictMutex);
        for (auto it = sums.cbegin(); it != sums.cend() && complete; ++it)
            complete = m_dict->stacks.contains(it.key().first)
                && (it.key().second == 0 || m_dict->labelSets.contains(it.key().second));
    }
    if (!complete)
        if (auto r = refresh(conn); !r)
            return fail(r.error());

    std::shared_lock lock(m_dictMutex);
    const Dictionary &d = *m_dict;
    model::Profile out;
    QHash<std::int64_t, std::uint32_t> local;
    out.stacks.reserve(sums.size());
    for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
        if (it.value() == 0)
            continue;
        auto st = d.stacks.constFind(it.key().first);
        if (st == d.stacks.cend())
            return fail(corrupt(m_path, QStringLiteral("stack %1 is referenced but missing").arg(it.key().first)));
        model::Profile::Stack s;
        s.value = it.value();
        s.functions.reserve(st->size());
        for (auto fid : *st) {
            auto li = local.constFind(fid);
            if (li == local.cend()) {
                auto fn = d.functions.constFind(fid);
                if (fn == d.functions.cend())
                    return fail(corrupt(m_path, QStringLiteral("function %1 is referenced but missing").arg(fid)));
                li = local.insert(fid, std::uint32_t(out.functionNames.size()));
                out.functionNames.append(*fn);
            }
            s.functions.append(*li);
        }
        if (it.key().second != 0) {
            auto ls = d.labelSets.constFind(it.key().second);
            if (ls == d.labelSets.cend())
                return fail(corrupt(m_path, QStringLiteral("label set %1 is referenced but missing").arg(it.key().second)));
            s.labels = *ls;
        }
        out.stacks.append(std::move(s));
    }
    return out;
}

Result<model::Profile> ProfileStore::merge(const QList<std::int64_t> &seriesIds, TimestampNs from,
                                           TimestampNs to, const model::LabelMatchers &stackLabelMatchers) const
{
    std::lock_guard lock(m_readMutex);
    SqliteConnection &c = *m_reader;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    if (auto r = refresh(c); !r)
        return fail(r.error());

    // Most entries have no sample labels: sum those in a flat array indexed
    // by stack id, the rest in a hash.
    std::vector<std::int64_t> byStack;
    QHash<std::pair<std::int64_t, std::int64_t>, std::int64_t> sums;
    QHash<std::int64_t, bool> labelSetMatches;
    const bool filter = !stackLabelMatchers.isEmpty();
    bool unknownLabelSet = false;
    QHash<std::int64_t, model::Labels> labelSets;
    if (filter) {
        std::shared_lock dl(m_dictMutex);
        labelSets = m_dict->labelSets;
    }
    const bool emptyMatches = filter && model::matchesAll(stackLabelMatchers, model::Labels());
    {
        std::shared_lock dl(m_dictMutex);
        byStack.assign(size_t(m_dict->maxStack + 1), 0);
    }
    auto visit = [&](std::int64_t stack, std::int64_t labelSet, std::int64_t value) {
        if (filter) {
            bool ok;
            if (labelSet == 0) {
                ok = emptyMatches;
            } else {
                auto m = labelSetMatches.constFind(labelSet);
                if (m == labelSetMatches.cend()) {
                    auto ls = labelSets.constFind(labelSet);
                    if (ls == labelSets.cend()) {
                        unknownLabelSet = true;
                        return;
                    }
                    m = labelSetMatches.insert(labelSet, model::matchesAll(stackLabelMatchers, *ls));
                }
                ok = *m;
            }
            if (!ok)
                return;
        }
        if (labelSet == 0 && stack >= 0 && size_t(stack) < byStack.size())
            byStack[size_t(stack)] += value;
        else
            sums[{stack, labelSet}] += value;
    };
    if (auto r = scanData(c, seriesIds, from, to, visit); !r)
        return fail(r.error());
    if (unknownLabelSet)
        return fail(corrupt(m_path, QStringLiteral("a profile refers to a missing label set")));
    for (size_t i = 0; i < byStack.size(); ++i)
        if (byStack[i] != 0)
            sums[{std::int64_t(i), 0}] += byStack[i];

    auto out = materialize(c, sums);
    if (!out)
        return out;
    std::shared_lock dl(m_dictMutex);
    for (qsizetype i = 0; i < seriesIds.size(); ++i) {
        const auto s = m_dict->series.value(seriesIds[i]);
        if (i == 0) {
            out->typeId = s.typeId;
            out->labels = s.labels;
        } else {
            if (out->typeId != s.typeId)
                out->typeId.clear();
            if (out->labels != s.labels)
                out->labels = {};
        }
    }
    out->time = from;
    out->durationNs = to - from;
    return out;
}

Result<model::Profile> ProfileStore::profile(std::int64_t profileId) const
{
    std::lock_guard lock(m_readMutex);
    SqliteConnection &c = *m_reader;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    auto st = c.prepare("SELECT series_id, time_ns, duration_ns, period, data FROM profiles WHERE id = ?1");
    if (!st)
        return fail(st.error());
    st->bind(1, profileId);
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(Error{Error::Kind::NotFound, QStringLiteral("no profile with id %1 in %2").arg(profileId).arg(m_path), {}, 0, 0});
    QHash<std::pair<std::int64_t, std::int64_t>, std::int64_t> sums;
    if (!decodeEntries(st->blobAt(4), [&](std::int64_t s, std::int64_t l, std::int64_t v) { sums[{s, l}] += v; }))
        return fail(corrupt(m_path, QStringLiteral("profile %1 has undecodable data").arg(profileId)));
    const auto seriesId = st->int64At(0);
    const TimestampNs time = st->int64At(1);
    const auto duration = st->int64At(2), period = st->int64At(3);
    auto out = materialize(c, sums);
    if (!out)
        return out;
    {
        bool known;
        {
            std::shared_lock dl(m_dictMutex);
            known = m_dict->series.contains(seriesId);
        }
        if (!known)
            if (auto r = refresh(c); !r)
                return fail(r.error());
    }
    std::shared_lock dl(m_dictMutex);
    const auto s = m_dict->series.value(seriesId);
    out->typeId = s.typeId;
    out->labels = s.labels;
    out->time = time;
    out->durationNs = duration;
    out->period = period;
    return out;
}

Result<QList<ProfileSeriesRef>> ProfileStore::seriesWithData(SqliteConnection &conn,
                                                             const model::LabelMatchers &matchers,
                                                             TimestampNs from, TimestampNs to) const
{
    if (auto r = refresh(conn); !r)
        return fail(r.error());
    QList<ProfileSeriesRef> candidates;
    {
        std::shared_lock lock(m_dictMutex);
        for (const auto &s : m_dict->series)
            if (model::matchesAll(matchers, s.labels))
                candidates.append(s);
    }
    QList<ProfileSeriesRef> out;
    for (const auto &s : candidates) {
        auto st = conn.prepare("SELECT EXISTS(SELECT 1 FROM profiles WHERE series_id = ?1 AND time_ns BETWEEN ?2 AND ?3)");
        if (!st)
            return fail(st.error());
        st->bind(1, s.id).bind(2, std::int64_t(from)).bind(3, std::int64_t(to));
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (*row && st->int64At(0))
            out.append(s);
    }
    return out;
}

Result<QStringList> ProfileStore::profileTypes(TimestampNs from, TimestampNs to) const
{
    std::lock_guard lock(m_readMutex);
    auto txn = SqliteTransaction::begin(*m_reader, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    auto series = seriesWithData(*m_reader, {}, from, to);
    if (!series)
        return fail(series.error());
    QStringList out;
    for (const auto &s : *series)
        out.append(s.typeId);
    out.sort();
    out.removeDuplicates();
    return out;
}

Result<QStringList> ProfileStore::labelNames(const model::LabelMatchers &matchers, TimestampNs from,
                                             TimestampNs to) const
{
    std::lock_guard lock(m_readMutex);
    auto txn = SqliteTransaction::begin(*m_reader, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    auto series = seriesWithData(*m_reader, matchers, from, to);
    if (!series)
        return fail(series.error());
    QStringList out;
    for (const auto &s : *series)
        for (const auto &l : s.labels)
            out.append(l.name);
    out.sort();
    out.removeDuplicates();
    return out;
}

Result<QStringList> ProfileStore::labelValues(const QString &name, const model::LabelMatchers &matchers,
                                              TimestampNs from, TimestampNs to) const
{
    std::lock_guard lock(m_readMutex);
    auto txn = SqliteTransaction::begin(*m_reader, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    auto series = seriesWithData(*m_reader, matchers, from, to);
    if (!series)
        return fail(series.error());
    QStringList out;
    for (const auto &s : *series) {
        const QString v = s.labels.value(name);
        if (!v.isEmpty())
            out.append(v);
    }
    out.sort();
    out.removeDuplicates();
    return out;
}

Result<qint64> ProfileStore::applyRetention(const ProfileRetention &retention, TimestampNs nowNs)
{
    std::lock_guard writeLock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    qint64 removed = 0;
    {
        auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
        if (!txn)
            return fail(txn.error());
        if (retention.maxAgeNs > 0) {
            auto st = c.prepare("DELETE FROM profiles WHERE time_ns < ?1");
            if (!st)
                return fail(st.error());
            st->bind(1, std::int64_t(nowNs - retention.maxAgeNs));
            if (auto r = st->run(); !r)
                return fail(r.error());
            auto n = c.queryInt("SELECT changes()");
            if (!n)
                return fail(n.error());
            removed += *n;
        }
        if (retention.maxBytes > 0) {
            auto st = c.prepare("SELECT id, time_ns, length(data) FROM profiles ORDER BY time_ns DESC, id DESC");
            if (!st)
                return fail(st.error());
            qint64 kept = 0;
            std::optional<std::pair<std::int64_t, std::int64_t>> cut; // (time, id) of the newest to drop
            while (true) {
                auto row = st->step();
                if (!row)
                    return fail(row.error());
                if (!*row)
                    break;
                kept += st->int64At(2);
                if (kept > retention.maxBytes) {
                    cut = std::pair{st->int64At(1), st->int64At(0)};
                    break;
                }
            }
            st = c.prepare("SELECT 1"); // releases the scan before deleting
            if (cut) {
                auto del = c.prepare("DELETE FROM profiles WHERE time_ns < ?1 OR (time_ns = ?1 AND id <= ?2)");
                if (!del)
                    return fail(del.error());
                del->bind(1, cut->first).bind(2, cut->second);
                if (auto r = del->run(); !r)
                    return fail(r.error());
                auto n = c.queryInt("SELECT changes()");
                if (!n)
                    return fail(n.error());
                removed += *n;
            }
        }
        if (auto r = txn->commit(); !r)
            return fail(r.error());
    }
    if (removed > 0) {
        auto st = c.prepare("PRAGMA incremental_vacuum");
        if (!st)
            return fail(st.error());
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
        }
    }
    return removed;
}

Result<ProfileStoreStats> ProfileStore::stats() const
{
    std::lock_guard lock(m_readMutex);
    SqliteConnection &c = *m_reader;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    ProfileStoreStats s;
    const std::string_view queries[] = {
        "SELECT count(*) FROM series",
        "SELECT count(*) FROM profiles",
        "SELECT count(*) FROM stacks",
        "SELECT count(*) FROM functions",
        "SELECT CAST(total(length(data)) AS INTEGER) FROM profiles",
        "SELECT min(time_ns) FROM profiles",
        "SELECT max(time_ns) FROM profiles",
    };
    std::int64_t v[7] = {};
    for (int i = 0; i < 7; ++i) {
        auto r = c.queryInt(queries[i]);
        if (!r)
            return fail(r.error());
        v[i] = *r;
    }
    s.series = v[0];
    s.profiles = v[1];
    s.stacks = v[2];
    s.functions = v[3];
    s.dataBytes = v[4];
    s.minTime = v[5];
    s.maxTime = v[6];
    return s;
}

} // namespace spyglass::store
