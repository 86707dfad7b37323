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
    void clear();
    qsizetype seriesCount() const { return m_series.size(); }

    Result<QList<store::SeriesRef>> select(const model::LabelMatchers &matchers) const override;
    Result<QList<model::Sample>> samples(store::SeriesId id, model::TimestampMs mint,
                                         model::TimestampMs maxt) const override;

private:
    QList<model::Series> m_series; // index = SeriesId
    QHash<model::Labels, qsizetype> m_index;
};

} // namespace spyglass::query
