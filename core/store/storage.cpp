#include "core/store/storage.h"

#include "core/store/sqlite_connection.h"
#include "core/store/store_schema.h"
#include "core/store/sqlite_metric_store.h"
#include "core/store/store_log.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace spyglass::store {

namespace {

// "SPYG" in the SQLite header, so `file` and tools can tell our databases
// apart without reading tables.
constexpr std::int64_t kApplicationId = 0x53505947;
const QString kMagic = QStringLiteral("spyglass-store");

// Table layout: see FORMAT.md (keep the two in step).
constexpr const char *kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE label_pairs(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE(name, value));
CREATE TABLE series(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    labels BLOB NOT NULL);
CREATE TABLE postings(
    pair_id INTEGER NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY(pair_id, series_id)) WITHOUT ROWID;
CREATE TABLE chunks(
    series_id INTEGER NOT NULL,
    max_t INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    min_t INTEGER NOT NULL,
    count INTEGER NOT NULL,
    encoding INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(series_id, max_t, seq)) WITHOUT ROWID;
)sql";

StoreSchema schema()
{
    return StoreSchema{QStringLiteral("store"), kApplicationId, kMagic, Storage::kFormatVersion, kSchema, false};
}


} // namespace

Storage::~Storage() = default;

QString Storage::databasePath() const
{
    return m_dataDir + QStringLiteral("/spyglass.db");
}

MetricStore &Storage::metrics()
{
    return *m_metrics;
}

ProfileStore &Storage::profiles()
{
    return *m_profiles;
}

ExemplarStore &Storage::exemplars()
{
    return *m_exemplars;
}

LogStore &Storage::logs()
{
    return *m_logs;
}

SpanStore &Storage::traces()
{
    return *m_traces;
}

Result<std::unique_ptr<Storage>> Storage::open(const QString &dataDir)
{
    if (dataDir.isEmpty())
        return fail(Error::invalid(QStringLiteral("no data directory given")));
    const QFileInfo info(dataDir);
    if (info.exists() && !info.isDir())
        return fail(Error::invalid(
            QStringLiteral("data directory %1 is a file, not a directory").arg(dataDir)));
    if (!QDir().mkpath(dataDir))
        return fail(Error::io(QStringLiteral("cannot create data directory %1").arg(dataDir)));

    std::unique_ptr<Storage> s(new Storage);
    s->m_dataDir = QFileInfo(dataDir).absoluteFilePath();
    auto conn = SqliteConnection::open(s->databasePath(), SqliteConnection::Mode::ReadWriteCreate);
    if (!conn)
        return fail(conn.error());
    SqliteConnection &c = **conn;

    // WAL: readers never block the writer and a kill -9 can only lose an
    // uncommitted transaction. synchronous=FULL syncs the WAL on every
    // commit, so an acknowledged append also survives power loss (FORMAT.md).
    auto st = c.prepare("PRAGMA journal_mode = WAL");
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row || st->textAt(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return fail(
            Error::io(QStringLiteral("store %1: cannot switch to WAL mode (got \"%2\"); is the "
                                     "directory on a file system without shared memory?")
                          .arg(c.path(), *row ? st->textAt(0) : QString())));
    st = c.prepare("PRAGMA synchronous = FULL");
    if (!st)
        return fail(st.error());
    if (auto r = st->run(); !r)
        return fail(r.error());

    if (auto r = createOrCheckSchema(c, schema()); !r)
        return fail(r.error());

    auto metrics = SqliteMetricStore::open(std::move(*conn));
    if (!metrics)
        return fail(metrics.error());
    s->m_metrics = std::move(*metrics);
    auto profiles = ProfileStore::open(s->m_dataDir + QStringLiteral("/profiles.db"));
    if (!profiles)
        return fail(profiles.error());
    s->m_profiles = std::move(*profiles);
    auto logs = LogStore::open(s->m_dataDir + QStringLiteral("/logs.db"));
    if (!logs)
        return fail(logs.error());
    s->m_logs = std::move(*logs);
    auto traces = SpanStore::open(s->m_dataDir + QStringLiteral("/traces.db"));
    if (!traces)
        return fail(traces.error());
    s->m_traces = std::move(*traces);
    auto exemplars = ExemplarStore::open(s->m_dataDir + QStringLiteral("/exemplars.db"));
    if (!exemplars)
        return fail(exemplars.error());
    s->m_exemplars = std::move(*exemplars);
    return s;
}

QString Storage::defaultDataDir()
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share/spyglass");
    return base + QStringLiteral("/data");
}

} // namespace spyglass::store
