#pragma once

#include "core/model/result.h"

#include <QByteArrayView>
#include <QString>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace spyglass::store {

class SqliteConnection;

// A borrowed prepared statement: resets itself and clears its bindings when
// it goes out of scope, so a cached statement never leaks state (or holds a
// read snapshot open) between uses.
class SqliteStatement
{
public:
    // `busy` is the cache's in-use flag (cleared on release); nullptr means
    // the statement is owned and finalized on release.
    SqliteStatement(SqliteConnection *conn, sqlite3_stmt *stmt, bool *busy)
        : m_conn(conn), m_stmt(stmt), m_busy(busy)
    {
    }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;
    SqliteStatement(SqliteStatement &&o) noexcept
        : m_conn(o.m_conn), m_stmt(o.m_stmt), m_busy(o.m_busy)
    {
        o.m_stmt = nullptr;
    }
    SqliteStatement &operator=(SqliteStatement &&o) noexcept;
    ~SqliteStatement();

    SqliteStatement &bind(int index, std::int64_t v);
    SqliteStatement &bind(int index, const QString &v);
    SqliteStatement &bindBlob(int index, QByteArrayView v); // copied by SQLite

    // true: a row is available; false: done.
    Result<bool> step();
    // Runs a statement that returns no rows (or ignores them).
    Result<void> run();

    std::int64_t int64At(int col) const;
    QString textAt(int col) const;
    // Valid until the next step() or the statement goes out of scope.
    QByteArrayView blobAt(int col) const;
    bool isNull(int col) const;

private:
    void release();
    SqliteConnection *m_conn;
    sqlite3_stmt *m_stmt;
    bool *m_busy;
};

// One SQLite connection with a cache of prepared statements. Not thread
// safe: each thread uses its own connection (see SqliteMetricStore).
class SqliteConnection
{
public:
    enum class Mode { ReadWriteCreate, ReadWrite };
    static Result<std::unique_ptr<SqliteConnection>> open(const QString &path, Mode mode);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    // `sql` must outlive the connection (it keys the statement cache): pass literals.
    Result<SqliteStatement> prepare(std::string_view sql);
    Result<void> exec(const char *sql);
    // A single integer, e.g. from `PRAGMA x` or `SELECT max(id) ...`; NULL gives `fallback`.
    Result<std::int64_t> queryInt(std::string_view sql, std::int64_t fallback = 0);

    // An error for the last failed call, naming what was being done and the file.
    Error lastError(const QString &what) const;
    const QString &path() const { return m_path; }
    sqlite3 *handle() const { return m_db; }

private:
    SqliteConnection() = default;
    sqlite3 *m_db = nullptr;
    QString m_path;
    struct Cached
    {
        sqlite3_stmt *stmt = nullptr;
        bool busy = false; // borrowed by a live SqliteStatement
    };
    // Node-based map: the addresses of `busy` flags stay valid.
    std::unordered_map<std::string_view, Cached> m_cache;
};

// Runs `BEGIN IMMEDIATE` (or `BEGIN`) and rolls back on destruction unless
// commit() succeeded: any early return from a failed step undoes everything.
class SqliteTransaction
{
public:
    enum class Kind { Deferred, Immediate };
    static Result<SqliteTransaction> begin(SqliteConnection &conn, Kind kind);
    SqliteTransaction(SqliteTransaction &&o) noexcept : m_conn(o.m_conn) { o.m_conn = nullptr; }
    SqliteTransaction(const SqliteTransaction &) = delete;
    ~SqliteTransaction();
    Result<void> commit();

private:
    explicit SqliteTransaction(SqliteConnection *c) : m_conn(c) {}
    SqliteConnection *m_conn;
};

} // namespace spyglass::store
