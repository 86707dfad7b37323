#include "core/query/promql/float_histogram.h"

#include "core/query/promql/ast.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::query::promql {

namespace {

// 2^(index / 2^schema) without drifting from the exact powers of two.
double exponentialUpper(std::int32_t index, int schema)
{
    if (schema <= 0) {
        const std::int64_t e = std::int64_t(index) << (-schema);
        if (e > 1100)
            return INFINITY;
        if (e < -1100)
            return 0;
        return std::ldexp(1.0, int(e));
    }
    const std::int32_t div = 1 << schema;
    std::int32_t exp = index >> schema; // floor division
    const std::int32_t frac = index - exp * div;
    if (exp > 1100)
        return INFINITY;
    if (exp < -1100)
        return 0;
    return std::ldexp(std::exp2(double(frac) / double(div)), int(exp));
}

// Merges `src` (already in the target layout) into `dst`, both sorted.
void mergeBuckets(QList<HistogramBucket> &dst, const QList<HistogramBucket> &src, double sign)
{
    if (src.isEmpty())
        return;
    QList<HistogramBucket> out;
    out.reserve(dst.size() + src.size());
    qsizetype a = 0, b = 0;
    while (a < dst.size() || b < src.size()) {
        if (b >= src.size() || (a < dst.size() && dst[a].index < src[b].index)) {
            out.push_back(dst[a++]);
        } else if (a >= dst.size() || src[b].index < dst[a].index) {
            out.push_back({src[b].index, sign * src[b].count});
            ++b;
        } else {
            out.push_back({dst[a].index, dst[a].count + sign * src[b].count});
            ++a;
            ++b;
        }
    }
    dst = std::move(out);
}

QList<HistogramBucket> reduceBuckets(const QList<HistogramBucket> &in, int from, int to)
{
    QList<HistogramBucket> out;
    out.reserve(in.size());
    const int shift = from - to;
    for (const auto &b : in) {
        const std::int32_t idx = ((b.index - 1) >> shift) + 1;
        if (!out.isEmpty() && out.back().index == idx)
            out.back().count += b.count;
        else
            out.push_back({idx, b.count});
    }
    return out;
}

// Maps custom buckets onto a coarser set of bounds (a subset of the old ones).
QList<HistogramBucket> remapCustom(const QList<HistogramBucket> &in, const QList<double> &from,
                                   const QList<double> &to)
{
    QList<HistogramBucket> out;
    for (const auto &b : in) {
        const double upper = b.index < from.size() ? from[b.index] : INFINITY;
        const std::int32_t idx = std::int32_t(std::lower_bound(to.begin(), to.end(), upper) - to.begin());
        if (!out.isEmpty() && out.back().index == idx)
            out.back().count += b.count;
        else
            out.push_back({idx, b.count});
    }
    return out;
}

} // namespace

bool customBoundsMatch(const QList<double> &a, const QList<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i] != b[i])
            return false;
    return true;
}

double FloatHistogram::upperBound(std::int32_t index) const
{
    if (usesCustomBuckets())
        return index >= 0 && index < customValues.size() ? customValues[index] : INFINITY;
    return exponentialUpper(index, schema);
}

double FloatHistogram::lowerBound(std::int32_t index) const
{
    if (usesCustomBuckets())
        return index <= 0 ? -INFINITY : customValues.value(index - 1, INFINITY);
    return exponentialUpper(index - 1, schema);
}

QList<BucketRange> FloatHistogram::allBuckets(bool skipEmpty) const
{
    QList<BucketRange> out;
    out.reserve(positive.size() + negative.size() + 1);
    for (qsizetype i = negative.size() - 1; i >= 0; --i) {
        const auto &b = negative[i];
        if (skipEmpty && b.count == 0)
            continue;
        out.push_back({-upperBound(b.index), -lowerBound(b.index), b.count, true, false});
    }
    if (!usesCustomBuckets() && (zeroCount != 0 || (!skipEmpty && zeroThreshold != 0)))
        out.push_back({-zeroThreshold, zeroThreshold, zeroCount, true, true});
    for (const auto &b : positive) {
        if (skipEmpty && b.count == 0)
            continue;
        out.push_back({lowerBound(b.index), upperBound(b.index), b.count, false, true});
    }
    return out;
}

std::pair<double, double> FloatHistogram::zeroCountForLargerThreshold(double threshold) const
{
    for (;;) {
        const double before = threshold;
        double c = zeroCount;
        for (const auto *side : {&positive, &negative}) {
            for (const auto &b : *side) {
                if (lowerBound(b.index) >= threshold)
                    break;
                c += b.count;
                const double up = upperBound(b.index);
                if (up > threshold) {
                    if (b.count != 0)
                        threshold = up;
                    break;
                }
            }
        }
        if (threshold == before)
            return {c, threshold};
    }
}

void FloatHistogram::widenZeroBucket(double threshold)
{
    const auto [c, t] = zeroCountForLargerThreshold(threshold);
    zeroCount = c;
    zeroThreshold = t;
    auto drop = [&](QList<HistogramBucket> &side) {
        side.removeIf([&](const HistogramBucket &b) { return lowerBound(b.index) < t; });
    };
    drop(positive);
    drop(negative);
}

FloatHistogram FloatHistogram::toSchema(int targetSchema) const
{
    if (targetSchema >= schema || usesCustomBuckets())
        return *this;
    FloatHistogram c = *this;
    c.schema = targetSchema;
    c.positive = reduceBuckets(positive, schema, targetSchema);
    c.negative = reduceBuckets(negative, schema, targetSchema);
    return c;
}

FloatHistogram::OpResult FloatHistogram::add(const FloatHistogram &otherIn, bool negate)
{
    OpResult r;
    if (usesCustomBuckets() != otherIn.usesCustomBuckets()) {
        r.incompatible = true;
        return r;
    }
    if (!negate) {
        const CounterResetHint a = hint, b = otherIn.hint;
        if (a == b) {
        } else if (a == CounterResetHint::Gauge || b == CounterResetHint::Gauge) {
            hint = CounterResetHint::Gauge;
        } else if (a == CounterResetHint::Unknown || b == CounterResetHint::Unknown) {
            hint = CounterResetHint::Unknown;
        } else {
            hint = CounterResetHint::Unknown;
            r.counterResetCollision = true;
        }
    }
    FloatHistogram other = otherIn;
    if (usesCustomBuckets()) {
        if (!customBoundsMatch(customValues, other.customValues)) {
            QList<double> common;
            for (double v : customValues)
                if (std::binary_search(other.customValues.begin(), other.customValues.end(), v))
                    common.push_back(v);
            positive = remapCustom(positive, customValues, common);
            other.positive = remapCustom(other.positive, other.customValues, common);
            customValues = common;
            other.customValues = common;
            r.customReconciled = true;
        }
    } else {
        if (other.schema < schema)
            *this = toSchema(other.schema);
        else if (other.schema > schema)
            other = other.toSchema(schema);
        while (other.zeroThreshold != zeroThreshold) {
            if (zeroThreshold > other.zeroThreshold)
                other.widenZeroBucket(zeroThreshold);
            if (other.zeroThreshold > zeroThreshold)
                widenZeroBucket(other.zeroThreshold);
        }
    }
    const double sign = negate ? -1.0 : 1.0;
    zeroCount += sign * other.zeroCount;
    count += sign * other.count;
    sum += sign * other.sum;
    mergeBuckets(positive, other.positive, sign);
    mergeBuckets(negative, other.negative, sign);
    return r;
}

void FloatHistogram::mul(double f)
{
    zeroCount *= f;
    count *= f;
    sum *= f;
    for (auto &b : positive)
        b.count *= f;
    for (auto &b : negative)
        b.count *= f;
}

void FloatHistogram::div(double f)
{
    zeroCount /= f;
    count /= f;
    sum /= f;
    for (auto &b : positive)
        b.count /= f;
    for (auto &b : negative)
        b.count /= f;
}

FloatHistogram &FloatHistogram::compact()
{
    auto empty = [](const HistogramBucket &b) { return b.count == 0; };
    positive.removeIf(empty);
    negative.removeIf(empty);
    return *this;
}

bool FloatHistogram::detectReset(const FloatHistogram &prev) const
{
    if (hint == CounterResetHint::CounterReset)
        return true;
    if (hint == CounterResetHint::NotCounterReset)
        return false;
    if (usesCustomBuckets() != prev.usesCustomBuckets())
        return true;
    if (usesCustomBuckets() && !customBoundsMatch(customValues, prev.customValues))
        return true;
    if (count < prev.count)
        return true;
    if (schema > prev.schema)
        return true;
    if (zeroThreshold < prev.zeroThreshold)
        return true;
    const auto [prevZero, t] = prev.zeroCountForLargerThreshold(zeroThreshold);
    if (t != zeroThreshold)
        return true;
    if (zeroCount < prevZero)
        return true;
    const FloatHistogram p = prev.toSchema(schema);
    auto sideReset = [&](const QList<HistogramBucket> &cur, const QList<HistogramBucket> &old) {
        qsizetype c = 0;
        for (const auto &b : old) {
            if (b.count == 0 || lowerBound(b.index) < zeroThreshold)
                continue;
            while (c < cur.size() && cur[c].index < b.index)
                ++c;
            const double now = c < cur.size() && cur[c].index == b.index ? cur[c].count : 0.0;
            if (now < b.count)
                return true;
        }
        return false;
    };
    return sideReset(positive, p.positive) || sideReset(negative, p.negative);
}

bool FloatHistogram::equals(const FloatHistogram &o) const
{
    if (schema != o.schema || zeroThreshold != o.zeroThreshold || zeroCount != o.zeroCount || count != o.count ||
        !(sum == o.sum || (std::isnan(sum) && std::isnan(o.sum))))
        return false;
    if (usesCustomBuckets() && !customBoundsMatch(customValues, o.customValues))
        return false;
    auto same = [](QList<HistogramBucket> a, QList<HistogramBucket> b) {
        auto empty = [](const HistogramBucket &x) { return x.count == 0; };
        a.removeIf(empty);
        b.removeIf(empty);
        if (a.size() != b.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (a[i].index != b[i].index || a[i].count != b[i].count)
                return false;
        return true;
    };
    return same(positive, o.positive) && same(negative, o.negative);
}

bool FloatHistogram::hasOverflow() const
{
    if (std::isinf(count) || std::isinf(sum) || std::isinf(zeroCount))
        return true;
    for (const auto *side : {&positive, &negative})
        for (const auto &b : *side)
            if (std::isinf(b.count))
                return true;
    return false;
}

QString FloatHistogram::toString() const
{
    QString s = QStringLiteral("{count:%1, sum:%2").arg(formatFloatG(count), formatFloatG(sum));
    for (const auto &b : allBuckets(true)) {
        s += QStringLiteral(", ") + QChar(b.lowerInclusive ? u'[' : u'(') + formatFloatG(b.lower) + u',' +
             formatFloatG(b.upper) + QChar(b.upperInclusive ? u']' : u')') + u':' + formatFloatG(b.count);
    }
    s += u'}';
    return s;
}

QString FloatHistogram::testExpression() const
{
    QStringList parts;
    parts << QStringLiteral("schema:%1").arg(schema);
    if (count != 0)
        parts << QStringLiteral("count:%1").arg(formatFloatG(count));
    if (sum != 0)
        parts << QStringLiteral("sum:%1").arg(formatFloatG(sum));
    if (zeroCount != 0)
        parts << QStringLiteral("z_bucket:%1").arg(formatFloatG(zeroCount));
    if (zeroThreshold != 0)
        parts << QStringLiteral("z_bucket_w:%1").arg(formatFloatG(zeroThreshold));
    auto side = [&](const QList<HistogramBucket> &bs, const QString &prefix) {
        if (bs.isEmpty())
            return;
        QStringList vals;
        std::int32_t next = bs.front().index;
        for (const auto &b : bs) {
            for (; next < b.index; ++next)
                vals << QStringLiteral("0");
            vals << formatFloatG(b.count);
            next = b.index + 1;
        }
        if (bs.front().index != 0)
            parts << QStringLiteral("%1offset:%2").arg(prefix).arg(bs.front().index);
        parts << QStringLiteral("%1buckets:[%2]").arg(prefix, vals.join(u' '));
    };
    side(positive, QString());
    side(negative, QStringLiteral("n_"));
    if (usesCustomBuckets()) {
        QStringList cv;
        for (double v : customValues)
            cv << formatFloatG(v);
        parts << QStringLiteral("custom_values:[%1]").arg(cv.join(u' '));
    }
    switch (hint) {
    case CounterResetHint::CounterReset: parts << QStringLiteral("counter_reset_hint:reset"); break;
    case CounterResetHint::NotCounterReset: parts << QStringLiteral("counter_reset_hint:not_reset"); break;
    case CounterResetHint::Gauge: parts << QStringLiteral("counter_reset_hint:gauge"); break;
    case CounterResetHint::Unknown: break;
    }
    return QStringLiteral("{{") + parts.join(u' ') + QStringLiteral("}}");
}

} // namespace spyglass::query::promql
