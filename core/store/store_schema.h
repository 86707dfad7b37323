#pragma once

#include "core/model/result.h"

#include <QString>
#include <cstdint>

namespace spyglass::store {

class SqliteConnection;

// What identifies one kind of store database (metrics catalog, logs.db,
// traces.db, profiles.db): every one carries a SQLite application_id, a
// meta table with a magic string and a format version (see FORMAT.md).
struct StoreSchema
{
    QString kind;                  // "store", "log store", ... for messages
    std::int64_t applicationId = 0;
    QString magic;
    int formatVersion = 1;         // the version this build writes and the newest it reads
    const char *tablesSql = "";    // CREATE statements, meta table included
    bool incrementalVacuum = false; // set auto_vacuum before the first table
};

// Creates the schema in an empty database, or checks that an existing one is
// this kind of store in a version this build reads. Runs in an immediate
// transaction so two processes opening a fresh directory don't both create it.
Result<void> createOrCheckSchema(SqliteConnection &c, const StoreSchema &schema);

} // namespace spyglass::store
