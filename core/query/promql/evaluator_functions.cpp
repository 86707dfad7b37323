#include "core/query/promql/evaluator.h"

#include "core/query/promql/functions.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>
#include <cmath>
#include <limits>
#include <re2/re2.h>

namespace spyglass::query::promql {

using model::Labels;
using model::Sample;
using model::TimestampMs;

// ---- Prometheus's labels hash (xxhash64 of name\xffvalue\xff...) ----

namespace {
constexpr std::uint64_t P1 = 11400714785074694791ULL, P2 = 14029467366897019727ULL,
                        P3 = 1609587929392839161ULL, P4 = 9650029242287828579ULL,
                        P5 = 2870177450012600261ULL;
inline std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline std::uint64_t rd64(const unsigned char *p) { std::uint64_t v; std::memcpy(&v, p, 8); return v; }
inline std::uint32_t rd32(const unsigned char *p) { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
inline std::uint64_t round1(std::uint64_t acc, std::uint64_t in) { acc += in * P2; acc = rotl(acc, 31); return acc * P1; }
inline std::uint64_t merge(std::uint64_t acc, std::uint64_t v) { acc ^= round1(0, v); return acc * P1 + P4; }

std::uint64_t xxhash64(const QByteArray &data)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    const std::size_t len = std::size_t(data.size());
    const unsigned char *end = p + len;
    std::uint64_t h;
    if (len >= 32) {
        std::uint64_t v1 = P1 + P2, v2 = P2, v3 = 0, v4 = 0 - P1;
        const unsigned char *limit = end - 32;
        do {
            v1 = round1(v1, rd64(p)); p += 8;
            v2 = round1(v2, rd64(p)); p += 8;
            v3 = round1(v3, rd64(p)); p += 8;
            v4 = round1(v4, rd64(p)); p += 8;
        } while (p <= limit);
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4);
    } else {
        h = P5;
    }
    h += len;
    while (p + 8 <= end) {
        h ^= round1(0, rd64(p));
        h = rotl(h, 27) * P1 + P4;
        p += 8;
    }
    if (p + 4 <= end) {
        h ^= std::uint64_t(rd32(p)) * P1;
        h = rotl(h, 23) * P2 + P3;
        p += 4;
    }
    while (p < end) {
        h ^= std::uint64_t(*p) * P5;
        h = rotl(h, 11) * P1;
        ++p;
    }
    h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32;
    return h;
}
} // namespace

std::uint64_t prometheusLabelsHash(const Labels &l)
{
    QByteArray b;
    for (const auto &p : l) {
        b += p.name.toUtf8();
        b += '\xff';
        b += p.value.toUtf8();
        b += '\xff';
    }
    return xxhash64(b);
}

namespace {

const Expr &unwrap(const Expr &e)
{
    const Expr *p = &e;
    while (p->kind == NodeKind::Paren)
        p = p->args[0].get();
    return *p;
}

double linearRegressionSlope(const QList<Point> &s, qsizetype b, qsizetype e, TimestampMs interceptT, double *intercept)
{
    double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
    const double initY = s[b].v;
    bool constY = true;
    for (qsizetype i = b; i < e; ++i) {
        if (constY && i > b && s[i].v != initY)
            constY = false;
        n += 1;
        const double x = double(s[i].t - interceptT) / 1e3;
        sumX = kahanSumInc(x, sumX, cX);
        sumY = kahanSumInc(s[i].v, sumY, cY);
        sumXY = kahanSumInc(x * s[i].v, sumXY, cXY);
        sumX2 = kahanSumInc(x * x, sumX2, cX2);
    }
    if (constY) {
        if (std::isinf(initY)) {
            *intercept = std::nan("");
            return std::nan("");
        }
        *intercept = initY;
        return 0;
    }
    sumX += cX;
    sumY += cY;
    sumXY += cXY;
    sumX2 += cX2;
    const double covXY = sumXY - sumX * sumY / n;
    const double varX = sumX2 - sumX * sumX / n;
    const double slope = covXY / varX;
    *intercept = sumY / n - slope * sumX / n;
    return slope;
}

double quantileSorted(double q, QList<double> values)
{
    if (values.isEmpty() || std::isnan(q))
        return std::nan("");
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    std::sort(values.begin(), values.end(), [](double a, double b) {
        if (std::isnan(a))
            return !std::isnan(b);
        return a < b;
    });
    const double n = double(values.size());
    const double rank = q * (n - 1);
    const double lower = std::max(0.0, std::floor(rank));
    const double upper = std::min(n - 1, lower + 1);
    const double weight = rank - std::floor(rank);
    return values[qsizetype(lower)] * (1 - weight) + values[qsizetype(upper)] * weight;
}

struct Window
{
    const QList<Point> *s;
    qsizetype b, e; // [b, e)
    qsizetype size() const { return e - b; }
    const Point &operator[](qsizetype i) const { return (*s)[b + i]; }
};

// extrapolatedRate from Prometheus (float samples).
std::optional<double> extrapolatedRate(const Window &w, TimestampMs rangeStart, TimestampMs rangeEnd,
                                       std::int64_t rangeMs, bool isCounter, bool isRate)
{
    if (w.size() < 2)
        return std::nullopt;
    const qsizetype n1 = w.size() - 1;
    const TimestampMs firstT = w[0].t, lastT = w[n1].t;
    double result = w[n1].v - w[0].v;
    if (isCounter) {
        double prev = w[0].v;
        for (qsizetype i = 1; i < w.size(); ++i) {
            if (w[i].v < prev)
                result += prev;
            prev = w[i].v;
        }
    }
    double durationToStart = double(firstT - rangeStart) / 1000;
    double durationToEnd = double(rangeEnd - lastT) / 1000;
    const double sampledInterval = double(lastT - firstT) / 1000;
    const double avg = sampledInterval / double(n1);
    const double threshold = avg * 1.1;
    double extrapolateTo = sampledInterval;
    if (durationToStart >= threshold)
        durationToStart = avg / 2;
    if (isCounter && result > 0 && w[0].v >= 0) {
        const double durationToZero = sampledInterval * (w[0].v / result);
        if (durationToZero < durationToStart)
            durationToStart = durationToZero;
    }
    extrapolateTo += durationToStart;
    if (durationToEnd >= threshold)
        durationToEnd = avg / 2;
    extrapolateTo += durationToEnd;
    double factor = extrapolateTo / sampledInterval;
    if (isRate)
        factor /= double(rangeMs) / 1000;
    return result * factor;
}

double mathFn(const QString &n, double x, bool *ok)
{
    *ok = true;
    if (n == u"abs") return std::abs(x);
    if (n == u"ceil") return std::ceil(x);
    if (n == u"floor") return std::floor(x);
    if (n == u"exp") return std::exp(x);
    if (n == u"sqrt") return std::sqrt(x);
    if (n == u"ln") return std::log(x);
    if (n == u"log2") return std::log2(x);
    if (n == u"log10") return std::log10(x);
    if (n == u"sgn") return x < 0 ? -1 : x > 0 ? 1 : x;
    if (n == u"sin") return std::sin(x);
    if (n == u"cos") return std::cos(x);
    if (n == u"tan") return std::tan(x);
    if (n == u"asin") return std::asin(x);
    if (n == u"acos") return std::acos(x);
    if (n == u"atan") return std::atan(x);
    if (n == u"sinh") return std::sinh(x);
    if (n == u"cosh") return std::cosh(x);
    if (n == u"tanh") return std::tanh(x);
    if (n == u"asinh") return std::asinh(x);
    if (n == u"acosh") return std::acosh(x);
    if (n == u"atanh") return std::atanh(x);
    if (n == u"deg") return x * 180 / M_PI;
    if (n == u"rad") return x * M_PI / 180;
    *ok = false;
    return 0;
}

std::optional<double> dateFn(const QString &n, double secs)
{
    if (std::isnan(secs) || std::isinf(secs))
        return std::nullopt;
    const QDateTime dt = QDateTime::fromSecsSinceEpoch(std::int64_t(std::floor(secs)), QTimeZone::utc());
    const QDate d = dt.date();
    if (n == u"day_of_month") return d.day();
    if (n == u"day_of_week") return d.dayOfWeek() % 7;
    if (n == u"day_of_year") return d.dayOfYear();
    if (n == u"days_in_month") return d.daysInMonth();
    if (n == u"hour") return dt.time().hour();
    if (n == u"minute") return dt.time().minute();
    if (n == u"month") return d.month();
    if (n == u"year") return d.year();
    return std::nullopt;
}

// Go's regexp.Expand for label_replace's replacement template.
QString expandTemplate(const QString &tmpl, const re2::RE2 &re, const std::vector<re2::StringPiece> &groups)
{
    QString out;
    const auto &names = re.NamedCapturingGroups();
    auto groupText = [&](const QString &name) -> QString {
        bool isNum = false;
        const int num = name.toInt(&isNum);
        int idx = -1;
        if (isNum && !name.startsWith(u'+') && !name.startsWith(u'-'))
            idx = num;
        else {
            auto it = names.find(name.toStdString());
            if (it != names.end())
                idx = it->second;
        }
        if (idx < 0 || idx >= int(groups.size()) || groups[size_t(idx)].data() == nullptr)
            return {};
        return QString::fromUtf8(groups[size_t(idx)].data(), qsizetype(groups[size_t(idx)].size()));
    };
    for (qsizetype i = 0; i < tmpl.size(); ++i) {
        const QChar c = tmpl[i];
        if (c != u'$' || i + 1 >= tmpl.size()) {
            out += c;
            continue;
        }
        const QChar nx = tmpl[i + 1];
        if (nx == u'$') {
            out += u'$';
            ++i;
            continue;
        }
        if (nx == u'{') {
            const qsizetype close = tmpl.indexOf(u'}', i + 2);
            if (close < 0) {
                out += c;
                continue;
            }
            const QString name = tmpl.mid(i + 2, close - i - 2);
            bool valid = !name.isEmpty();
            for (QChar ch : name)
                if (!(ch.isLetterOrNumber() || ch == u'_'))
                    valid = false;
            if (!valid) {
                out += c;
                continue;
            }
            out += groupText(name);
            i = close;
            continue;
        }
        qsizetype j = i + 1;
        while (j < tmpl.size() && (tmpl[j].isLetterOrNumber() || tmpl[j] == u'_'))
            ++j;
        if (j == i + 1) {
            out += c;
            continue;
        }
        out += groupText(tmpl.mid(i + 1, j - i - 1));
        i = j - 1;
    }
    return out;
}

bool validLabelNameStrict(const QString &n)
{
    // Prometheus 3 accepts any valid UTF-8; invalid bytes decode to U+FFFD.
    return !n.isEmpty() && !n.contains(QChar(QChar::ReplacementCharacter));
}

QList<QString> natSplit(const QString &s)
{
    QList<QString> parts;
    QString cur;
    bool digit = false;
    for (QChar c : s) {
        const bool d = c.isDigit();
        if (!cur.isEmpty() && d != digit) {
            parts << cur;
            cur.clear();
        }
        digit = d;
        cur += c;
    }
    if (!cur.isEmpty())
        parts << cur;
    return parts;
}

int natCompare(const QString &a, const QString &b)
{
    const auto pa = natSplit(a), pb = natSplit(b);
    for (qsizetype i = 0; i < std::min(pa.size(), pb.size()); ++i) {
        const bool da = pa[i][0].isDigit(), db = pb[i][0].isDigit();
        if (da && db) {
            bool ok1, ok2;
            const qulonglong x = pa[i].toULongLong(&ok1), y = pb[i].toULongLong(&ok2);
            if (ok1 && ok2 && x != y)
                return x < y ? -1 : 1;
            if (pa[i] != pb[i])
                return pa[i] < pb[i] ? -1 : 1;
        } else if (pa[i] != pb[i]) {
            return pa[i] < pb[i] ? -1 : 1;
        }
    }
    if (pa.size() != pb.size())
        return pa.size() < pb.size() ? -1 : 1;
    return 0;
}

struct Bucket
{
    double upper;
    double count;
};

bool almostEqual(double a, double b, double eps)
{
    if (a == b)
        return true;
    const double minNormal = 2.2250738585072014e-308;
    const double absSum = std::abs(a) + std::abs(b);
    const double diff = std::abs(a - b);
    if (a == 0 || b == 0 || absSum < minNormal)
        return diff < eps * minNormal;
    return diff / std::min(absSum, std::numeric_limits<double>::max()) < eps;
}

double bucketQuantile(double q, QList<Bucket> buckets, bool *forcedMonotonic)
{
    *forcedMonotonic = false;
    if (std::isnan(q))
        return std::nan("");
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    std::sort(buckets.begin(), buckets.end(), [](const Bucket &a, const Bucket &b) { return a.upper < b.upper; });
    if (buckets.isEmpty() || !std::isinf(buckets.back().upper) || buckets.back().upper < 0)
        return std::nan("");
    // coalesce equal bounds
    QList<Bucket> co;
    for (const auto &b : buckets) {
        if (!co.isEmpty() && co.back().upper == b.upper)
            co.back().count += b.count;
        else
            co.push_back(b);
    }
    buckets = co;
    double prev = buckets[0].count;
    for (qsizetype i = 1; i < buckets.size(); ++i) {
        const double curr = buckets[i].count;
        if (curr == prev)
            continue;
        if (almostEqual(prev, curr, 1e-12)) {
            buckets[i].count = prev;
            continue;
        }
        if (curr < prev) {
            buckets[i].count = prev;
            *forcedMonotonic = true;
            continue;
        }
        prev = curr;
    }
    if (buckets.size() < 2)
        return std::nan("");
    const double observations = buckets.back().count;
    if (observations == 0)
        return std::nan("");
    double rank = q * observations;
    qsizetype b = 0;
    while (b < buckets.size() - 1 && !(buckets[b].count >= rank))
        ++b;
    if (b == buckets.size() - 1)
        return buckets[buckets.size() - 2].upper;
    if (b == 0 && buckets[0].upper <= 0)
        return buckets[0].upper;
    double bucketStart = 0;
    const double bucketEnd = buckets[b].upper;
    double count = buckets[b].count;
    if (b > 0) {
        bucketStart = buckets[b - 1].upper;
        count -= buckets[b - 1].count;
        rank -= buckets[b - 1].count;
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

// Prometheus's BucketFraction for classic buckets: linear interpolation
// inside finite buckets; a value inside an infinitely wide bucket sits at
// its finite edge (no interpolation).
double bucketFraction(double lower, double upper, QList<Bucket> buckets)
{
    std::sort(buckets.begin(), buckets.end(), [](const Bucket &a, const Bucket &b) { return a.upper < b.upper; });
    if (buckets.isEmpty() || !std::isinf(buckets.back().upper) || buckets.back().upper < 0)
        return std::nan("");
    QList<Bucket> co;
    for (const auto &b : buckets) {
        if (!co.isEmpty() && co.back().upper == b.upper)
            co.back().count += b.count;
        else
            co.push_back(b);
    }
    buckets = co;
    const double count = buckets.back().count;
    if (count == 0 || std::isnan(lower) || std::isnan(upper))
        return std::nan("");
    if (lower >= upper)
        return 0;
    double rank = 0, lowerRank = 0, upperRank = 0;
    bool lowerSet = false, upperSet = false;
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        const Bucket &b = buckets[i];
        const double upperBound = b.upper;
        double lowerBound = -INFINITY;
        if (i > 0)
            lowerBound = buckets[i - 1].upper;
        else if (upperBound > 0)
            lowerBound = 0;
        auto interpolate = [&](double v) {
            if (std::isinf(lowerBound))
                return b.count;
            if (std::isinf(upperBound))
                return rank;
            return rank + (b.count - rank) * (v - lowerBound) / (upperBound - lowerBound);
        };
        if (!lowerSet && lowerBound >= lower) {
            lowerRank = rank;
            lowerSet = true;
        }
        if (!upperSet && lowerBound >= upper) {
            upperRank = rank;
            upperSet = true;
        }
        if (lowerSet && upperSet)
            break;
        if (!lowerSet && lowerBound < lower && upperBound > lower) {
            lowerRank = interpolate(lower);
            lowerSet = true;
        }
        if (!upperSet && lowerBound < upper && upperBound > upper) {
            upperRank = interpolate(upper);
            upperSet = true;
        }
        if (lowerSet && upperSet)
            break;
        rank = b.count;
    }
    if (!lowerSet || lowerRank > count)
        lowerRank = count;
    if (!upperSet || upperRank > count)
        upperRank = count;
    return (upperRank - lowerRank) / count;
}

// rate/increase/delta/changes/resets over an anchored or smoothed window.
// Samples [b, en) are inside (lo, hi]; the others are context around it.
std::optional<double> modifiedRange(const QString &fn, const QList<Point> &s, qsizetype b, qsizetype en,
                                    TimestampMs lo, TimestampMs hi, std::int64_t rangeMs, RangeModifier mod)
{
    const bool counter = fn != u"delta";
    const std::int64_t lookback = 5 * 60 * 1000;
    if (mod == RangeModifier::Anchored) {
        if (en <= b)
            return std::nullopt;
        qsizetype first = b;
        if (b > 0 && s[b - 1].t > lo - lookback)
            first = b - 1; // the anchor: the last sample at or before the window start
        if (fn == u"changes" || fn == u"resets") {
            double n = 0;
            for (qsizetype k = first + 1; k < en; ++k) {
                const double prev = s[k - 1].v, cur = s[k].v;
                if (fn == u"changes" ? (cur != prev && !(std::isnan(cur) && std::isnan(prev))) : cur < prev)
                    n += 1;
            }
            return n;
        }
        double result = s[en - 1].v - s[first].v;
        if (counter)
            for (qsizetype k = first + 1; k < en; ++k)
                if (s[k].v < s[k - 1].v)
                    result += s[k - 1].v;
        if (fn == u"rate")
            result /= double(rangeMs) / 1000.0;
        return result;
    }
    // Smoothed: values at both edges, interpolated between the neighbouring
    // samples (counter resets removed first for rate/increase).
    qsizetype from = b;
    while (from > 0 && s[from - 1].t > lo - lookback && (from == b || s[from].t > lo))
        --from;
    qsizetype to = en; // one past the last sample used
    if (to < s.size() && s[to].t < hi + lookback)
        ++to;
    if (to <= from)
        return std::nullopt;
    QList<double> adj;
    adj.reserve(to - from);
    double offset = 0;
    for (qsizetype k = from; k < to; ++k) {
        if (counter && k > from && s[k].v < s[k - 1].v)
            offset += s[k - 1].v;
        adj.push_back(s[k].v + offset);
    }
    auto valueAt = [&](TimestampMs x) -> std::optional<double> {
        qsizetype prev = -1, next = -1;
        for (qsizetype k = from; k < to; ++k) {
            if (s[k].t <= x)
                prev = k;
            else if (next < 0)
                next = k;
        }
        if (prev >= 0 && (s[prev].t == x || next < 0))
            return adj[prev - from];
        if (prev < 0 && next >= 0)
            return adj[next - from];
        if (prev < 0)
            return std::nullopt;
        const double f = double(x - s[prev].t) / double(s[next].t - s[prev].t);
        return adj[prev - from] + (adj[next - from] - adj[prev - from]) * f;
    };
    const auto vs = valueAt(lo), ve = valueAt(hi);
    if (!vs || !ve)
        return std::nullopt;
    double result = *ve - *vs;
    if (fn == u"rate")
        result /= double(rangeMs) / 1000.0;
    return result;
}

// Prometheus's HistogramQuantile for native histograms. `nanInfo` reports
// NaN observations: 1 = the result is NaN, 2 = the result is skewed higher.
double nativeHistogramQuantile(double q, const FloatHistogram &h, int *nanInfo)
{
    *nanInfo = 0;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    if (h.count == 0 || std::isnan(q))
        return std::nan("");
    const QList<BucketRange> all = h.allBuckets(true);
    const bool hasNaN = std::isnan(h.sum);
    const bool forward = hasNaN || q < 0.5;
    double rank = forward ? q * h.count : (1 - q) * h.count;
    double count = 0;
    BucketRange bucket;
    const qsizetype n = all.size();
    for (qsizetype k = 0; k < n; ++k) {
        bucket = all[forward ? k : n - 1 - k];
        count += bucket.count;
        if (count >= rank)
            break;
    }
    if (n == 0)
        return std::nan("");
    if (hasNaN) {
        double total = 0;
        for (const auto &b : all)
            total += b.count;
        if (total < h.count) {
            if (count < rank) {
                *nanInfo = 1;
                return std::nan("");
            }
            *nanInfo = 2;
        }
    }
    if (!h.usesCustomBuckets() && bucket.lower < 0 && bucket.upper > 0) {
        if (h.negative.isEmpty() && !h.positive.isEmpty())
            bucket.lower = 0;
        else if (h.positive.isEmpty() && !h.negative.isEmpty())
            bucket.upper = 0;
    } else if (h.usesCustomBuckets()) {
        if (bucket.lower == -INFINITY) {
            if (bucket.upper <= 0)
                return bucket.upper;
            bucket.lower = 0;
        } else if (bucket.upper == INFINITY) {
            return bucket.lower;
        }
    }
    if (count > h.count)
        count = h.count;
    if (count < rank)
        return bucket.upper;
    if (forward)
        rank -= count - bucket.count;
    else
        rank = count - rank;
    if (h.usesCustomBuckets() || (bucket.lower <= 0 && bucket.upper >= 0))
        return bucket.lower + (bucket.upper - bucket.lower) * (rank / bucket.count);
    const double logLower = std::log2(std::abs(bucket.lower));
    const double logUpper = std::log2(std::abs(bucket.upper));
    if (bucket.lower > 0)
        return std::exp2(logLower + (logUpper - logLower) * rank / bucket.count);
    return -std::exp2(logUpper + (logLower - logUpper) * (1 - rank / bucket.count));
}

// Prometheus's HistogramFraction for native histograms.
double nativeHistogramFraction(double lower, double upper, const FloatHistogram &h, bool *nanObservations)
{
    *nanObservations = false;
    if (h.count == 0 || std::isnan(lower) || std::isnan(upper))
        return std::nan("");
    if (std::isnan(h.sum)) {
        double total = h.usesCustomBuckets() ? 0 : h.zeroCount;
        for (const auto &b : h.allBuckets(true))
            total += b.count;
        *nanObservations = total < h.count;
    }
    if (lower >= upper)
        return 0;
    double rank = 0, lowerRank = 0, upperRank = 0;
    bool lowerSet = false, upperSet = false;
    for (BucketRange b : h.allBuckets(true)) {
        bool zeroBucket = false;
        if (!h.usesCustomBuckets() && b.lower <= 0 && b.upper >= 0) {
            zeroBucket = true;
            if (h.negative.isEmpty() && !h.positive.isEmpty())
                b.lower = 0;
            else if (h.positive.isEmpty() && !h.negative.isEmpty())
                b.upper = 0;
        }
        if (h.usesCustomBuckets() && b.lower == -INFINITY && b.upper > 0)
            b.lower = 0;
        auto interpolate = [&](double v) {
            if (h.usesCustomBuckets() || zeroBucket) {
                if (std::isinf(b.lower))
                    return rank + b.count;
                if (std::isinf(b.upper))
                    return rank;
                return rank + b.count * (v - b.lower) / (b.upper - b.lower);
            }
            const double logLower = std::log2(std::abs(b.lower)), logUpper = std::log2(std::abs(b.upper)),
                         logV = std::log2(std::abs(v));
            const double fraction = v > 0 ? (logV - logLower) / (logUpper - logLower)
                                          : 1 - ((logV - logUpper) / (logLower - logUpper));
            return rank + b.count * fraction;
        };
        if (!lowerSet && b.lower >= lower) {
            lowerRank = rank;
            lowerSet = true;
        }
        if (!upperSet && b.lower >= upper) {
            upperRank = rank;
            upperSet = true;
        }
        if (lowerSet && upperSet)
            break;
        if (!lowerSet && b.lower < lower && b.upper > lower) {
            lowerRank = interpolate(lower);
            lowerSet = true;
        }
        if (!upperSet && b.lower < upper && b.upper > upper) {
            upperRank = interpolate(upper);
            upperSet = true;
        }
        if (lowerSet && upperSet)
            break;
        rank += b.count;
    }
    if (!lowerSet || lowerRank > h.count)
        lowerRank = h.count;
    if (!upperSet || upperRank > h.count)
        upperRank = h.count;
    return (upperRank - lowerRank) / h.count;
}

// ---- native histograms in range functions ----

QString mixedFloatsHistogramsWarning(const QString &metric)
{
    return QStringLiteral("PromQL warning: encountered a mix of histograms and floats for metric name \"%1\"").arg(metric);
}
QString mixedExpCustomWarning(const QString &metric)
{
    return QStringLiteral("PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"%1\"").arg(metric);
}
QString notCounterWarning(const QString &metric)
{
    return QStringLiteral("PromQL warning: this native histogram metric is not a counter: \"%1\"").arg(metric);
}
QString notGaugeWarning(const QString &metric)
{
    return QStringLiteral("PromQL warning: this native histogram metric is not a gauge: \"%1\"").arg(metric);
}

struct HistWindowResult
{
    bool handled = false; // false: the function works on the floats only
    std::optional<Point> point;
};

// Prometheus's histogramRate: the increase of a histogram counter (or the
// difference of a gauge histogram) over the window, before extrapolation.
std::shared_ptr<FloatHistogram> histogramRate(const Window &w, bool isCounter, const QString &metric, QStringList &annos)
{
    HistogramPtr prev = w[0].h;
    const HistogramPtr last = w[w.size() - 1].h;
    bool usingCustom = prev->usesCustomBuckets();
    if (isCounter && (prev->hint == CounterResetHint::Gauge || last->hint == CounterResetHint::Gauge))
        annos << notCounterWarning(metric);
    if (isCounter && w.size() > 1) {
        const HistogramPtr second = w[1].h;
        if (second->detectReset(*prev)) {
            auto empty = std::make_shared<FloatHistogram>();
            empty->schema = second->schema;
            empty->customValues = second->customValues;
            prev = empty;
            usingCustom = second->usesCustomBuckets();
        }
    }
    if (last->usesCustomBuckets() != usingCustom) {
        annos << mixedExpCustomWarning(metric);
        return {};
    }
    int minSchema = std::min(last->schema, prev->schema);
    for (qsizetype k = 1; k + 1 < w.size(); ++k) {
        const auto &cur = w[k].h;
        if (!isCounter)
            continue;
        if (cur->hint == CounterResetHint::Gauge)
            annos << notCounterWarning(metric);
        minSchema = std::min(minSchema, cur->schema);
        if (cur->usesCustomBuckets() != usingCustom) {
            annos.clear();
            annos << mixedExpCustomWarning(metric);
            return {};
        }
    }
    auto h = std::make_shared<FloatHistogram>(last->toSchema(minSchema));
    const auto sub = h->add(*prev, true);
    if (sub.incompatible) {
        annos << mixedExpCustomWarning(metric);
        return {};
    }
    if (sub.customReconciled)
        annos << QStringLiteral("PromQL info: mismatched custom buckets were reconciled during subtraction");
    if (isCounter) {
        HistogramPtr p = prev;
        for (qsizetype k = 1; k < w.size(); ++k) {
            const HistogramPtr cur = w[k].h;
            if (cur->detectReset(*p)) {
                const auto r = h->add(*p);
                if (r.incompatible) {
                    annos << mixedExpCustomWarning(metric);
                    return {};
                }
                if (r.customReconciled)
                    annos << QStringLiteral("PromQL info: mismatched custom buckets were reconciled during addition");
            }
            p = cur;
        }
    } else if (w[0].h->hint != CounterResetHint::Gauge || last->hint != CounterResetHint::Gauge) {
        annos << notGaugeWarning(metric);
    }
    h->hint = CounterResetHint::Gauge;
    h->compact();
    return h;
}

// Sum (or mean) of the histograms of a window, with Prometheus's annotations.
std::shared_ptr<FloatHistogram> histogramSumOverTime(const Window &w, bool mean, const QString &metric, QStringList &annos)
{
    auto sum = std::make_shared<FloatHistogram>(*w[0].h);
    bool reset = false, notReset = false, reconciled = false;
    auto track = [&](const FloatHistogram &h) {
        reset = reset || h.hint == CounterResetHint::CounterReset;
        notReset = notReset || h.hint == CounterResetHint::NotCounterReset;
    };
    track(*sum);
    for (qsizetype k = 1; k < w.size(); ++k) {
        track(*w[k].h);
        const auto r = sum->add(*w[k].h);
        if (r.incompatible) {
            annos << mixedExpCustomWarning(metric);
            return {};
        }
        reconciled = reconciled || r.customReconciled;
    }
    if (reset && notReset)
        annos << QStringLiteral("PromQL warning: conflicting counter resets during histogram aggregation");
    if (reconciled)
        annos << QStringLiteral("PromQL info: mismatched custom buckets were reconciled during aggregation");
    if (mean)
        sum->div(double(w.size()));
    sum->compact();
    return sum;
}

HistWindowResult histogramWindow(const QString &name, const Window &w, qsizetype nF, qsizetype nH, TimestampMs rangeStart,
                                 TimestampMs rangeEnd, std::int64_t rangeMs, const QString &metric, QStringList &annos)
{
    HistWindowResult out;
    out.handled = true;
    if (name == u"rate" || name == u"increase" || name == u"delta") {
        if (nF > 0) {
            annos << mixedFloatsHistogramsWarning(metric);
            return out;
        }
        if (nH < 2)
            return out;
        const bool isCounter = name != u"delta", isRate = name == u"rate";
        auto h = histogramRate(w, isCounter, metric, annos);
        if (!h)
            return out;
        const TimestampMs firstT = w[0].t, lastT = w[w.size() - 1].t;
        double durationToStart = double(firstT - rangeStart) / 1000;
        double durationToEnd = double(rangeEnd - lastT) / 1000;
        const double sampledInterval = double(lastT - firstT) / 1000;
        const double avg = sampledInterval / double(w.size() - 1);
        const double threshold = avg * 1.1;
        if (durationToStart >= threshold)
            durationToStart = avg / 2;
        if (isCounter && h->count > 0 && w[0].h->count >= 0) {
            const double durationToZero = sampledInterval * (w[0].h->count / h->count);
            if (durationToZero < durationToStart)
                durationToStart = durationToZero;
        }
        if (durationToEnd >= threshold)
            durationToEnd = avg / 2;
        double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (isRate)
            factor /= double(rangeMs) / 1000;
        h->mul(factor);
        out.point = Point{0, 0, h};
        return out;
    }
    if (name == u"irate" || name == u"idelta") {
        if (w.size() < 2)
            return out;
        const Point &a = w[w.size() - 2], &b = w[w.size() - 1];
        if (!a.h || !b.h) {
            annos << mixedFloatsHistogramsWarning(metric);
            return out;
        }
        const TimestampMs dt = b.t - a.t;
        if (dt == 0)
            return out;
        const bool isRate = name == u"irate";
        auto h = std::make_shared<FloatHistogram>(*b.h);
        if (isRate && (b.h->hint == CounterResetHint::Gauge || a.h->hint == CounterResetHint::Gauge))
            annos << notCounterWarning(metric);
        if (!isRate && (b.h->hint != CounterResetHint::Gauge || a.h->hint != CounterResetHint::Gauge))
            annos << notGaugeWarning(metric);
        if (!isRate || !b.h->detectReset(*a.h)) {
            const auto r = h->add(*a.h, true);
            if (r.incompatible) {
                annos << mixedExpCustomWarning(metric);
                return out;
            }
            if (r.customReconciled)
                annos << QStringLiteral("PromQL info: mismatched custom buckets were reconciled during subtraction");
        }
        h->hint = CounterResetHint::Gauge;
        h->compact();
        if (isRate)
            h->div(double(dt) / 1000);
        out.point = Point{0, 0, h};
        return out;
    }
    if (name == u"sum_over_time" || name == u"avg_over_time") {
        if (nF > 0) {
            annos << mixedFloatsHistogramsWarning(metric);
            return out;
        }
        if (auto h = histogramSumOverTime(w, name == u"avg_over_time", metric, annos))
            out.point = Point{0, 0, h};
        return out;
    }
    if (name == u"count_over_time") {
        out.point = Point{0, double(w.size()), {}};
        return out;
    }
    if (name == u"present_over_time") {
        out.point = Point{0, 1, {}};
        return out;
    }
    if (name == u"last_over_time") {
        out.point = w[w.size() - 1];
        return out;
    }
    if (name == u"first_over_time") {
        out.point = w[0];
        return out;
    }
    if (name == u"ts_of_last_over_time") {
        out.point = Point{0, double(w[w.size() - 1].t) / 1000, {}};
        return out;
    }
    if (name == u"ts_of_first_over_time") {
        out.point = Point{0, double(w[0].t) / 1000, {}};
        return out;
    }
    if (name == u"changes" || name == u"resets") {
        const bool changes = name == u"changes";
        double n = 0;
        for (qsizetype k = 1; k < w.size(); ++k) {
            const Point &p = w[k - 1], &c = w[k];
            if (!p.h && !c.h) {
                if (changes ? (c.v != p.v && !(std::isnan(c.v) && std::isnan(p.v))) : c.v < p.v)
                    n += 1;
            } else if (!p.h || !c.h) {
                n += 1;
            } else if (changes ? !c.h->equals(*p.h) : c.h->detectReset(*p.h)) {
                n += 1;
            }
        }
        out.point = Point{0, n, {}};
        return out;
    }
    if (name == u"absent_over_time") {
        return out;
    }
    out.handled = false;
    return out;
}

} // namespace

Result<EvalValue> Evaluator::evalCall(const Expr &e)
{
    const QString &name = e.func->name;
    EvalValue out;
    out.type = e.func->returnType;

    // ---- no-argument and scalar functions ----
    if (name == u"time" || name == u"pi" || name == u"step" || name == u"range" || name == u"start" ||
        name == u"end") {
        out.scalars.resize(m_numSteps);
        for (int i = 0; i < m_numSteps; ++i) {
            double v = 0;
            if (name == u"pi")
                v = M_PI;
            else if (name == u"time")
                v = double(stepTime(i)) / 1000.0;
            else if (name == u"step")
                v = double(m_opts.queryStepMs) / 1000.0;
            else if (name == u"range")
                v = double(m_queryEnd - m_queryStart) / 1000.0;
            else if (name == u"start")
                v = double(m_queryStart) / 1000.0;
            else
                v = double(m_queryEnd) / 1000.0;
            out.scalars[i] = v;
        }
        return out;
    }
    if (name == u"min_of" || name == u"max_of") {
        QList<EvalValue> a;
        for (const auto &x : e.args) {
            auto v = eval(*x);
            if (!v)
                return v;
            a.push_back(std::move(*v));
        }
        out.scalars.resize(m_numSteps);
        for (int i = 0; i < m_numSteps; ++i) {
            double v = a[0].scalars.value(i);
            for (qsizetype k = 1; k < a.size(); ++k) {
                const double x = a[k].scalars.value(i);
                v = name == u"min_of" ? ((std::isnan(v) || std::isnan(x)) ? std::nan("") : std::min(v, x))
                                      : ((std::isnan(v) || std::isnan(x)) ? std::nan("") : std::max(v, x));
            }
            out.scalars[i] = v;
        }
        return out;
    }

    // ---- functions over range vectors ----
    int matrixArg = -1;
    for (int i = 0; i < e.args.size(); ++i)
        if (e.args[i]->type() == ValueType::Matrix)
            matrixArg = i;
    if (matrixArg >= 0) {
        QList<EvalValue> scalarArgs;
        for (int i = 0; i < e.args.size(); ++i) {
            if (i == matrixArg)
                continue;
            auto v = eval(*e.args[i]);
            if (!v)
                return v;
            scalarArgs.push_back(std::move(*v));
        }
        auto arg = evalRangeArg(*e.args[matrixArg]);
        if (!arg)
            return fail(arg.error());
        if (arg->modifier != RangeModifier::None) {
            static const QStringList anchoredOk = {QStringLiteral("changes"), QStringLiteral("delta"), QStringLiteral("increase"),
                                                   QStringLiteral("rate"), QStringLiteral("resets")};
            static const QStringList smoothedOk = {QStringLiteral("delta"), QStringLiteral("increase"), QStringLiteral("rate")};
            const bool anchored = arg->modifier == RangeModifier::Anchored;
            const QStringList &ok = anchored ? anchoredOk : smoothedOk;
            if (!ok.contains(name))
                return fail(executionError(QStringLiteral("%1 modifier can only be used with: %2 - not with %3")
                                               .arg(anchored ? QStringLiteral("anchored") : QStringLiteral("smoothed"),
                                                    ok.join(QStringLiteral(", ")), name)));
        }
        const bool keepName = name == u"last_over_time" || name == u"first_over_time";
        auto scalarAt = [&](int k, int step) { return scalarArgs.value(k).scalars.value(step, std::nan("")); };
        if (name == u"double_exponential_smoothing" || name == u"holt_winters") {
            for (int i = 0; i < m_numSteps; ++i) {
                const double sf = scalarAt(0, i), tf = scalarAt(1, i);
                if (!(sf > 0 && sf < 1))
                    return fail(executionError(QStringLiteral("invalid smoothing factor. Expected: 0 < sf < 1, got: %1").arg(formatFloatG(sf))));
                if (!(tf > 0 && tf < 1))
                    return fail(executionError(QStringLiteral("invalid trend factor. Expected: 0 < tf < 1, got: %1").arg(formatFloatG(tf))));
            }
        }
        if (name == u"quantile_over_time") {
            for (int i = 0; i < m_numSteps; ++i) {
                const double q = scalarAt(0, i);
                if (std::isnan(q) || q < 0 || q > 1) {
                    m_warnings->push_back(QStringLiteral("PromQL warning: quantile value should be between 0 and 1, got %1").arg(formatFloatG(q)));
                    break;
                }
            }
        }
        const bool absentOver = name == u"absent_over_time";
        QList<bool> anyAtStep(m_numSteps, false);
        for (const auto &rs : arg->series) {
            if (auto c = checkCancel(); !c)
                return fail(c.error());
            StepSeries s;
            s.labels = rs.labels;
            s.dropName = keepName ? rs.dropName : true;
            const bool seriesHasHist = std::any_of(rs.samples.begin(), rs.samples.end(), [](const Point &p) { return bool(p.h); });
            qsizetype b = 0, en = 0;
            const auto &smp = rs.samples;
            for (int i = 0; i < m_numSteps; ++i) {
                const TimestampMs ts = stepTime(i);
                const TimestampMs base = arg->at != AtModifier::None ? arg->atMs : ts;
                const TimestampMs evalT = base - arg->offsetMs;
                const TimestampMs lo = evalT - arg->rangeMs;
                if (arg->at != AtModifier::None) {
                    b = 0;
                    en = 0;
                }
                while (en < smp.size() && smp[en].t <= evalT)
                    ++en;
                while (b < en && smp[b].t <= lo)
                    ++b;
                Window w{&smp, b, en};
                if (arg->modifier != RangeModifier::None) {
                    auto r = modifiedRange(name, smp, b, en, lo, evalT, arg->rangeMs, arg->modifier);
                    if (r) {
                        anyAtStep[i] = true;
                        s.points.push_back({ts, *r});
                    }
                    continue;
                }
                if (w.size() == 0)
                    continue;
                anyAtStep[i] = true;
                QList<Point> floatsOnly;
                if (seriesHasHist) {
                    qsizetype nH = 0;
                    for (qsizetype k = 0; k < w.size(); ++k)
                        nH += w[k].h ? 1 : 0;
                    if (nH > 0) {
                        const auto hr = histogramWindow(name, w, w.size() - nH, nH, lo, evalT, arg->rangeMs,
                                                        rs.labels.metricName(), *m_warnings);
                        if (hr.handled) {
                            if (hr.point)
                                s.points.push_back({ts, hr.point->v, hr.point->h});
                            continue;
                        }
                        // Functions of floats ignore the histograms.
                        for (qsizetype k = 0; k < w.size(); ++k)
                            if (!w[k].h)
                                floatsOnly.push_back(w[k]);
                        if (floatsOnly.isEmpty())
                            continue;
                        m_warnings->push_back(QStringLiteral("PromQL info: ignored histograms in a range containing both floats and histograms for metric name \"%1\"")
                                                  .arg(rs.labels.metricName()));
                        w = Window{&floatsOnly, 0, floatsOnly.size()};
                    }
                }
                if (w.size() > m_opts.maxSamples - *m_samples && w.size() > m_opts.maxSamples)
                    return fail(executionError(QStringLiteral("query processing would load too many samples into memory in query execution")));
                std::optional<double> r;
                if (name == u"rate" || name == u"increase" || name == u"delta") {
                    r = extrapolatedRate(w, lo, evalT, arg->rangeMs, name != u"delta", name == u"rate");
                } else if (name == u"irate" || name == u"idelta") {
                    if (w.size() >= 2) {
                        const Point &last = w[w.size() - 1], &prev = w[w.size() - 2];
                        const bool isRate = name == u"irate";
                        double v = (isRate && last.v < prev.v) ? last.v : last.v - prev.v;
                        const auto dt = last.t - prev.t;
                        if (dt != 0) {
                            if (isRate)
                                v /= double(dt) / 1000;
                            r = v;
                        }
                    }
                } else if (name == u"deriv") {
                    if (w.size() >= 2) {
                        double icpt;
                        r = linearRegressionSlope(*w.s, w.b, w.e, w[0].t, &icpt);
                    }
                } else if (name == u"predict_linear") {
                    if (w.size() >= 2) {
                        double icpt;
                        const double slope = linearRegressionSlope(*w.s, w.b, w.e, ts, &icpt);
                        r = slope * scalarAt(0, i) + icpt;
                    }
                } else if (name == u"avg_over_time") {
                    double sum = w[0].v, c = 0, mean = 0, count = 1;
                    bool incremental = false;
                    for (qsizetype k = 1; k < w.size(); ++k) {
                        const double f = w[k].v;
                        count = double(k + 1);
                        if (!incremental) {
                            double cc = c;
                            const double ns = kahanSumInc(f, sum, cc);
                            if (!std::isinf(ns)) {
                                sum = ns;
                                c = cc;
                                continue;
                            }
                            incremental = true;
                            mean = sum / (count - 1);
                            c /= count - 1;
                        }
                        const double q = (count - 1) / count;
                        double cc = q * c;
                        mean = kahanSumInc(f / count, q * mean, cc);
                        c = cc;
                    }
                    r = incremental ? mean + c : sum / count + c / count;
                } else if (name == u"sum_over_time") {
                    double sum = 0, c = 0;
                    for (qsizetype k = 0; k < w.size(); ++k)
                        sum = kahanSumInc(w[k].v, sum, c);
                    r = sum + c;
                } else if (name == u"count_over_time") {
                    r = double(w.size());
                } else if (name == u"min_over_time" || name == u"max_over_time") {
                    const bool mx = name == u"max_over_time";
                    double v = w[0].v;
                    for (qsizetype k = 0; k < w.size(); ++k) {
                        const double f = w[k].v;
                        if ((mx ? f > v : f < v) || std::isnan(v))
                            v = f;
                    }
                    r = v;
                } else if (name == u"ts_of_min_over_time" || name == u"ts_of_max_over_time") {
                    const bool mx = name == u"ts_of_max_over_time";
                    double v = w[0].v;
                    TimestampMs t = w[0].t;
                    for (qsizetype k = 0; k < w.size(); ++k) {
                        const double f = w[k].v;
                        if ((mx ? f >= v : f <= v) || std::isnan(v)) {
                            v = f;
                            t = w[k].t;
                        }
                    }
                    r = double(t) / 1000;
                } else if (name == u"last_over_time") {
                    r = w[w.size() - 1].v;
                } else if (name == u"first_over_time") {
                    r = w[0].v;
                } else if (name == u"ts_of_last_over_time") {
                    r = double(w[w.size() - 1].t) / 1000;
                } else if (name == u"ts_of_first_over_time") {
                    r = double(w[0].t) / 1000;
                } else if (name == u"present_over_time") {
                    r = 1;
                } else if (name == u"absent_over_time") {
                    r.reset();
                } else if (name == u"stddev_over_time" || name == u"stdvar_over_time") {
                    double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
                    for (qsizetype k = 0; k < w.size(); ++k) {
                        const double f = w[k].v;
                        count += 1;
                        const double delta = f - (mean + cMean);
                        mean = kahanSumInc(delta / count, mean, cMean);
                        aux = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
                    }
                    const double var = (aux + cAux) / count;
                    r = name == u"stddev_over_time" ? std::sqrt(var) : var;
                } else if (name == u"quantile_over_time") {
                    QList<double> vals;
                    for (qsizetype k = 0; k < w.size(); ++k)
                        vals << w[k].v;
                    r = quantileSorted(scalarAt(0, i), vals);
                } else if (name == u"mad_over_time") {
                    QList<double> vals;
                    for (qsizetype k = 0; k < w.size(); ++k)
                        vals << w[k].v;
                    if (std::any_of(vals.begin(), vals.end(), [](double x) { return std::isnan(x); })) {
                        r = std::nan("");
                        if (r)
                            s.points.push_back({ts, *r});
                        continue;
                    }
                    const double med = quantileSorted(0.5, vals);
                    for (double &x : vals)
                        x = std::abs(x - med);
                    r = quantileSorted(0.5, vals);
                } else if (name == u"changes" || name == u"resets") {
                    double n = 0;
                    double prev = w[0].v;
                    for (qsizetype k = 1; k < w.size(); ++k) {
                        const double cur = w[k].v;
                        if (name == u"changes") {
                            if (cur != prev && !(std::isnan(cur) && std::isnan(prev)))
                                n += 1;
                        } else if (cur < prev) {
                            n += 1;
                        }
                        prev = cur;
                    }
                    r = n;
                } else if (name == u"double_exponential_smoothing" || name == u"holt_winters") {
                    if (w.size() >= 2) {
                        const double sf = scalarAt(0, i), tf = scalarAt(1, i);
                        double s0 = 0, s1 = w[0].v, bt = w[1].v - w[0].v;
                        for (qsizetype k = 1; k < w.size(); ++k) {
                            const double x = sf * w[k].v;
                            if (k > 1)
                                bt = tf * (s1 - s0) + (1 - tf) * bt;
                            const double y = (1 - sf) * (s1 + bt);
                            s0 = s1;
                            s1 = x + y;
                        }
                        r = s1;
                    }
                } else {
                    return fail(executionError(QStringLiteral("function \"%1\" is not implemented").arg(name)));
                }
                if (r)
                    s.points.push_back({ts, *r});
            }
            if (!s.points.isEmpty() && !absentOver)
                out.series.push_back(std::move(s));
        }
        if (absentOver) {
            out.series.clear();
            StepSeries s;
            s.labels = absentLabels(arg->selector);
            for (int i = 0; i < m_numSteps; ++i)
                if (!anyAtStep[i])
                    s.points.push_back({stepTime(i), 1});
            if (!s.points.isEmpty())
                out.series.push_back(std::move(s));
        }
        return out;
    }

    // ---- timestamp() needs the samples' own timestamps ----
    if (name == u"timestamp") {
        const Expr &a = unwrap(*e.args[0]);
        Result<EvalValue> v = a.kind == NodeKind::VectorSelector ? evalVectorSelector(a, true) : eval(a);
        if (!v)
            return v;
        for (auto &s : v->series) {
            s.dropName = true;
            if (a.kind != NodeKind::VectorSelector)
                for (auto &p : s.points)
                    p.v = double(p.t) / 1000.0;
        }
        return v;
    }

    // ---- info(): enrich with data labels of info series (target_info by default) ----
    if (name == u"info") {
        auto base = eval(*e.args[0]);
        if (!base)
            return base;
        model::LabelMatchers nameMatchers, dataMatchers;
        if (e.args.size() > 1) {
            const Expr &sel = unwrap(*e.args[1]);
            if (sel.kind != NodeKind::VectorSelector)
                return fail(executionError(QStringLiteral("expected label selectors as the second argument to info()")));
            for (const auto &m : sel.matchers)
                (m.name() == u"__name__" ? nameMatchers : dataMatchers).push_back(m);
        }
        if (nameMatchers.isEmpty())
            nameMatchers.push_back(*model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                                                QStringLiteral("target_info")));
        Expr infoSel;
        infoSel.kind = NodeKind::VectorSelector;
        infoSel.matchers = nameMatchers + dataMatchers;
        auto info = evalVectorSelector(infoSel, false);
        if (!info)
            return info;
        const bool dataRequired = std::any_of(dataMatchers.begin(), dataMatchers.end(),
                                              [](const model::LabelMatcher &m) { return !m.matchesEmpty(); });
        QStringList wanted;
        for (const auto &m : dataMatchers)
            wanted << m.name();
        static const QStringList identifying = {QStringLiteral("instance"), QStringLiteral("job")};
        auto m = rangeEval({&*base, &*info}, [&](int, const QList<Vector> &v, const QList<double> &) -> Result<Vector> {
            Vector res;
            for (const auto &b : v[0]) {
                if (model::matchesAll(nameMatchers, b.labels)) { // info metrics pass through
                    res.push_back(b);
                    continue;
                }
                QList<const VSample *> matches;
                for (const auto &i : v[1]) {
                    bool same = true;
                    for (const auto &l : identifying)
                        same = same && i.labels.value(l) == b.labels.value(l);
                    if (same)
                        matches.push_back(&i);
                }
                if (matches.isEmpty()) {
                    if (!dataRequired)
                        res.push_back(b);
                    continue;
                }
                QList<model::Label> add;
                for (const VSample *i : matches)
                    for (const auto &l : i->labels) {
                        if (l.name == u"__name__" || identifying.contains(l.name) || b.labels.has(l.name))
                            continue;
                        if (!wanted.isEmpty() && !wanted.contains(l.name))
                            continue;
                        add.push_back(l);
                    }
                QList<model::Label> all = b.labels.pairs();
                all.append(add);
                res.push_back({Labels(all), b.v, b.dropName});
            }
            return res;
        });
        if (!m)
            return fail(m.error());
        out.series = std::move(*m);
        return out;
    }

    // ---- evaluate all arguments ----
    QList<EvalValue> args;
    for (const auto &a : e.args) {
        auto v = eval(*a);
        if (!v)
            return v;
        args.push_back(std::move(*v));
    }
    auto stepIndex = [&](TimestampMs t) { return int((t - m_start) / m_interval); };

    bool isMath = false;
    mathFn(name, 0, &isMath);
    // Float functions skip native histogram samples.
    auto dropHistograms = [](StepMatrix &m) {
        for (auto &s : m)
            s.points.removeIf([](const Point &p) { return bool(p.h); });
        m.removeIf([](const StepSeries &s) { return s.points.isEmpty(); });
    };
    if (isMath) {
        out.series = std::move(args[0].series);
        dropHistograms(out.series);
        for (auto &s : out.series) {
            s.dropName = true;
            for (auto &p : s.points) {
                bool ok;
                p.v = mathFn(name, p.v, &ok);
            }
        }
        return out;
    }
    if (name == u"histogram_count" || name == u"histogram_sum" || name == u"histogram_avg" ||
        name == u"histogram_stddev" || name == u"histogram_stdvar") {
        for (auto &s : args[0].series) {
            StepSeries ns;
            ns.labels = s.labels;
            ns.dropName = true;
            for (const auto &p : s.points) {
                if (!p.h)
                    continue;
                const FloatHistogram &h = *p.h;
                double v = 0;
                if (name == u"histogram_count") {
                    v = h.count;
                } else if (name == u"histogram_sum") {
                    v = h.sum;
                } else if (name == u"histogram_avg") {
                    v = h.sum / h.count;
                } else {
                    const double mean = h.sum / h.count;
                    double var = 0, c = 0;
                    for (const auto &b : h.allBuckets(true)) {
                        double val;
                        if (h.usesCustomBuckets())
                            val = (b.upper + b.lower) / 2.0;
                        else if (b.lower <= 0 && b.upper >= 0)
                            val = 0;
                        else {
                            val = std::sqrt(b.upper * b.lower);
                            if (b.upper < 0)
                                val = -val;
                        }
                        const double d = val - mean;
                        var = kahanSumInc(b.count * d * d, var, c);
                    }
                    var = (var + c) / h.count;
                    v = name == u"histogram_stddev" ? std::sqrt(var) : var;
                }
                ns.points.push_back({p.t, v, {}});
            }
            if (!ns.points.isEmpty())
                out.series.push_back(std::move(ns));
        }
        return out;
    }
    if (name == u"round" || name == u"clamp" || name == u"clamp_min" || name == u"clamp_max") {
        dropHistograms(args[0].series);
        for (auto &s : args[0].series) {
            StepSeries ns;
            ns.labels = s.labels;
            ns.dropName = true;
            for (const auto &p : s.points) {
                const int i = stepIndex(p.t);
                double v = p.v;
                if (name == u"round") {
                    const double toNearest = args.size() > 1 ? args[1].scalars.value(i) : 1.0;
                    const double inv = 1.0 / toNearest;
                    v = std::floor(v * inv + 0.5) / inv;
                } else if (name == u"clamp") {
                    const double mn = args[1].scalars.value(i), mx = args[2].scalars.value(i);
                    if (mx < mn)
                        continue;
                    v = std::max(mn, std::min(mx, v));
                    if (std::isnan(mn) || std::isnan(mx))
                        v = std::nan("");
                } else if (name == u"clamp_min") {
                    const double mn = args[1].scalars.value(i);
                    v = std::isnan(mn) ? mn : std::max(mn, v);
                } else {
                    const double mx = args[1].scalars.value(i);
                    v = std::isnan(mx) ? mx : std::min(mx, v);
                }
                ns.points.push_back({p.t, v});
            }
            if (!ns.points.isEmpty())
                out.series.push_back(std::move(ns));
        }
        return out;
    }
    if (dateFn(name, 0)) {
        if (args.isEmpty()) {
            StepSeries s;
            for (int i = 0; i < m_numSteps; ++i)
                s.points.push_back({stepTime(i), *dateFn(name, double(stepTime(i)) / 1000.0)});
            out.series.push_back(std::move(s));
            return out;
        }
        dropHistograms(args[0].series);
        for (auto &s : args[0].series) {
            StepSeries ns;
            ns.labels = s.labels;
            ns.dropName = true;
            for (const auto &p : s.points) {
                auto d = dateFn(name, p.v);
                ns.points.push_back({p.t, d ? *d : std::nan("")});
            }
            out.series.push_back(std::move(ns));
        }
        return out;
    }
    if (name == u"vector") {
        StepSeries s;
        for (int i = 0; i < m_numSteps; ++i)
            s.points.push_back({stepTime(i), args[0].scalars.value(i)});
        out.series.push_back(std::move(s));
        return out;
    }
    if (name == u"scalar") {
        out.scalars = QList<double>(m_numSteps, std::nan(""));
        QList<int> counts(m_numSteps, 0);
        for (const auto &s : args[0].series)
            for (const auto &p : s.points) {
                if (p.h)
                    continue;
                const int i = stepIndex(p.t);
                if (++counts[i] == 1)
                    out.scalars[i] = p.v;
                else
                    out.scalars[i] = std::nan("");
            }
        return out;
    }
    if (name == u"absent") {
        QList<bool> any(m_numSteps, false);
        for (const auto &s : args[0].series)
            for (const auto &p : s.points)
                any[stepIndex(p.t)] = true;
        const Expr &a = unwrap(*e.args[0]);
        StepSeries s;
        s.labels = absentLabels(a.kind == NodeKind::VectorSelector ? &a : nullptr);
        for (int i = 0; i < m_numSteps; ++i)
            if (!any[i])
                s.points.push_back({stepTime(i), 1});
        if (!s.points.isEmpty())
            out.series.push_back(std::move(s));
        return out;
    }
    if (name == u"sort" || name == u"sort_desc" || name == u"sort_by_label" || name == u"sort_by_label_desc") {
        out.series = std::move(args[0].series);
        if (name == u"sort" || name == u"sort_desc")
            dropHistograms(out.series);
        if (m_queryStart != m_queryEnd)
            m_warnings->push_back(QStringLiteral("PromQL warning: sort is ineffective for range queries since results are always ordered by labels"));
        if (m_numSteps != 1)
            return out;
        const bool desc = name.endsWith(u"desc");
        if (name.startsWith(u"sort_by_label")) {
            QStringList labels;
            for (int k = 1; k < args.size(); ++k)
                labels << args[k].string;
            std::stable_sort(out.series.begin(), out.series.end(), [&](const StepSeries &a, const StepSeries &b) {
                for (const auto &l : labels) {
                    const int c = natCompare(a.labels.value(l), b.labels.value(l));
                    if (c != 0)
                        return desc ? c > 0 : c < 0;
                }
                // Ties: Prometheus falls back to comparing the whole label set.
                const int c = a.labels < b.labels ? -1 : (b.labels < a.labels ? 1 : 0);
                return desc ? c > 0 : c < 0;
            });
        } else {
            std::stable_sort(out.series.begin(), out.series.end(), [&](const StepSeries &a, const StepSeries &b) {
                const double x = a.points.value(0).v, y = b.points.value(0).v;
                if (std::isnan(x))
                    return false;
                if (std::isnan(y))
                    return true;
                return desc ? x > y : x < y;
            });
        }
        return out;
    }
    if (name == u"label_replace") {
        const QString dst = args[1].string, repl = args[2].string, src = args[3].string, regex = args[4].string;
        RE2::Options opts;
        opts.set_dot_nl(true);
        opts.set_log_errors(false);
        const QByteArray pat = (QStringLiteral("^(?:") + regex + QStringLiteral(")$")).toUtf8();
        re2::RE2 re(re2::StringPiece(pat.constData(), size_t(pat.size())), opts);
        if (!re.ok())
            return fail(executionError(QStringLiteral("invalid regular expression in label_replace(): %1").arg(regex)));
        if (!validLabelNameStrict(dst))
            return fail(executionError(QStringLiteral("invalid destination label name in label_replace(): %1").arg(dst)));
        for (auto &s : args[0].series) {
            const QByteArray v = s.labels.value(src).toUtf8();
            std::vector<re2::StringPiece> groups(size_t(re.NumberOfCapturingGroups() + 1));
            if (re.Match(re2::StringPiece(v.constData(), size_t(v.size())), 0, size_t(v.size()), RE2::UNANCHORED,
                         groups.data(), int(groups.size()))) {
                const QString res = expandTemplate(repl, re, groups);
                s.labels = s.labels.with(dst, res);
                if (dst == u"__name__")
                    s.dropName = false;
            }
        }
        out.series = std::move(args[0].series);
        return mergeSameLabels(out);
    }
    if (name == u"label_join") {
        const QString dst = args[1].string, sep = args[2].string;
        QStringList srcs;
        for (int k = 3; k < args.size(); ++k)
            srcs << args[k].string;
        if (!validLabelNameStrict(dst))
            return fail(executionError(QStringLiteral("invalid destination label name in label_join(): %1").arg(dst)));
        for (auto &s : args[0].series) {
            QStringList vals;
            for (const auto &l : srcs)
                vals << s.labels.value(l);
            s.labels = s.labels.with(dst, vals.join(sep));
            if (dst == u"__name__")
                s.dropName = false;
        }
        out.series = std::move(args[0].series);
        return mergeSameLabels(out);
    }
    if (name == u"histogram_quantile" || name == u"histogram_fraction" || name == u"histogram_quantiles") {
        const bool frac = name == u"histogram_fraction";
        const bool multi = name == u"histogram_quantiles";
        const int vecArg = frac ? 2 : multi ? 0 : 1;
        QList<const EvalValue *> inputs = {&args[vecArg]};
        QList<int> qArgs; // indices into args of the scalar parameters
        if (multi) {
            for (int k = 2; k < args.size(); ++k)
                qArgs << k;
        } else if (frac) {
            qArgs = {0, 1};
        } else {
            qArgs = {0};
        }
        for (int k : qArgs)
            inputs << &args[k];
        const QString qLabel = multi ? args[1].string : QString();
        auto qLabelValue = [](double q) {
            QString t = formatFloat(q);
            if (!t.contains(u'.') && !t.contains(u'e') && !t.contains(u'I') && !t.contains(u'N'))
                t += QStringLiteral(".0");
            return t;
        };
        auto m = rangeEval(inputs, [&](int, const QList<Vector> &v, const QList<double> &sc) -> Result<Vector> {
            QHash<Labels, int> idx;
            QList<std::pair<Labels, QList<Bucket>>> groups;
            Vector natives;
            for (const auto &smp : v[0]) {
                if (smp.h) {
                    natives.push_back(smp);
                    continue;
                }
                bool ok = false;
                const QString le = smp.labels.value(u"le");
                double upper = le.trimmed().toDouble(&ok);
                if (!ok) {
                    const QString l = le.trimmed().toLower();
                    if (l == u"+inf" || l == u"inf") { upper = INFINITY; ok = true; }
                    else if (l == u"-inf") { upper = -INFINITY; ok = true; }
                    else if (l == u"nan") { upper = std::nan(""); ok = true; }
                }
                if (!ok) {
                    m_warnings->push_back(QStringLiteral("PromQL warning: bucket label \"le\" is missing or has a malformed value of \"%1\" for metric name \"%2\"")
                                              .arg(le, smp.labels.metricName()));
                    continue;
                }
                // The name stays for grouping (two histograms differing only
                // in name must collide later, as in Prometheus).
                const Labels key = smp.labels.without(u"le");
                auto it = idx.constFind(key);
                int gi;
                if (it == idx.constEnd()) {
                    gi = int(groups.size());
                    idx.insert(key, gi);
                    groups.push_back({key, {}});
                } else {
                    gi = *it;
                }
                groups[gi].second.push_back({upper, smp.v});
            }
            Vector res;
            QSet<Labels> conflicting;
            for (const auto &smp : natives) {
                auto it = idx.constFind(smp.labels);
                if (it == idx.constEnd())
                    continue;
                m_warnings->push_back(QStringLiteral("PromQL warning: vector contains a mix of classic and native histograms for metric name \"%1\"")
                                          .arg(smp.labels.metricName()));
                conflicting.insert(smp.labels);
            }
            for (const auto &smp : natives) {
                if (conflicting.contains(smp.labels))
                    continue;
                const QString metric = smp.labels.metricName();
                if (frac) {
                    bool nans = false;
                    res.push_back({smp.labels, nativeHistogramFraction(sc[1], sc[2], *smp.h, &nans), true});
                    if (nans)
                        m_warnings->push_back(QStringLiteral("PromQL info: input to histogram_fraction has NaN observations, which are excluded from all fractions for metric name \"%1\"").arg(metric));
                    continue;
                }
                for (int k = 1; k < sc.size(); ++k) {
                    int nanInfo = 0;
                    const double r = nativeHistogramQuantile(sc[k], *smp.h, &nanInfo);
                    if (nanInfo == 1)
                        m_warnings->push_back(QStringLiteral("PromQL info: input to histogram_quantile has NaN observations, result is NaN for metric name \"%1\"").arg(metric));
                    else if (nanInfo == 2)
                        m_warnings->push_back(QStringLiteral("PromQL info: input to histogram_quantile has NaN observations, result is skewed higher for metric name \"%1\"").arg(metric));
                    const Labels out = multi ? smp.labels.with(qLabel, qLabelValue(sc[k])) : smp.labels;
                    res.push_back({out, r, true});
                }
            }
            for (const auto &[labels, buckets] : groups) {
                if (conflicting.contains(labels))
                    continue;
                if (frac) {
                    res.push_back({labels, bucketFraction(sc[1], sc[2], buckets), true});
                    continue;
                }
                for (int k = 1; k < sc.size(); ++k) {
                    bool forced = false;
                    const double r = bucketQuantile(sc[k], buckets, &forced);
                    if (forced)
                        m_warnings->push_back(QStringLiteral("PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"%1\"")
                                                  .arg(labels.metricName()));
                    const Labels out = multi ? labels.with(qLabel, qLabelValue(sc[k])) : labels;
                    res.push_back({out, r, true});
                }
            }
            return res;
        });
        if (!m)
            return fail(m.error());
        if (!frac) {
            for (int k : qArgs) {
                for (int i = 0; i < m_numSteps; ++i) {
                    const double q = args[k].scalars.value(i);
                    if (std::isnan(q) || q < 0 || q > 1) {
                        m_warnings->push_back(QStringLiteral("PromQL warning: quantile value should be between 0 and 1, got %1").arg(formatFloatG(q)));
                        break;
                    }
                }
            }
        }
        out.series = std::move(*m);
        return out;
    }
    if (name.startsWith(u"histogram_")) {
        // Native histograms are not stored: classic float series have none.
        return out;
    }
    return fail(executionError(QStringLiteral("function \"%1\" is not implemented").arg(name)));
}

Labels Evaluator::absentLabels(const Expr *selector) const
{
    if (!selector)
        return {};
    QList<model::Label> pairs;
    QStringList seen, dup;
    for (const auto &m : selector->matchers) {
        if (m.name() == u"__name__")
            continue;
        if (m.op() == model::LabelMatcher::Op::Equal && !seen.contains(m.name())) {
            pairs.push_back({m.name(), m.value()});
            seen << m.name();
        } else {
            dup << m.name();
        }
    }
    pairs.removeIf([&](const model::Label &l) { return dup.contains(l.name); });
    return Labels(pairs);
}

Result<EvalValue> Evaluator::mergeSameLabels(EvalValue &v) const
{
    // label_replace/label_join may map two series onto one label set; that
    // is fine as long as they never have a point at the same step.
    QHash<Labels, int> idx;
    StepMatrix out;
    for (auto &s : v.series) {
        const Labels key = s.labels;
        auto it = idx.constFind(key);
        if (it == idx.constEnd()) {
            idx.insert(key, int(out.size()));
            out.push_back(std::move(s));
            continue;
        }
        StepSeries &t = out[*it];
        if (t.dropName != s.dropName) {
            out.push_back(std::move(s));
            continue;
        }
        QList<Point> merged;
        qsizetype a = 0, b = 0;
        while (a < t.points.size() || b < s.points.size()) {
            if (b >= s.points.size() || (a < t.points.size() && t.points[a].t < s.points[b].t))
                merged.push_back(t.points[a++]);
            else if (a >= t.points.size() || s.points[b].t < t.points[a].t)
                merged.push_back(s.points[b++]);
            else
                return fail(executionError(QStringLiteral("vector cannot contain metrics with the same labelset")));
        }
        t.points = std::move(merged);
    }
    v.series = std::move(out);
    return std::move(v);
}

} // namespace spyglass::query::promql
