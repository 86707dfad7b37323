#include "core/store/sqlite_connection.h"

#include "core/store/store_log.h"

#include <sqlite3.h>

namespace spyglass::store {

void SqliteStatement::release()
{
    if (!m_stmt)
        return;
    if (m_busy) {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        *m_busy = false;
    } else {
        sqlite3_finalize(m_stmt);
    }
    m_stmt = nullptr;
}

SqliteStatement::~SqliteStatement()
{
    release();
}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&o) noexcept
{
    if (this != &o) {
        release();
        m_conn = o.m_conn;
        m_stmt = o.m_stmt;
        m_busy = o.m_busy;
        o.m_stmt = nullptr;
    }
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, std::int64_t v)
{
    sqlite3_bind_int64(m_stmt, index, v);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const QString &v)
{
    const QByteArray u = v.toUtf8();
    sqlite3_bind_text(m_stmt, index, u.constData(), int(u.size()), SQLITE_TRANSIENT);
    return *this;
}

SqliteStatement &SqliteStatement::bindBlob(int index, QByteArrayView v)
{
    sqlite3_bind_blob(m_stmt, index, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
}

Result<bool> SqliteStatement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    return fail(m_conn->lastError(
        QStringLiteral("running \"%1\"").arg(QString::fromUtf8(sqlite3_sql(m_stmt)).simplified())));
}

Result<void> SqliteStatement::run()
{
    for (;;) {
        auto r = step();
        if (!r)
            return fail(r.error());
        if (!*r)
            return {};
    }
}

std::int64_t SqliteStatement::int64At(int col) const
{
    return sqlite3_column_int64(m_stmt, col);
}

QString SqliteStatement::textAt(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, col));
}

QByteArrayView SqliteStatement::blobAt(int col) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
    return QByteArrayView(p, sqlite3_column_bytes(m_stmt, col));
}

bool SqliteStatement::isNull(int col) const
{
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const QString &path, Mode mode)
{
    std::unique_ptr<SqliteConnection> c(new SqliteConnection);
    c->m_path = path;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (mode == Mode::ReadWriteCreate)
        flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &c->m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = c->lastError(QStringLiteral("opening the database"));
        if (!c->m_db)
            e = Error::io(QStringLiteral("cannot open SQLite database %1: %2")
                              .arg(path, QString::fromUtf8(sqlite3_errstr(rc))));
        return fail(e);
    }
    sqlite3_extended_result_codes(c->m_db, 1);
    // Another process may hold the write lock (e.g. the CLI importing while
    // the GUI runs): wait rather than fail at once.
    sqlite3_busy_timeout(c->m_db, 10000);
    return c;
}

SqliteConnection::~SqliteConnection()
{
    for (auto &[sql, cached] : m_cache)
        sqlite3_finalize(cached.stmt);
    if (m_db)
        sqlite3_close(m_db);
}

Result<SqliteStatement> SqliteConnection::prepare(std::string_view sql)
{
    auto it = m_cache.find(sql);
    if (it != m_cache.end() && !it->second.busy) {
        it->second.busy = true;
        return SqliteStatement(this, it->second.stmt, &it->second.busy);
    }
    // Not cached yet, or already borrowed (two live uses of one SQL text):
    // a second borrow would rebind a running statement.
    const bool cache = it == m_cache.end();
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(m_db, sql.data(), int(sql.size()), cache ? SQLITE_PREPARE_PERSISTENT : 0,
                           &stmt, nullptr) != SQLITE_OK)
        return fail(
            lastError(QStringLiteral("preparing \"%1\"")
                          .arg(QString::fromUtf8(sql.data(), qsizetype(sql.size())).simplified())));
    if (!cache)
        return SqliteStatement(this, stmt, nullptr);
    auto &entry = m_cache[sql];
    entry.stmt = stmt;
    entry.busy = true;
    return SqliteStatement(this, stmt, &entry.busy);
}

Result<void> SqliteConnection::exec(const char *sql)
{
    char *msg = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
        sqlite3_free(msg);
        return fail(
            lastError(QStringLiteral("running \"%1\"").arg(QString::fromUtf8(sql).simplified())));
    }
    return {};
}

Result<std::int64_t> SqliteConnection::queryInt(std::string_view sql, std::int64_t fallback)
{
    auto st = prepare(sql);
    if (!st)
        return fail(st.error());
    auto row = st->step();
    if (!row)
        return fail(row.error());
    if (!*row || st->isNull(0))
        return fallback;
    return st->int64At(0);
}

Error SqliteConnection::lastError(const QString &what) const
{
    const int code = m_db ? sqlite3_extended_errcode(m_db) : SQLITE_ERROR;
    const QString msg =
        m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("no connection");
    Error e;
    switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        e.kind = Error::Kind::BadData;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        e.kind = Error::Kind::Unavailable;
        break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_ERROR:
        e.kind = Error::Kind::Internal;
        break;
    default:
        e.kind = Error::Kind::Io;
    }
    e.message =
        QStringLiteral("store %1: %2 failed: %3 (SQLite code %4)").arg(m_path, what, msg).arg(code);
    return e;
}

Result<SqliteTransaction> SqliteTransaction::begin(SqliteConnection &conn, Kind kind)
{
    auto r = conn.exec(kind == Kind::Immediate ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!r)
        return fail(r.error());
    return SqliteTransaction(&conn);
}

SqliteTransaction::~SqliteTransaction()
{
    if (m_conn && !sqlite3_get_autocommit(m_conn->handle())) {
        if (!m_conn->exec("ROLLBACK"))
            qCWarning(lcStore) << "rollback failed on" << m_conn->path();
    }
}

Result<void> SqliteTransaction::commit()
{
    SqliteConnection *c = m_conn;
    auto r = c->exec("COMMIT");
    if (!r)
        return r; // destructor rolls back
    m_conn = nullptr;
    return {};
}

} // namespace spyglass::store
