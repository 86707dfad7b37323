#include "core/store/exemplar_store.h"

#include "core/store/sqlite_connection.h"
#include "core/store/store_schema.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <map>

namespace spyglass::store {

namespace {

// "SPYE": tells exemplars.db apart from the other stores.
constexpr std::int64_t kApplicationId = 0x53505945;

constexpr const char *kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE exemplar_series(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    labels TEXT NOT NULL UNIQUE);
CREATE TABLE exemplars(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    value REAL NOT NULL,
    labels TEXT NOT NULL);
CREATE INDEX exemplars_by_series ON exemplars(series_id, t);
)sql";

// Labels as a JSON array of [name, value] pairs: unambiguous, readable in sqlite3.
QString encodeLabels(const model::Labels &labels)
{
    QJsonArray a;
    for (const auto &l : labels)
        a.append(QJsonArray{l.name, l.value});
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

model::Labels decodeLabels(const QString &text)
{
    QList<model::Label> out;
    for (const auto &v : QJsonDocument::fromJson(text.toUtf8()).array()) {
        const QJsonArray p = v.toArray();
        out.append({p.at(0).toString(), p.at(1).toString()});
    }
    return model::Labels(out);
}

} // namespace

ExemplarStore::~ExemplarStore() = default;

Result<std::unique_ptr<ExemplarStore>> ExemplarStore::open(const QString &path, std::int64_t maxExemplars)
{
    std::unique_ptr<ExemplarStore> s(new ExemplarStore);
    s->m_path = QFileInfo(path).absoluteFilePath();
    s->m_max = std::max<std::int64_t>(1, maxExemplars);
    auto conn = SqliteConnection::open(s->m_path, SqliteConnection::Mode::ReadWriteCreate);
    if (!conn)
        return fail(conn.error());
    SqliteConnection &c = **conn;
    if (auto r = c.exec("PRAGMA journal_mode = WAL"); !r)
        return fail(r.error());
    if (auto r = c.exec("PRAGMA synchronous = FULL"); !r)
        return fail(r.error());
    const StoreSchema schema{QStringLiteral("exemplar store"), kApplicationId, QStringLiteral("spyglass-exemplars"),
                             kFormatVersion, kSchema, false};
    if (auto r = createOrCheckSchema(c, schema); !r)
        return fail(r.error());
    s->m_conn = std::move(*conn);
    return s;
}

Result<std::int64_t> ExemplarStore::append(const QList<SeriesExemplar> &exemplars)
{
    if (exemplars.isEmpty())
        return 0;
    std::lock_guard lock(m_mutex);
    SqliteConnection &c = *m_conn;
    auto tx = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!tx)
        return fail(tx.error());
    QHash<model::Labels, std::int64_t> ids;
    std::int64_t n = 0;
    for (const auto &e : exemplars) {
        auto it = ids.constFind(e.series);
        std::int64_t id = 0;
        if (it != ids.cend()) {
            id = *it;
        } else {
            const QString text = encodeLabels(e.series);
            {
                auto ins = c.prepare("INSERT OR IGNORE INTO exemplar_series(labels) VALUES (?)");
                if (!ins)
                    return fail(ins.error());
                if (auto r = ins->bind(1, text).run(); !r)
                    return fail(r.error());
            }
            auto sel = c.prepare("SELECT id FROM exemplar_series WHERE labels = ?");
            if (!sel)
                return fail(sel.error());
            sel->bind(1, text);
            auto row = sel->step();
            if (!row)
                return fail(row.error());
            id = sel->int64At(0);
            ids.insert(e.series, id);
        }
        auto ins = c.prepare("INSERT INTO exemplars(series_id, t, value, labels) VALUES (?, ?, ?, ?)");
        if (!ins)
            return fail(ins.error());
        // Bound as round-trip text: SQLite converts it to REAL (column affinity) exactly.
        ins->bind(1, id).bind(2, std::int64_t(e.exemplar.t)).bind(3, QString::number(e.exemplar.value, 'g', 17))
            .bind(4, encodeLabels(e.exemplar.labels));
        if (auto r = ins->run(); !r)
            return fail(r.error());
        ++n;
    }
    m_appendsSinceTrim += n;
    if (m_appendsSinceTrim > m_max / 10) {
        m_appendsSinceTrim = 0;
        auto del = c.prepare("DELETE FROM exemplars WHERE id <= (SELECT max(id) FROM exemplars) - ?");
        if (!del)
            return fail(del.error());
        if (auto r = del->bind(1, m_max).run(); !r)
            return fail(r.error());
    }
    if (auto r = tx->commit(); !r)
        return fail(r.error());
    return n;
}

Result<QList<ExemplarSeries>> ExemplarStore::select(const QList<model::LabelMatchers> &selectors,
                                                    model::TimestampMs mint, model::TimestampMs maxt) const
{
    std::lock_guard lock(m_mutex);
    SqliteConnection &c = *m_conn;
    // The series table is small (one row per bucket series with exemplars):
    // matching in memory is simpler than translating matchers to SQL.
    std::map<model::Labels, std::int64_t> matched;
    {
        auto st = c.prepare("SELECT id, labels FROM exemplar_series");
        if (!st)
            return fail(st.error());
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const model::Labels labels = decodeLabels(st->textAt(1));
            for (const auto &ms : selectors)
                if (model::matchesAll(ms, labels)) {
                    matched.emplace(labels, st->int64At(0));
                    break;
                }
        }
    }
    QList<ExemplarSeries> out;
    for (const auto &[labels, id] : matched) {
        ExemplarSeries es{labels, {}};
        auto st = c.prepare("SELECT t, value, labels FROM exemplars WHERE series_id = ? AND t >= ? AND t <= ? "
                            "ORDER BY t, id");
        if (!st)
            return fail(st.error());
        st->bind(1, id).bind(2, std::int64_t(mint)).bind(3, std::int64_t(maxt));
        for (;;) {
            auto row = st->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            model::Exemplar e;
            e.t = st->int64At(0);
            e.hasTimestamp = true;
            e.value = st->textAt(1).toDouble();
            e.labels = decodeLabels(st->textAt(2));
            es.exemplars.append(e);
        }
        if (!es.exemplars.isEmpty())
            out.append(std::move(es));
    }
    return out;
}

Result<std::int64_t> ExemplarStore::count() const
{
    std::lock_guard lock(m_mutex);
    return m_conn->queryInt("SELECT count(*) FROM exemplars");
}

} // namespace spyglass::store
