#include "core/query/profile/profile_query.h"

#include "core/store/profile_store.h"

#include <QHash>

#include <algorithm>

namespace spyglass::query::profile {

using model::TimestampNs;

Result<QList<std::int64_t>> ProfileQueryEngine::seriesIds(const ProfileSelector &selector,
                                                          QList<model::Labels> *labels) const
{
    if (selector.typeId.isEmpty())
        return fail(Error::invalid(QStringLiteral("the selector %1 names no profile type; values of "
                                                  "different profile types cannot be merged")
                                       .arg(selector.toString())));
    auto series = m_store.selectSeries(selector.typeId, selector.seriesMatchers);
    if (!series)
        return fail(series.error());
    QList<std::int64_t> ids;
    for (const auto &s : *series) {
        ids.append(s.id);
        if (labels)
            labels->append(s.labels);
    }
    return ids;
}

Result<model::Profile> ProfileQueryEngine::mergeProfile(const ProfileSelector &selector, TimestampNs from,
                                                        TimestampNs to) const
{
    auto ids = seriesIds(selector);
    if (!ids)
        return fail(ids.error());
    auto merged = m_store.merge(*ids, from, to, selector.stackMatchers);
    if (merged && merged->typeId.isEmpty())
        merged->typeId = selector.typeId;
    return merged;
}

Result<CallTree> ProfileQueryEngine::merge(const ProfileSelector &selector, TimestampNs from, TimestampNs to,
                                           int maxNodes) const
{
    auto p = mergeProfile(selector, from, to);
    if (!p)
        return fail(p.error());
    return CallTree::fromProfile(*p).truncated(maxNodes);
}

Result<QList<LabelTotal>> ProfileQueryEngine::totalsBy(const ProfileSelector &selector, TimestampNs from,
                                                       TimestampNs to, const QStringList &groupBy) const
{
    QList<model::Labels> labels;
    auto ids = seriesIds(selector, &labels);
    if (!ids)
        return fail(ids.error());
    QHash<model::Labels, std::int64_t> sums;
    for (qsizetype i = 0; i < ids->size(); ++i) {
        const model::Labels key = labels[i].keepOnly(groupBy);
        std::int64_t total = 0;
        if (selector.stackMatchers.isEmpty()) {
            auto infos = m_store.listProfiles({(*ids)[i]}, from, to);
            if (!infos)
                return fail(infos.error());
            for (const auto &p : *infos)
                total += p.total;
            if (infos->isEmpty())
                continue;
        } else {
            auto p = m_store.merge({(*ids)[i]}, from, to, selector.stackMatchers);
            if (!p)
                return fail(p.error());
            total = p->total();
            if (p->stacks.isEmpty())
                continue;
        }
        sums[key] += total;
    }
    QList<LabelTotal> out;
    for (auto it = sums.cbegin(); it != sums.cend(); ++it)
        out.append({it.key(), it.value()});
    std::sort(out.begin(), out.end(), [](const LabelTotal &a, const LabelTotal &b) {
        return a.total != b.total ? a.total > b.total : a.labels < b.labels;
    });
    return out;
}

Result<QList<ProfileSeries>> ProfileQueryEngine::series(const ProfileSelector &selector, TimestampNs from,
                                                        TimestampNs to, std::int64_t stepNs,
                                                        const QStringList &groupBy) const
{
    if (stepNs <= 0)
        return fail(Error::invalid(QStringLiteral("step must be positive")));
    if (to < from)
        return fail(Error::invalid(QStringLiteral("the end of the range is before its start")));
    QList<model::Labels> labels;
    auto ids = seriesIds(selector, &labels);
    if (!ids)
        return fail(ids.error());
    QHash<model::Labels, QMap<TimestampNs, std::int64_t>> groups;
    for (qsizetype i = 0; i < ids->size(); ++i) {
        const model::Labels key = labels[i].keepOnly(groupBy);
        auto infos = m_store.listProfiles({(*ids)[i]}, from, to);
        if (!infos)
            return fail(infos.error());
        for (const auto &p : *infos) {
            std::int64_t value = p.total;
            if (!selector.stackMatchers.isEmpty()) {
                // Span selection: only the matching stacks of this profile.
                auto prof = m_store.profile(p.id);
                if (!prof)
                    return fail(prof.error());
                value = 0;
                for (const auto &s : prof->stacks)
                    if (model::matchesAll(selector.stackMatchers, s.labels))
                        value += s.value;
                if (value == 0)
                    continue;
            }
            const TimestampNs bucket = from + (p.time - from) / stepNs * stepNs;
            groups[key][bucket] += value;
        }
    }
    QList<ProfileSeries> out;
    for (auto it = groups.cbegin(); it != groups.cend(); ++it) {
        ProfileSeries s;
        s.labels = it.key();
        for (auto p = it->cbegin(); p != it->cend(); ++p)
            s.points.append({p.key(), p.value()});
        out.append(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const ProfileSeries &a, const ProfileSeries &b) { return a.labels < b.labels; });
    return out;
}

Result<DiffTree> ProfileQueryEngine::diff(const ProfileSelector &left, TimestampNs leftFrom, TimestampNs leftTo,
                                          const ProfileSelector &right, TimestampNs rightFrom,
                                          TimestampNs rightTo, bool normalise) const
{
    if (left.typeId != right.typeId)
        return fail(Error::invalid(QStringLiteral("cannot diff %1 against %2: different profile types")
                                       .arg(left.typeId, right.typeId)));
    auto l = merge(left, leftFrom, leftTo);
    if (!l)
        return fail(l.error());
    auto r = merge(right, rightFrom, rightTo);
    if (!r)
        return fail(r.error());
    return DiffTree::build(*l, *r, normalise);
}

} // namespace spyglass::query::profile
