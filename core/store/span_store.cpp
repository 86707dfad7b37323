#include "core/store/span_store.h"

#include "core/store/span_store_codec.h"
#include "core/store/sqlite_connection.h"
#include "core/store/store_schema.h"
#include "core/store/store_log.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <algorithm>
#include <sqlite3.h>
#include <unordered_set>

namespace spyglass::store {

namespace {

constexpr std::int64_t kApplicationId = 0x53505954; // "SPYT"
const QString kMagic = QStringLiteral("spyglass-traces");

// Values longer than this are kept with the span but not indexed: ids,
// SQL statements and stack traces would bloat the index and are never
// searched for by equality.
constexpr qsizetype kMaxIndexedLength = 256;

// Table layout: see FORMAT.md, "traces.db" (keep the two in step).
constexpr const char *kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE traces(
    trace_id BLOB PRIMARY KEY,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    root_service TEXT,
    root_name TEXT,
    span_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    bytes INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX traces_by_start ON traces(start_ns);
CREATE TABLE spans(
    trace_id BLOB NOT NULL,
    span_id BLOB NOT NULL,
    parent_span_id BLOB NOT NULL,
    start_ns INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    status INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(trace_id, span_id)) WITHOUT ROWID;
CREATE INDEX spans_by_name ON spans(name);
CREATE INDEX spans_by_duration ON spans(duration_ns);
CREATE INDEX spans_by_status ON spans(status);
CREATE TABLE attr_values(
    scope INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    type INTEGER NOT NULL,
    PRIMARY KEY(scope, key, value)) WITHOUT ROWID;
CREATE TABLE span_attrs(
    scope INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    trace_id BLOB NOT NULL,
    PRIMARY KEY(scope, key, value, trace_id)) WITHOUT ROWID;
)sql";

StoreSchema schema()
{
    return StoreSchema{QStringLiteral("trace store"), kApplicationId, kMagic, SpanStore::kFormatVersion, kSchema, false};
}

// attr_values.type
enum class ValueType { String = 0, Int = 1, Float = 2, Bool = 3 };

QString typeName(std::int64_t t)
{
    switch (ValueType(t)) {
    case ValueType::String: return QStringLiteral("string");
    case ValueType::Int: return QStringLiteral("int");
    case ValueType::Float: return QStringLiteral("float");
    case ValueType::Bool: return QStringLiteral("bool");
    }
    return QStringLiteral("string");
}

// The text form an attribute is indexed under (also what TraceQL compares
// literals against when it pushes a condition down), or nothing for values
// that are not indexed (arrays, bytes, long strings).
bool indexForm(const QVariant &v, QString &text, ValueType &type)
{
    switch (v.typeId()) {
    case QMetaType::QString:
        text = v.toString();
        type = ValueType::String;
        return text.size() <= kMaxIndexedLength;
    case QMetaType::Bool:
        text = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        type = ValueType::Bool;
        return true;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
        text = QString::number(v.toLongLong());
        type = ValueType::Int;
        return true;
    case QMetaType::Double:
    case QMetaType::Float:
        text = QString::number(v.toDouble(), 'g', 17);
        type = ValueType::Float;
        return true;
    default:
        return false;
    }
}


Result<void> setPragmas(SqliteConnection &c)
{
    auto st = c.prepare("PRAGMA journal_mode = WAL");
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row || st->textAt(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return fail(Error::io(QStringLiteral("trace store %1: cannot switch to WAL mode").arg(c.path())));
    auto st2 = c.prepare("PRAGMA synchronous = FULL");
    if (!st2)
        return fail(st2.error());
    return st2->run();
}

void readSummary(const SqliteStatement &st, TraceSummary &t, int first)
{
    t.start = st.int64At(first);
    t.end = st.int64At(first + 1);
    t.rootServiceName = st.textAt(first + 2);
    t.rootSpanName = st.textAt(first + 3);
    t.spanCount = st.int64At(first + 4);
    t.errorCount = st.int64At(first + 5);
    t.bytes = st.int64At(first + 6);
}

constexpr std::string_view kSummaryById =
    "SELECT start_ns, end_ns, root_service, root_name, span_count, error_count, bytes "
    "FROM traces WHERE trace_id = ?1";

} // namespace

SpanPredicate SpanPredicate::attribute(AttributeScope scope, QString key, QString value)
{
    SpanPredicate p;
    p.kind = Kind::Attribute;
    p.scope = scope;
    p.key = std::move(key);
    p.value = std::move(value);
    return p;
}

SpanPredicate SpanPredicate::name(QString name)
{
    SpanPredicate p;
    p.kind = Kind::Name;
    p.value = std::move(name);
    return p;
}

SpanPredicate SpanPredicate::withStatus(model::Span::Status s)
{
    SpanPredicate p;
    p.kind = Kind::Status;
    p.status = s;
    return p;
}

SpanPredicate SpanPredicate::duration(std::int64_t minNs, std::int64_t maxNs)
{
    SpanPredicate p;
    p.kind = Kind::Duration;
    p.minDurationNs = minNs;
    p.maxDurationNs = maxNs;
    return p;
}

class SpanStore::ReaderLease
{
public:
    ReaderLease(const SpanStore *s, std::unique_ptr<SqliteConnection> c) : m_store(s), m_conn(std::move(c)) {}
    ReaderLease(ReaderLease &&) = default;
    ~ReaderLease()
    {
        if (m_conn) {
            std::lock_guard lock(m_store->m_poolMutex);
            m_store->m_readerPool.push_back(std::move(m_conn));
        }
    }
    SqliteConnection &operator*() const { return *m_conn; }

private:
    const SpanStore *m_store;
    std::unique_ptr<SqliteConnection> m_conn;
};

SpanStore::SpanStore(QString path, std::unique_ptr<SqliteConnection> writer)
    : m_path(std::move(path)), m_writer(std::move(writer))
{
}

SpanStore::~SpanStore() = default;

Result<std::unique_ptr<SpanStore>> SpanStore::open(const QString &path)
{
    auto conn = SqliteConnection::open(path, SqliteConnection::Mode::ReadWriteCreate);
    if (!conn)
        return fail(conn.error());
    if (auto r = setPragmas(**conn); !r)
        return fail(r.error());
    if (auto r = createOrCheckSchema(**conn, schema()); !r)
        return fail(r.error());
    return std::unique_ptr<SpanStore>(new SpanStore(QFileInfo(path).absoluteFilePath(), std::move(*conn)));
}

Result<SpanStore::ReaderLease> SpanStore::acquireReader() const
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
    if (!c)
        return fail(c.error());
    return ReaderLease(this, std::move(*c));
}

Result<SpanAppendStats> SpanStore::append(const QList<model::Span> &spans)
{
    SpanAppendStats stats;
    for (qsizetype i = 0; i < spans.size(); ++i) {
        const auto &s = spans[i];
        if (s.traceId.size() != 16 || s.spanId.size() != 8
            || (!s.parentSpanId.isEmpty() && s.parentSpanId.size() != 8))
            return fail(Error::invalid(
                QStringLiteral("span %1 (\"%2\") of the batch has a malformed id: trace id of %3 "
                               "bytes (16 expected), span id of %4 bytes (8 expected), parent id "
                               "of %5 bytes (0 or 8 expected)")
                    .arg(i)
                    .arg(s.name)
                    .arg(s.traceId.size())
                    .arg(s.spanId.size())
                    .arg(s.parentSpanId.size())));
    }
    if (spans.isEmpty())
        return stats;

    struct TraceDelta
    {
        model::TimestampNs start = std::numeric_limits<std::int64_t>::max();
        model::TimestampNs end = std::numeric_limits<std::int64_t>::min();
        QString rootService, rootName;
        bool hasRoot = false;
        std::int64_t spans = 0, errors = 0, bytes = 0;
    };
    QHash<QByteArray, TraceDelta> traces;
    struct IndexEntry
    {
        int scope;
        QString key, value;
        QByteArray traceId;
        ValueType type;
        bool operator==(const IndexEntry &b) const
        {
            return scope == b.scope && key == b.key && value == b.value && traceId == b.traceId;
        }
    };
    struct IndexEntryHash
    {
        size_t operator()(const IndexEntry &e) const
        {
            return qHashMulti(0, e.scope, e.key, e.value, e.traceId);
        }
    };
    std::unordered_set<IndexEntry, IndexEntryHash> entries;

    std::lock_guard lock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    for (const auto &s : spans) {
        const QByteArray data = SpanStoreCodec::encode(s);
        auto st = c.prepare("INSERT OR IGNORE INTO spans(trace_id, span_id, parent_span_id, "
                            "start_ns, duration_ns, service, name, kind, status, data) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        if (!st)
            return fail(st.error());
        st->bindBlob(1, s.traceId)
            .bindBlob(2, s.spanId)
            .bindBlob(3, s.parentSpanId.isNull() ? QByteArray("") : s.parentSpanId)
            .bind(4, std::int64_t(s.start))
            .bind(5, std::int64_t(s.end - s.start))
            .bind(6, s.serviceName)
            .bind(7, s.name)
            .bind(8, std::int64_t(s.kind))
            .bind(9, std::int64_t(s.status))
            .bindBlob(10, data);
        if (auto r = st->run(); !r)
            return fail(r.error());
        if (sqlite3_changes(c.handle()) == 0) {
            ++stats.duplicates;
            continue;
        }
        ++stats.spans;
        TraceDelta &t = traces[s.traceId];
        t.start = std::min(t.start, s.start);
        t.end = std::max(t.end, s.end);
        ++t.spans;
        if (s.status == model::Span::Status::Error)
            ++t.errors;
        // The row's fixed columns plus the encoded blob: close to what the
        // span costs on disk, and cheap to sum for retention by size.
        t.bytes += data.size() + 48 + s.name.size() + s.serviceName.size();
        if (s.parentSpanId.isEmpty()) {
            t.hasRoot = true;
            t.rootService = s.serviceName;
            t.rootName = s.name;
        }
        entries.insert({int(AttributeScope::Resource), QStringLiteral("service.name"), s.serviceName,
                        s.traceId, ValueType::String});
        for (int scope = 0; scope < 2; ++scope) {
            const auto &attrs = scope == 0 ? s.attributes : s.resourceAttributes;
            for (const auto &a : attrs) {
                QString text;
                ValueType type;
                if (a.key.size() > kMaxIndexedLength || !indexForm(a.value, text, type))
                    continue;
                entries.insert({scope, a.key, text, s.traceId, type});
            }
        }
    }
    for (const auto &e : entries) {
        auto st = c.prepare("INSERT OR IGNORE INTO span_attrs(scope, key, value, trace_id) "
                            "VALUES (?1, ?2, ?3, ?4)");
        if (!st)
            return fail(st.error());
        st->bind(1, std::int64_t(e.scope)).bind(2, e.key).bind(3, e.value).bindBlob(4, e.traceId);
        if (auto r = st->run(); !r)
            return fail(r.error());
        auto st2 = c.prepare("INSERT OR IGNORE INTO attr_values(scope, key, value, type) "
                             "VALUES (?1, ?2, ?3, ?4)");
        if (!st2)
            return fail(st2.error());
        st2->bind(1, std::int64_t(e.scope)).bind(2, e.key).bind(3, e.value).bind(4, std::int64_t(e.type));
        if (auto r = st2->run(); !r)
            return fail(r.error());
    }
    for (auto it = traces.cbegin(); it != traces.cend(); ++it) {
        const TraceDelta &t = it.value();
        auto exists = c.prepare("SELECT 1 FROM traces WHERE trace_id = ?1");
        if (!exists)
            return fail(exists.error());
        exists->bindBlob(1, it.key());
        auto row = exists->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            ++stats.newTraces;
        ++stats.traces;
        auto st = c.prepare(
            "INSERT INTO traces(trace_id, start_ns, end_ns, root_service, root_name, span_count, "
            "error_count, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
            "ON CONFLICT(trace_id) DO UPDATE SET start_ns = min(start_ns, excluded.start_ns), "
            "end_ns = max(end_ns, excluded.end_ns), "
            "root_service = coalesce(excluded.root_service, root_service), "
            "root_name = coalesce(excluded.root_name, root_name), "
            "span_count = span_count + excluded.span_count, "
            "error_count = error_count + excluded.error_count, bytes = bytes + excluded.bytes");
        if (!st)
            return fail(st.error());
        st->bindBlob(1, it.key()).bind(2, std::int64_t(t.start)).bind(3, std::int64_t(t.end));
        if (t.hasRoot) // unbound parameters are NULL: keep what is stored
            st->bind(4, t.rootService).bind(5, t.rootName);
        st->bind(6, t.spans).bind(7, t.errors).bind(8, t.bytes);
        if (auto r = st->run(); !r)
            return fail(r.error());
    }
    if (auto r = txn->commit(); !r)
        return fail(r.error());
    return stats;
}

Result<QList<model::Span>> SpanStore::trace(QByteArrayView traceId) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    SqliteConnection &c = **lease;
    auto st = c.prepare("SELECT span_id, parent_span_id, start_ns, duration_ns, service, name, "
                        "kind, status, data FROM spans WHERE trace_id = ?1");
    if (!st)
        return fail(st.error());
    st->bindBlob(1, traceId);
    QList<model::Span> out;
    const QByteArray tid = traceId.toByteArray();
    while (true) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        model::Span s;
        s.traceId = tid;
        s.spanId = st->blobAt(0).toByteArray();
        s.parentSpanId = st->blobAt(1).toByteArray();
        s.start = st->int64At(2);
        s.end = s.start + st->int64At(3);
        s.serviceName = st->textAt(4);
        s.name = st->textAt(5);
        const auto kind = st->int64At(6);
        s.kind = kind >= 0 && kind <= 5 ? model::Span::Kind(kind) : model::Span::Kind::Unspecified;
        const auto status = st->int64At(7);
        s.status = status >= 0 && status <= 2 ? model::Span::Status(status) : model::Span::Status::Unset;
        if (auto r = SpanStoreCodec::decode(st->blobAt(8), s); !r)
            return fail(Error::badData(QStringLiteral("%1: trace %2, span %3: %4")
                                           .arg(m_path, QString::fromLatin1(tid.toHex()),
                                                QString::fromLatin1(s.spanId.toHex()), r.error().message)));
        out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.start < b.start; });
    return out;
}

Result<TraceSummary> SpanStore::traceSummary(QByteArrayView traceId) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    auto st = (**lease).prepare(kSummaryById);
    if (!st)
        return fail(st.error());
    st->bindBlob(1, traceId);
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(Error{Error::Kind::NotFound,
                          QStringLiteral("trace %1 not found").arg(QString::fromLatin1(traceId.toByteArray().toHex())),
                          {}, 0, 0});
    TraceSummary t;
    t.traceId = traceId.toByteArray();
    readSummary(*st, t, 0);
    return t;
}

Result<QList<QByteArray>> SpanStore::tracesMatching(SqliteConnection &c, const SpanPredicate &p,
                                                    const TraceQuery &q) const
{
    Result<SqliteStatement> st = fail(Error::internal(QStringLiteral("unreachable")));
    switch (p.kind) {
    case SpanPredicate::Kind::Attribute:
        st = c.prepare("SELECT a.trace_id FROM span_attrs a JOIN traces t ON t.trace_id = a.trace_id "
                       "WHERE a.scope = ?3 AND a.key = ?4 AND a.value = ?5 "
                       "AND t.start_ns <= ?2 AND t.end_ns >= ?1");
        if (st)
            st->bind(3, std::int64_t(p.scope)).bind(4, p.key).bind(5, p.value);
        break;
    case SpanPredicate::Kind::Name:
        st = c.prepare("SELECT DISTINCT s.trace_id FROM spans s JOIN traces t ON t.trace_id = s.trace_id "
                       "WHERE s.name = ?3 AND t.start_ns <= ?2 AND t.end_ns >= ?1");
        if (st)
            st->bind(3, p.value);
        break;
    case SpanPredicate::Kind::Status:
        st = c.prepare("SELECT DISTINCT s.trace_id FROM spans s JOIN traces t ON t.trace_id = s.trace_id "
                       "WHERE s.status = ?3 AND t.start_ns <= ?2 AND t.end_ns >= ?1");
        if (st)
            st->bind(3, std::int64_t(p.status));
        break;
    case SpanPredicate::Kind::Duration:
        st = c.prepare("SELECT DISTINCT s.trace_id FROM spans s JOIN traces t ON t.trace_id = s.trace_id "
                       "WHERE s.duration_ns >= ?3 AND s.duration_ns <= ?4 "
                       "AND t.start_ns <= ?2 AND t.end_ns >= ?1");
        if (st)
            st->bind(3, p.minDurationNs).bind(4, p.maxDurationNs);
        break;
    }
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(q.start)).bind(2, std::int64_t(q.end));
    QList<QByteArray> out;
    while (true) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.push_back(st->blobAt(0).toByteArray());
    }
    return out;
}

Result<QList<TraceSummary>> SpanStore::findTraces(const TraceQuery &q) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    SqliteConnection &c = **lease;
    // One read transaction: all look-ups see the same snapshot.
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Deferred);
    if (!txn)
        return fail(txn.error());
    QList<TraceSummary> out;
    if (q.predicates.isEmpty()) {
        auto st = c.prepare("SELECT trace_id, start_ns, end_ns, root_service, root_name, span_count, "
                            "error_count, bytes FROM traces WHERE start_ns <= ?2 AND end_ns >= ?1 "
                            "AND end_ns - start_ns >= ?3 AND end_ns - start_ns <= ?4 "
                            "ORDER BY start_ns DESC LIMIT ?5");
        if (!st)
            return fail(st.error());
        st->bind(1, std::int64_t(q.start))
            .bind(2, std::int64_t(q.end))
            .bind(3, q.minTraceDurationNs)
            .bind(4, q.maxTraceDurationNs)
            .bind(5, std::int64_t(q.limit > 0 ? q.limit : -1));
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            TraceSummary t;
            t.traceId = st->blobAt(0).toByteArray();
            readSummary(*st, t, 1);
            out.push_back(std::move(t));
        }
        return out;
    }
    QSet<QByteArray> ids;
    bool first = true;
    for (const auto &p : q.predicates) {
        auto matching = tracesMatching(c, p, q);
        if (!matching)
            return fail(matching.error());
        if (first) {
            ids = QSet<QByteArray>(matching->cbegin(), matching->cend());
            first = false;
        } else {
            QSet<QByteArray> next;
            for (const auto &id : *matching)
                if (ids.contains(id))
                    next.insert(id);
            ids = std::move(next);
        }
        if (ids.isEmpty())
            return out;
    }
    for (const auto &id : ids) {
        auto st = c.prepare(kSummaryById);
        if (!st)
            return fail(st.error());
        st->bindBlob(1, id);
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            continue;
        TraceSummary t;
        t.traceId = id;
        readSummary(*st, t, 0);
        if (t.durationNs() < q.minTraceDurationNs || t.durationNs() > q.maxTraceDurationNs)
            continue;
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.start != b.start ? a.start > b.start : a.traceId < b.traceId;
    });
    if (q.limit > 0 && out.size() > q.limit)
        out.resize(q.limit);
    return out;
}

Result<QStringList> SpanStore::attributeKeys(AttributeScope scope) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    auto st = (**lease).prepare("SELECT DISTINCT key FROM attr_values WHERE scope = ?1 ORDER BY key");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(scope));
    QStringList out;
    while (true) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.push_back(st->textAt(0));
    }
    return out;
}

Result<QList<AttributeValue>> SpanStore::attributeValues(AttributeScope scope, const QString &key,
                                                         int limit) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    auto st = (**lease).prepare(
        "SELECT value, type FROM attr_values WHERE scope = ?1 AND key = ?2 ORDER BY value LIMIT ?3");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(scope)).bind(2, key).bind(3, std::int64_t(limit > 0 ? limit : -1));
    QList<AttributeValue> out;
    while (true) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.push_back({st->textAt(0), typeName(st->int64At(1))});
    }
    return out;
}

Result<QStringList> SpanStore::spanNames(int limit) const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    auto st = (**lease).prepare("SELECT DISTINCT name FROM spans ORDER BY name LIMIT ?1");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(limit > 0 ? limit : -1));
    QStringList out;
    while (true) {
        auto row = st->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.push_back(st->textAt(0));
    }
    return out;
}

Result<std::int64_t> SpanStore::deleteTraces(const QList<QByteArray> &ids)
{
    SqliteConnection &c = *m_writer;
    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    std::int64_t spans = 0;
    for (const auto &id : ids) {
        auto st = c.prepare("DELETE FROM spans WHERE trace_id = ?1");
        if (!st)
            return fail(st.error());
        st->bindBlob(1, id);
        if (auto r = st->run(); !r)
            return fail(r.error());
        spans += sqlite3_changes(c.handle());
        auto st2 = c.prepare("DELETE FROM traces WHERE trace_id = ?1");
        if (!st2)
            return fail(st2.error());
        st2->bindBlob(1, id);
        if (auto r = st2->run(); !r)
            return fail(r.error());
    }
    if (auto r = txn->commit(); !r)
        return fail(r.error());
    return spans;
}

Result<SpanRetentionStats> SpanStore::applyRetention(const SpanRetention &policy, model::TimestampNs nowNs)
{
    std::lock_guard lock(m_writeMutex);
    SqliteConnection &c = *m_writer;
    SpanRetentionStats stats;
    auto collect = [&c](std::string_view sql, std::int64_t arg) -> Result<QList<QByteArray>> {
        auto st = c.prepare(sql);
        if (!st)
            return fail(st.error());
        st->bind(1, arg);
        QList<QByteArray> ids;
        while (true) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            ids.push_back(st->blobAt(0).toByteArray());
        }
        return ids;
    };
    // Deletes in batches so a large clean-up never holds the write lock
    // (of other processes too) for long.
    if (policy.maxAgeNs > 0) {
        while (true) {
            auto ids = collect("SELECT trace_id FROM traces WHERE end_ns < ?1 LIMIT 1000",
                               nowNs - policy.maxAgeNs);
            if (!ids)
                return fail(ids.error());
            if (ids->isEmpty())
                break;
            auto n = deleteTraces(*ids);
            if (!n)
                return fail(n.error());
            stats.traces += ids->size();
            stats.spans += *n;
        }
    }
    if (policy.maxBytes > 0) {
        while (true) {
            auto total = c.queryInt("SELECT sum(bytes) FROM traces");
            if (!total)
                return fail(total.error());
            if (*total <= policy.maxBytes)
                break;
            // Oldest first, enough of them to cover the excess.
            auto st = c.prepare("SELECT trace_id, bytes FROM traces ORDER BY start_ns LIMIT 1000");
            if (!st)
                return fail(st.error());
            QList<QByteArray> ids;
            std::int64_t freed = 0;
            while (freed < *total - policy.maxBytes) {
                auto row = st->step();
                if (!row)
                    return fail(row.error());
                if (!*row)
                    break;
                ids.push_back(st->blobAt(0).toByteArray());
                freed += st->int64At(1);
            }
            st = fail(Error::internal({})); // release the read before writing
            if (ids.isEmpty())
                break;
            auto n = deleteTraces(ids);
            if (!n)
                return fail(n.error());
            stats.traces += ids.size();
            stats.spans += *n;
        }
    }
    if (stats.traces > 0) {
        // The attribute index is keyed by attribute, not trace: one sweep
        // drops the rows of all deleted traces.
        auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
        if (!txn)
            return fail(txn.error());
        if (auto r = c.exec("DELETE FROM span_attrs WHERE trace_id NOT IN (SELECT trace_id FROM traces);"
                            "DELETE FROM attr_values WHERE NOT EXISTS (SELECT 1 FROM span_attrs a "
                            "WHERE a.scope = attr_values.scope AND a.key = attr_values.key "
                            "AND a.value = attr_values.value);");
            !r)
            return fail(r.error());
        if (auto r = txn->commit(); !r)
            return fail(r.error());
        qCInfo(lcStore) << "trace retention removed" << stats.traces << "traces," << stats.spans << "spans";
    }
    return stats;
}

Result<SpanStoreStats> SpanStore::stats() const
{
    auto lease = acquireReader();
    if (!lease)
        return fail(lease.error());
    SqliteConnection &c = **lease;
    SpanStoreStats s;
    auto traces = c.queryInt("SELECT count(*) FROM traces");
    if (!traces)
        return fail(traces.error());
    s.traces = *traces;
    auto spans = c.queryInt("SELECT sum(span_count) FROM traces");
    if (!spans)
        return fail(spans.error());
    s.spans = *spans;
    auto pages = c.queryInt("PRAGMA page_count");
    auto freePages = c.queryInt("PRAGMA freelist_count");
    auto pageSize = c.queryInt("PRAGMA page_size");
    if (!pages || !freePages || !pageSize)
        return fail(Error::io(QStringLiteral("%1: cannot read page counts").arg(m_path)));
    s.usedBytes = (*pages - *freePages) * *pageSize;
    s.fileBytes = QFileInfo(m_path).size() + QFileInfo(m_path + QStringLiteral("-wal")).size();
    return s;
}

} // namespace spyglass::store
