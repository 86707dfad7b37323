#pragma once

#include "core/model/label_matcher.h"
#include "core/model/profile.h"
#include "core/model/result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace spyglass::store {

class SqliteConnection;

struct ProfileAppendStats
{
    qint64 profiles = 0;
    qint64 entries = 0;      // (stack, value) pairs written
    qint64 newSeries = 0;
    qint64 newStacks = 0;
    qint64 newFunctions = 0;
};

// One series: a profile type id plus the labels (service_name, ...).
struct ProfileSeriesRef
{
    std::int64_t id = 0;
    QString typeId;
    model::Labels labels;
};

// One stored profile without its stacks (listing, totals over time).
struct ProfileInfo
{
    std::int64_t id = 0;
    std::int64_t seriesId = 0;
    model::TimestampNs time = 0;
    std::int64_t durationNs = 0;
    std::int64_t period = 0;
    std::int64_t total = 0;
};

struct ProfileRetention
{
    std::int64_t maxAgeNs = 0; // 0: no age limit
    qint64 maxBytes = 0;       // stack data kept at most (newest first); 0: no limit
};

struct ProfileStoreStats
{
    qint64 series = 0;
    qint64 profiles = 0;
    qint64 stacks = 0;
    qint64 functions = 0;
    qint64 dataBytes = 0; // encoded (stack, value) data of all profiles
    model::TimestampNs minTime = 0;
    model::TimestampNs maxTime = 0;
};

// Profiles on disk (profiles.db, its own SQLite file in WAL mode with
// synchronous=FULL; layout in FORMAT.md). Profiles belong to series keyed
// by (type id, labels); each profile is stored as a list of (stack id,
// value, sample label set id) against shared, deduplicated function and
// stack tables, so merging a time range reads small integer lists and never
// re-parses pprof. The dictionaries are also cached in memory.
//
// Thread-safe: one writer at a time, reads (on their own connection) run
// while an append is in progress. Several processes may open one file:
// dictionary rows written by another process are loaded before each append
// and whenever a read meets an unknown id.
class ProfileStore
{
public:
    static constexpr int kFormatVersion = 1;

    static Result<std::unique_ptr<ProfileStore>> open(const QString &path);
    ~ProfileStore();

    const QString &path() const { return m_path; }

    // All profiles in one transaction; returns once committed and synced
    // (durable). A failure stores none of them. Profiles without a valid
    // five-part type id are refused.
    Result<ProfileAppendStats> append(const QList<model::Profile> &profiles);

    // Series whose type id equals `typeId` (any when empty) and whose labels
    // match every matcher.
    Result<QList<ProfileSeriesRef>> selectSeries(const QString &typeId,
                                                 const model::LabelMatchers &matchers) const;
    // Profiles of those series with from <= time <= to, oldest first.
    Result<QList<ProfileInfo>> listProfiles(const QList<std::int64_t> &seriesIds,
                                            model::TimestampNs from, model::TimestampNs to) const;
    // The stacks of all those profiles summed into one profile (stack labels
    // kept, so callers can split or filter by span_id). With
    // `stackLabelMatchers`, only stacks whose sample labels match all of them
    // count. The result's typeId/labels are left empty when series differ.
    Result<model::Profile> merge(const QList<std::int64_t> &seriesIds, model::TimestampNs from,
                                 model::TimestampNs to,
                                 const model::LabelMatchers &stackLabelMatchers = {}) const;
    // One stored profile as it was appended (stacks with identical frames
    // and labels summed).
    Result<model::Profile> profile(std::int64_t profileId) const;

    // Distinct type ids / label names / values of series having profiles in
    // [from, to]; matchers restrict the series.
    Result<QStringList> profileTypes(model::TimestampNs from, model::TimestampNs to) const;
    Result<QStringList> labelNames(const model::LabelMatchers &matchers, model::TimestampNs from,
                                   model::TimestampNs to) const;
    Result<QStringList> labelValues(const QString &name, const model::LabelMatchers &matchers,
                                    model::TimestampNs from, model::TimestampNs to) const;

    // Deletes profiles older than now - maxAgeNs, then the oldest ones until
    // the stack data fits maxBytes; returns how many profiles were removed.
    // Freed pages go back to the file system (incremental vacuum).
    Result<qint64> applyRetention(const ProfileRetention &retention, model::TimestampNs nowNs);

    Result<ProfileStoreStats> stats() const;

private:
    ProfileStore() = default;
    struct Dictionary;
    // Loads dictionary rows with ids above what is cached.
    Result<void> refresh(SqliteConnection &conn) const;
    Result<QList<ProfileInfo>> listProfilesLocked(SqliteConnection &conn, const QList<std::int64_t> &seriesIds,
                                                  model::TimestampNs from, model::TimestampNs to) const;
    template <typename Visit>
    Result<void> scanData(SqliteConnection &conn, const QList<std::int64_t> &seriesIds,
                          model::TimestampNs from, model::TimestampNs to, Visit &&visit) const;
    Result<model::Profile> materialize(SqliteConnection &conn,
                                       const QHash<std::pair<std::int64_t, std::int64_t>, std::int64_t> &sums) const;
    Result<QList<ProfileSeriesRef>> seriesWithData(SqliteConnection &conn, const model::LabelMatchers &matchers,
                                                   model::TimestampNs from, model::TimestampNs to) const;

    QString m_path;
    mutable std::mutex m_writeMutex;
    std::unique_ptr<SqliteConnection> m_writer;
    mutable std::mutex m_readMutex;
    std::unique_ptr<SqliteConnection> m_reader;
    mutable std::shared_mutex m_dictMutex;
    std::unique_ptr<Dictionary> m_dict;
};

} // namespace spyglass::store
