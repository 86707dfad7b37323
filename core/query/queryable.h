#pragma once

#include "core/model/label_matcher.h"
#include "core/model/result.h"
#include "core/model/sample.h"
#include "core/store/metric_store.h"

#include <memory>

namespace spyglass::query {

namespace promql {
class FloatHistogram;
}

// A native histogram sample (the PromQL engine's FloatHistogram).
struct HistogramSample
{
    model::TimestampMs t = 0;
    std::shared_ptr<const promql::FloatHistogram> h;
};

// What the PromQL engine reads from: series by matchers, then each series'
// samples for just the window it needs, so evaluation streams series by
// series instead of materialising the whole selection.
class Queryable
{
public:
    virtual ~Queryable() = default;
    virtual Result<QList<store::SeriesRef>> select(const model::LabelMatchers &matchers) const = 0;
    virtual Result<QList<model::Sample>> samples(store::SeriesId id, model::TimestampMs mint,
                                                 model::TimestampMs maxt) const = 0;

    // Native histogram samples. The store keeps floats only, so by default
    // there are none; MemoryQueryable (tests, promqltest) overrides these.
    virtual bool hasHistograms() const { return false; }
    virtual Result<QList<HistogramSample>> histogramSamples(store::SeriesId, model::TimestampMs,
                                                            model::TimestampMs) const
    {
        return QList<HistogramSample>{};
    }
};

// The embedded store as a Queryable.
class MetricStoreQueryable final : public Queryable
{
public:
    explicit MetricStoreQueryable(const store::MetricStore &s) : m_store(s) {}
    Result<QList<store::SeriesRef>> select(const model::LabelMatchers &m) const override
    {
        return m_store.select(m);
    }
    Result<QList<model::Sample>> samples(store::SeriesId id, model::TimestampMs mint,
                                         model::TimestampMs maxt) const override
    {
        return m_store.samples(id, mint, maxt);
    }

private:
    const store::MetricStore &m_store;
};

} // namespace spyglass::query
