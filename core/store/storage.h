#pragma once

#include "core/model/result.h"
#include "core/store/exemplar_store.h"
#include "core/store/metric_store.h"
#include "core/store/profile_store.h"
#include "core/store/log_store.h"
#include "core/store/span_store.h"

#include <QString>
#include <memory>

namespace spyglass::store {

// An opened data directory: one SQLite catalog (WAL mode) shared by the
// metric, log, trace and profile stores. Opening creates the directory and
// schema when missing, and refuses a directory written by a newer format.
// Several Storage objects (in one or several processes) may open the same
// directory; SQLite serialises their writes.
class Storage
{
public:
    // The on-disk format this build writes and the newest it can read.
    static constexpr int kFormatVersion = 1;

    static Result<std::unique_ptr<Storage>> open(const QString &dataDir);
    ~Storage();

    const QString &dataDir() const { return m_dataDir; }
    // DIR/spyglass.db
    QString databasePath() const;
    MetricStore &metrics();
    // DIR/profiles.db (its own SQLite file, see FORMAT.md "Profile store").
    ProfileStore &profiles();
    // DIR/logs.db (its own SQLite file, see FORMAT.md "Log store").
    LogStore &logs();
    // DIR/traces.db (SpanStore keeps its own database and format version).
    SpanStore &traces();
    // DIR/exemplars.db (exemplars of metric samples, bounded).
    ExemplarStore &exemplars();

    // The default data directory: QStandardPaths::AppDataLocation + "/data".
    static QString defaultDataDir();

private:
    Storage() = default;
    QString m_dataDir;
    std::unique_ptr<MetricStore> m_metrics;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<LogStore> m_logs;
    std::unique_ptr<SpanStore> m_traces;
    std::unique_ptr<ExemplarStore> m_exemplars;
};

} // namespace spyglass::store
