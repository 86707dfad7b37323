#pragma once

#include "core/query/queryable.h"

#include <QHash>

namespace spyglass::query {

// A Queryable held in memory: for tests, the promqltest runner and small
// imported data sets that do not need the store.
class MemoryQueryable final : public Queryable
{
public:
    // Adds samples to the series with these labels (created when new).
    // Samples at an existing timestamp replace the old value.
    void add(const model::Labels &labels, const QList<model::Sample> &samples);
    // Adds native histogram samples (engine-only: the store keeps floats).
    void addHistograms(const model::Labels &labels, const QList<HistogramSample> &samples);
    void clear();
    qsizetype seriesCount() const { return m_series.size(); }

    Result<QList<store::SeriesRef>> select(const model::LabelMatchers &matchers) const override;
    Result<QList<model::Sample>> samples(store::SeriesId id, model::TimestampMs mint,
                                         model::TimestampMs maxt) const override;
    bool hasHistograms() const override { return m_anyHistograms; }
    Result<QList<HistogramSample>> histogramSamples(store::SeriesId id, model::TimestampMs mint,
                                                    model::TimestampMs maxt) const override;

private:
    qsizetype seriesIndex(const model::Labels &labels);

    QList<model::Series> m_series; // index = SeriesId
    QList<QList<HistogramSample>> m_histograms; // parallel to m_series
    bool m_anyHistograms = false;
    QHash<model::Labels, qsizetype> m_index;
};

} // namespace spyglass::query
