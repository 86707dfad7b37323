#include "core/query/memory_queryable.h"

#include <algorithm>

namespace spyglass::query {

void MemoryQueryable::add(const model::Labels &labels, const QList<model::Sample> &samples)
{
    auto it = m_index.constFind(labels);
    qsizetype idx;
    if (it == m_index.constEnd()) {
        idx = m_series.size();
        m_index.insert(labels, idx);
        m_series.push_back({labels, {}});
    } else {
        idx = *it;
    }
    auto &dst = m_series[idx].samples;
    dst.append(samples);
    std::stable_sort(dst.begin(), dst.end(),
                     [](const model::Sample &a, const model::Sample &b) { return a.t < b.t; });
    // Keep the last write for equal timestamps.
    QList<model::Sample> uniq;
    uniq.reserve(dst.size());
    for (const auto &s : dst) {
        if (!uniq.isEmpty() && uniq.back().t == s.t)
            uniq.back() = s;
        else
            uniq.push_back(s);
    }
    dst = std::move(uniq);
}

void MemoryQueryable::clear()
{
    m_series.clear();
    m_index.clear();
}

Result<QList<store::SeriesRef>> MemoryQueryable::select(const model::LabelMatchers &matchers) const
{
    QList<store::SeriesRef> out;
    for (qsizetype i = 0; i < m_series.size(); ++i)
        if (model::matchesAll(matchers, m_series[i].labels))
            out.push_back({store::SeriesId(i), m_series[i].labels});
    std::sort(out.begin(), out.end(),
              [](const store::SeriesRef &a, const store::SeriesRef &b) { return a.labels < b.labels; });
    return out;
}

Result<QList<model::Sample>> MemoryQueryable::samples(store::SeriesId id, model::TimestampMs mint,
                                                      model::TimestampMs maxt) const
{
    if (id < 0 || id >= m_series.size())
        return fail(Error::invalid(QStringLiteral("unknown series id %1").arg(id)));
    const auto &s = m_series[qsizetype(id)].samples;
    auto lo = std::lower_bound(s.begin(), s.end(), mint,
                               [](const model::Sample &a, model::TimestampMs t) { return a.t < t; });
    auto hi = std::upper_bound(s.begin(), s.end(), maxt,
                               [](model::TimestampMs t, const model::Sample &a) { return t < a.t; });
    return QList<model::Sample>(lo, hi);
}

} // namespace spyglass::query
