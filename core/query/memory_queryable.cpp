#include "core/query/memory_queryable.h"

#include <algorithm>

namespace spyglass::query {

qsizetype MemoryQueryable::seriesIndex(const model::Labels &labels)
{
    auto it = m_index.constFind(labels);
    if (it != m_index.constEnd())
        return *it;
    const qsizetype idx = m_series.size();
    m_index.insert(labels, idx);
    m_series.push_back({labels, {}});
    m_histograms.push_back({});
    return idx;
}

void MemoryQueryable::addHistograms(const model::Labels &labels, const QList<HistogramSample> &samples)
{
    const qsizetype idx = seriesIndex(labels);
    auto &dst = m_histograms[idx];
    dst.append(samples);
    std::stable_sort(dst.begin(), dst.end(),
                     [](const HistogramSample &a, const HistogramSample &b) { return a.t < b.t; });
    QList<HistogramSample> uniq;
    for (const auto &s : dst) {
        if (!uniq.isEmpty() && uniq.back().t == s.t)
            uniq.back() = s;
        else
            uniq.push_back(s);
    }
    dst = std::move(uniq);
    // A float at the same timestamp is replaced by the histogram.
    auto &floats = m_series[idx].samples;
    floats.removeIf([&](const model::Sample &f) {
        return std::binary_search(dst.begin(), dst.end(), HistogramSample{f.t, {}},
                                  [](const HistogramSample &a, const HistogramSample &b) { return a.t < b.t; });
    });
    if (!samples.isEmpty())
        m_anyHistograms = true;
}

Result<QList<HistogramSample>> MemoryQueryable::histogramSamples(store::SeriesId id, model::TimestampMs mint,
                                                                 model::TimestampMs maxt) const
{
    if (id < 0 || id >= m_histograms.size())
        return fail(Error::invalid(QStringLiteral("unknown series id %1").arg(id)));
    const auto &s = m_histograms[qsizetype(id)];
    auto lo = std::lower_bound(s.begin(), s.end(), mint,
                               [](const HistogramSample &a, model::TimestampMs t) { return a.t < t; });
    auto hi = std::upper_bound(s.begin(), s.end(), maxt,
                               [](model::TimestampMs t, const HistogramSample &a) { return t < a.t; });
    return QList<HistogramSample>(lo, hi);
}

void MemoryQueryable::add(const model::Labels &labels, const QList<model::Sample> &samples)
{
    const qsizetype idx = seriesIndex(labels);
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
    m_histograms.clear();
    m_index.clear();
    m_anyHistograms = false;
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
