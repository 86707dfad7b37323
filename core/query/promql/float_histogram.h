#pragma once

#include <QList>
#include <QString>
#include <cstdint>
#include <memory>

namespace spyglass::query::promql {

// Prometheus's counter reset hint of a native histogram sample.
enum class CounterResetHint { Unknown, CounterReset, NotCounterReset, Gauge };

// One populated (or explicitly empty) bucket of a native histogram.
struct HistogramBucket
{
    std::int32_t index = 0;
    double count = 0;
};

// The bounds and count of one bucket, as iterated for quantiles, fractions
// and the API's JSON.
struct BucketRange
{
    double lower = 0;
    double upper = 0;
    double count = 0;
    bool lowerInclusive = false;
    bool upperInclusive = true;
};

// A native histogram sample with float counts (Prometheus's
// FloatHistogram). Buckets are kept as sorted (index, count) lists instead
// of spans: the same information, and merging two layouts stays a simple
// sorted merge. Exponential schemas -4..8 place bucket i at
// (2^((i-1)/2^schema), 2^(i/2^schema)]; schema -53 uses `customValues` as
// upper bounds (NHCB, native histograms with custom buckets).
class FloatHistogram
{
public:
    static constexpr int kCustomBucketsSchema = -53;

    CounterResetHint hint = CounterResetHint::Unknown;
    int schema = 0;
    double zeroThreshold = 0;
    double zeroCount = 0;
    double count = 0;
    double sum = 0;
    QList<HistogramBucket> positive; // sorted by index
    QList<HistogramBucket> negative; // sorted by index (index i covers [-upper, -lower))
    QList<double> customValues;

    bool usesCustomBuckets() const { return schema == kCustomBucketsSchema; }

    // Upper bound of bucket `index` (absolute value for negative buckets).
    double upperBound(std::int32_t index) const;
    double lowerBound(std::int32_t index) const;

    // Negative buckets from the most negative, then the zero bucket, then
    // positive buckets; `skipEmpty` leaves out buckets without observations.
    QList<BucketRange> allBuckets(bool skipEmpty = true) const;

    // Outcome of an addition or subtraction.
    struct OpResult
    {
        bool incompatible = false;      // exponential mixed with custom buckets
        bool customReconciled = false;  // custom bounds reduced to their intersection
        bool counterResetCollision = false;
    };
    // this += other (or -= with `negate`): schemas and zero buckets are
    // reconciled to the coarser of the two, as Prometheus does.
    OpResult add(const FloatHistogram &other, bool negate = false);

    void mul(double f);
    void div(double f);
    // Drops empty buckets (Prometheus's Compact(0) for our representation).
    FloatHistogram &compact();
    // A copy reduced to a coarser exponential schema.
    FloatHistogram toSchema(int targetSchema) const;

    // Whether `this` (the later sample) shows a counter reset after `prev`.
    bool detectReset(const FloatHistogram &prev) const;
    // Exact equality including the bucket layout of populated buckets.
    bool equals(const FloatHistogram &o) const;
    // Any count or the sum is infinite (the running sum overflowed).
    bool hasOverflow() const;

    // Prometheus's String(): `{count:4, sum:5, [-1,-0.5):1, [-0.001,0.001]:2, (0.5,1]:1}`.
    QString toString() const;
    // The notation of the test scripts: `{{schema:0 count:4 sum:5 buckets:[1 2 1]}}`.
    QString testExpression() const;

private:
    // (zero count, threshold) if the zero bucket were widened to at least `threshold`.
    std::pair<double, double> zeroCountForLargerThreshold(double threshold) const;
    void widenZeroBucket(double threshold);
};

using HistogramPtr = std::shared_ptr<const FloatHistogram>;

// Equal custom bucket bounds.
bool customBoundsMatch(const QList<double> &a, const QList<double> &b);

} // namespace spyglass::query::promql
