#include "core/store/store_schema.h"

#include "core/store/sqlite_connection.h"
#include "core/store/store_log.h"

namespace spyglass::store {

namespace {

Result<QString> metaText(SqliteConnection &c, const char *key)
{
    auto st = c.prepare("SELECT value FROM meta WHERE key = ?1");
    if (!st)
        return fail(st.error());
    st->bind(1, QString::fromLatin1(key));
    auto row = st->step();
    if (!row)
        return fail(row.error());
    return *row ? st->textAt(0) : QString();
}

Result<void> putMeta(SqliteConnection &c, const char *key, const QString &value)
{
    auto st = c.prepare("INSERT INTO meta(key, value) VALUES (?1, ?2)");
    if (!st)
        return fail(st.error());
    st->bind(1, QString::fromLatin1(key)).bind(2, value);
    return st->run();
}

} // namespace

Result<void> createOrCheckSchema(SqliteConnection &c, const StoreSchema &s)
{
    const QString path = c.path();
    auto appId = c.queryInt("PRAGMA application_id");
    if (!appId)
        return fail(appId.error());
    if (*appId != 0 && *appId != s.applicationId)
        return fail(Error::invalid(QStringLiteral("%1 is not a Spyglass %2 (SQLite application_id 0x%3)")
                                       .arg(path, s.kind)
                                       .arg(*appId, 0, 16)));
    auto tables = c.queryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables)
        return fail(tables.error());
    // auto_vacuum only takes effect before the first table exists.
    if (*tables == 0 && s.incrementalVacuum)
        if (auto r = c.exec("PRAGMA auto_vacuum = INCREMENTAL"); !r)
            return r;

    auto txn = SqliteTransaction::begin(c, SqliteTransaction::Kind::Immediate);
    if (!txn)
        return fail(txn.error());
    // Again inside the transaction: another process may have won the race.
    tables = c.queryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
    if (!tables)
        return fail(tables.error());
    if (*tables == 0) {
        if (auto r = c.exec(s.tablesSql); !r)
            return r;
        if (auto r = putMeta(c, "magic", s.magic); !r)
            return r;
        if (auto r = putMeta(c, "format_version", QString::number(s.formatVersion)); !r)
            return r;
        const QByteArray setId = "PRAGMA application_id = " + QByteArray::number(qlonglong(s.applicationId));
        if (auto r = c.exec(setId.constData()); !r)
            return r;
        qCDebug(lcStore) << "created" << s.kind << path;
        return txn->commit();
    }

    auto hasMeta = c.queryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'");
    if (!hasMeta)
        return fail(hasMeta.error());
    if (*hasMeta == 0)
        return fail(Error::invalid(
            QStringLiteral("%1 is an SQLite database without a Spyglass meta table, not a Spyglass %2")
                .arg(path, s.kind)));
    auto magic = metaText(c, "magic");
    if (!magic)
        return fail(magic.error());
    if (*magic != s.magic)
        return fail(Error::invalid(QStringLiteral("%1 is not a Spyglass %2 (magic \"%3\", expected \"%4\")")
                                       .arg(path, s.kind, *magic, s.magic)));
    auto version = metaText(c, "format_version");
    if (!version)
        return fail(version.error());
    bool ok = false;
    const int v = version->toInt(&ok);
    if (!ok || v < 1)
        return fail(Error::badData(
            QStringLiteral("%1: unreadable %2 format version \"%3\"").arg(path, s.kind, *version)));
    if (v > s.formatVersion)
        return fail(Error::invalid(QStringLiteral("%1 was written by a newer Spyglass (%2 format version "
                                                  "%3; this build reads up to version %4). Upgrade "
                                                  "Spyglass or use another data directory.")
                                       .arg(path, s.kind)
                                       .arg(v)
                                       .arg(s.formatVersion)));
    // Every store is at version 1 so far: nothing to migrate.
    return txn->commit();
}

} // namespace spyglass::store
