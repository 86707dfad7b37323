#include "core/query/promql/evaluator.h"

#include "core/query/promql/float_histogram.h"

#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::query::promql {

using model::Labels;

std::uint64_t prometheusLabelsHash(const Labels &l); // evaluator_functions.cpp

namespace {

struct Group
{
    Labels labels;
    double value = 0;
    double kahanC = 0;
    double mean = 0;
    double count = 0;
    bool incrementalMean = false;
    bool seen = false;
    bool dropName = false;
    QList<double> values;   // quantile
    Vector samples;         // topk, bottomk, limitk, limit_ratio
    // Native histograms (sum, avg): their running sum, and whether floats
    // and histograms met in the group (which yields no result).
    std::shared_ptr<FloatHistogram> hsum;
    bool hasFloat = false;
    bool mixed = false;
    bool incompatible = false;
    bool floatSeen = false; // any float (for aggregations that ignore histograms)
    QString firstName;
};

double quantileOf(double q, QList<double> values)
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

bool validLabelName(const QString &n)
{
    // Prometheus 3 accepts any valid UTF-8; invalid bytes decode to U+FFFD.
    return !n.isEmpty() && !n.contains(QChar(QChar::ReplacementCharacter));
}

} // namespace

Result<Vector> Evaluator::aggregateStep(const Expr &e, const Vector &in, double param,
                                        const QString &strParam) const
{
    QHash<Labels, int> index;
    QList<Group> groups;
    QStringList dropList = e.grouping;
    dropList << QStringLiteral("__name__");
    std::int64_t k = 0;
    double ratio = 0;
    switch (e.aggOp) {
    case AggOp::TopK:
    case AggOp::BottomK:
    case AggOp::LimitK:
        if (std::isnan(param))
            return fail(executionError(QStringLiteral("Parameter value is NaN")));
        if (param >= 9.223372036854775807e18 || param <= -9.223372036854775808e18)
            return fail(executionError(QStringLiteral("Scalar value %1 overflows int64").arg(formatFloatG(param))));
        k = std::int64_t(param);
        if (k < 1)
            return Vector{};
        break;
    case AggOp::LimitRatio:
        if (std::isnan(param))
            return fail(executionError(QStringLiteral("Ratio value is NaN")));
        ratio = std::clamp(param, -1.0, 1.0);
        if (ratio != param)
            m_warnings->push_back(QStringLiteral("PromQL warning: ratio value should be between -1 and 1, got %1, capping to %2")
                                      .arg(formatFloatG(param), formatFloatG(ratio)));
        if (ratio == 0)
            return Vector{};
        break;
    case AggOp::Quantile:
        if (std::isnan(param) || param < 0 || param > 1)
            m_warnings->push_back(QStringLiteral("PromQL warning: quantile value should be between 0 and 1, got %1").arg(formatFloatG(param)));
        break;
    case AggOp::CountValues:
        if (!validLabelName(strParam))
            return fail(executionError(QStringLiteral("invalid label name \"%1\"").arg(strParam)));
        break;
    default: break;
    }

    bool ignoredHistogram = false, reconciled = false, resetSeen = false, notResetSeen = false;
    auto track = [&](const FloatHistogram &h) {
        resetSeen = resetSeen || h.hint == CounterResetHint::CounterReset;
        notResetSeen = notResetSeen || h.hint == CounterResetHint::NotCounterReset;
    };
    for (const auto &s : in) {
        // Grouping sees a to-be-dropped __name__ still (Prometheus's delayed
        // name removal); the group then inherits the drop.
        Labels key = e.without ? s.labels.dropping(dropList) : s.labels.keepOnly(e.grouping);
        if (e.aggOp == AggOp::CountValues)
            key = key.with(strParam, s.h ? s.h->toString() : formatFloat(s.v));
        auto it = index.constFind(key);
        int gi;
        if (it == index.constEnd()) {
            gi = int(groups.size());
            index.insert(key, gi);
            Group g;
            g.labels = key;
            groups.push_back(std::move(g));
        } else {
            gi = *it;
        }
        Group &g = groups[gi];
        if (s.dropName && key.has(u"__name__"))
            g.dropName = true;
        if (!g.seen)
            g.firstName = s.labels.metricName();
        if (s.h) {
            switch (e.aggOp) {
            case AggOp::Sum:
            case AggOp::Avg:
                g.count += 1;
                if (g.hasFloat) {
                    g.mixed = true;
                } else if (!g.hsum) {
                    g.hsum = std::make_shared<FloatHistogram>(*s.h);
                    track(*s.h);
                } else if (!g.incompatible) {
                    track(*s.h);
                    const auto r = g.hsum->add(*s.h);
                    g.incompatible = r.incompatible;
                    reconciled = reconciled || r.customReconciled;
                }
                g.seen = true;
                continue;
            case AggOp::Count:
            case AggOp::Group:
            case AggOp::LimitK:
            case AggOp::LimitRatio:
            case AggOp::CountValues:
                break; // handled below like floats
            default:
                ignoredHistogram = true;
                if (!g.seen)
                    g.seen = false;
                continue;
            }
        } else {
            if (g.hsum)
                g.mixed = true;
            g.hasFloat = true;
        }
        const double f = s.v;
        switch (e.aggOp) {
        case AggOp::Sum:
            g.value = kahanSumInc(f, g.value, g.kahanC);
            break;
        case AggOp::Avg:
            g.count += 1;
            if (!g.seen) {
                g.value = f;
                g.mean = f;
                break;
            }
            if (!g.incrementalMean) {
                double c = g.kahanC;
                const double nv = kahanSumInc(f, g.value, c);
                if (!std::isinf(nv)) {
                    g.value = nv;
                    g.kahanC = c;
                    break;
                }
                g.incrementalMean = true;
                g.mean = g.value / (g.count - 1);
                g.kahanC /= g.count - 1;
            }
            if (std::isinf(g.mean)) {
                if (std::isinf(f) && (g.mean > 0) != (f > 0))
                    g.mean = std::nan("");
                break;
            }
            {
                const double q = (g.count - 1) / g.count;
                double c = q * g.kahanC;
                g.mean = kahanSumInc(f / g.count, q * g.mean, c);
                g.kahanC = c;
            }
            break;
        case AggOp::Count:
        case AggOp::CountValues:
            g.count += 1;
            break;
        case AggOp::Group:
            g.value = 1;
            break;
        case AggOp::Max:
            if (!g.seen || g.value < f || std::isnan(g.value))
                g.value = f;
            break;
        case AggOp::Min:
            if (!g.seen || g.value > f || std::isnan(g.value))
                g.value = f;
            break;
        case AggOp::Stddev:
        case AggOp::Stdvar: {
            g.count += 1;
            const double delta = f - g.mean;
            g.mean += delta / g.count;
            g.value += delta * (f - g.mean);
            break;
        }
        case AggOp::Quantile:
            g.values.push_back(f);
            break;
        case AggOp::TopK:
        case AggOp::BottomK:
        case AggOp::LimitK:
            g.samples.push_back(s);
            break;
        case AggOp::LimitRatio: {
            const double offset = double(prometheusLabelsHash(s.labels)) / double(std::numeric_limits<std::uint64_t>::max());
            if ((ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio))
                g.samples.push_back(s);
            break;
        }
        }
        g.seen = true;
        g.floatSeen = true;
    }
    if (ignoredHistogram)
        m_warnings->push_back(QStringLiteral("PromQL info: ignored histogram in %1 aggregation").arg(aggOpString(e.aggOp)));
    if (resetSeen && notResetSeen)
        m_warnings->push_back(QStringLiteral("PromQL warning: conflicting counter resets during histogram aggregation"));
    if (reconciled)
        m_warnings->push_back(QStringLiteral("PromQL info: mismatched custom buckets were reconciled during aggregation"));

    Vector out;
    for (auto &g : groups) {
        if (g.hsum || g.mixed) {
            if (g.mixed) {
                m_warnings->push_back(QStringLiteral("PromQL warning: encountered a mix of histograms and floats for aggregation"));
                continue;
            }
            if (g.incompatible) {
                m_warnings->push_back(QStringLiteral("PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"%1\"").arg(g.firstName));
                continue;
            }
            if (e.aggOp == AggOp::Avg)
                g.hsum->div(g.count);
            g.hsum->compact();
            out.push_back({g.labels, 0, g.dropName, g.hsum});
            continue;
        }
        if (!g.floatSeen)
            continue;
        double v = 0;
        switch (e.aggOp) {
        case AggOp::Sum: v = g.value + g.kahanC; break;
        case AggOp::Avg:
            v = g.incrementalMean ? g.mean + g.kahanC : (g.value + g.kahanC) / g.count;
            break;
        case AggOp::Count:
        case AggOp::CountValues: v = g.count; break;
        case AggOp::Group:
        case AggOp::Max:
        case AggOp::Min: v = g.value; break;
        case AggOp::Stdvar: v = g.value / g.count; break;
        case AggOp::Stddev: v = std::sqrt(g.value / g.count); break;
        case AggOp::Quantile: v = quantileOf(param, g.values); break;
        case AggOp::TopK:
        case AggOp::BottomK: {
            const bool top = e.aggOp == AggOp::TopK;
            std::stable_sort(g.samples.begin(), g.samples.end(), [top](const VSample &a, const VSample &b) {
                if (std::isnan(a.v))
                    return false;
                if (std::isnan(b.v))
                    return true;
                return top ? a.v > b.v : a.v < b.v;
            });
            for (qsizetype i = 0; i < g.samples.size() && i < k; ++i)
                out.push_back(g.samples[i]);
            continue;
        }
        case AggOp::LimitK:
            for (qsizetype i = 0; i < g.samples.size() && i < k; ++i)
                out.push_back(g.samples[i]);
            continue;
        case AggOp::LimitRatio:
            out.append(g.samples);
            continue;
        }
        out.push_back({g.labels, v, g.dropName, {}});
    }
    return out;
}

Result<EvalValue> Evaluator::evalAggregate(const Expr &e)
{
    auto in = eval(*e.args[0]);
    if (!in)
        return in;
    EvalValue param;
    param.type = ValueType::Scalar;
    param.scalars = QList<double>(m_numSteps, 0.0);
    QString strParam;
    if (e.param) {
        auto p = eval(*e.param);
        if (!p)
            return p;
        if (p->type == ValueType::String)
            strParam = p->string;
        else
            param = std::move(*p);
    }
    EvalValue out;
    out.type = ValueType::Vector;
    auto m = rangeEval({&*in, &param}, [&](int, const QList<Vector> &v, const QList<double> &sc) {
        return aggregateStep(e, v[0], sc[1], strParam);
    });
    if (!m)
        return fail(m.error());
    out.series = std::move(*m);
    return out;
}

} // namespace spyglass::query::promql
