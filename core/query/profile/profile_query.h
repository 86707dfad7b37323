#pragma once

#include "core/model/result.h"
#include "core/query/profile/call_tree.h"
#include "core/query/profile/profile_selector.h"

#include <QList>
#include <QStringList>

namespace spyglass::store {
class ProfileStore;
}

namespace spyglass::query::profile {

struct LabelTotal
{
    model::Labels labels; // the group-by labels only
    std::int64_t total = 0;
};

struct ProfilePoint
{
    model::TimestampNs time = 0; // start of the step
    std::int64_t value = 0;
};

struct ProfileSeries
{
    model::Labels labels;
    QList<ProfilePoint> points; // steps with data only, in time order
};

// Profile queries over the embedded store: merge a selector's profiles of
// a time range into one tree, totals by label, totals over time, diff.
// Times are Unix nanoseconds, both ends inclusive. Selectors must name a
// profile type (values of different types cannot be added).
class ProfileQueryEngine
{
public:
    explicit ProfileQueryEngine(const store::ProfileStore &store) : m_store(store) {}

    // All matching stacks summed (stack labels kept).
    Result<model::Profile> mergeProfile(const ProfileSelector &selector, model::TimestampNs from,
                                        model::TimestampNs to) const;
    Result<CallTree> merge(const ProfileSelector &selector, model::TimestampNs from,
                           model::TimestampNs to, int maxNodes = 0) const;

    // Total value per distinct combination of the groupBy labels (absent
    // labels count as empty), largest first. With stack matchers the
    // profiles are read; otherwise only the stored per-profile totals.
    Result<QList<LabelTotal>> totalsBy(const ProfileSelector &selector, model::TimestampNs from,
                                       model::TimestampNs to, const QStringList &groupBy) const;

    // Per group, the sum of profile totals in each step [from + k*step,
    // from + (k+1)*step).
    Result<QList<ProfileSeries>> series(const ProfileSelector &selector, model::TimestampNs from,
                                        model::TimestampNs to, std::int64_t stepNs,
                                        const QStringList &groupBy) const;

    Result<DiffTree> diff(const ProfileSelector &left, model::TimestampNs leftFrom,
                          model::TimestampNs leftTo, const ProfileSelector &right,
                          model::TimestampNs rightFrom, model::TimestampNs rightTo,
                          bool normalise = true) const;

private:
    Result<QList<std::int64_t>> seriesIds(const ProfileSelector &selector, QList<model::Labels> *labels = nullptr) const;
    const store::ProfileStore &m_store;
};

} // namespace spyglass::query::profile
