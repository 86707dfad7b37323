#include "core/query/promql/evaluator.h"

#include "core/query/promql/functions.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::query::promql {

using model::Labels;
using model::Sample;
using model::TimestampMs;

Error executionError(const QString &msg)
{
    return Error::invalid(msg);
}

double kahanSumInc(double inc, double sum, double &c)
{
    const double t = sum + inc;
    if (std::isinf(t))
        c = 0;
    else if (std::abs(sum) >= std::abs(inc))
        c += (sum - t) + inc;
    else
        c += (inc - t) + sum;
    return t;
}

Result<void> finalizeNames(StepMatrix &m)
{
    for (auto &s : m) {
        if (s.dropName) {
            s.labels = s.labels.withoutMetricName();
            s.dropName = false;
        }
    }
    // Series that became equal by losing their names merge when their
    // points never share a timestamp (Prometheus 3 delayed name removal).
    QHash<Labels, int> seen;
    StepMatrix out;
    out.reserve(m.size());
    for (auto &s : m) {
        auto it = seen.constFind(s.labels);
        if (it == seen.constEnd()) {
            seen.insert(s.labels, int(out.size()));
            out.push_back(std::move(s));
            continue;
        }
        StepSeries &t = out[*it];
        QList<Point> merged;
        merged.reserve(t.points.size() + s.points.size());
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
    m = std::move(out);
    return {};
}

Evaluator::Evaluator(const Queryable &q, const EngineOptions &opts, const CancelToken &cancel,
                     TimestampMs start, TimestampMs end, std::int64_t interval, TimestampMs queryStart,
                     TimestampMs queryEnd, std::shared_ptr<std::int64_t> sampleCounter)
    : m_q(q), m_opts(opts), m_cancel(cancel), m_start(start), m_end(end),
      m_interval(interval > 0 ? interval : 1), m_queryStart(queryStart), m_queryEnd(queryEnd),
      m_samples(std::move(sampleCounter)), m_warnings(std::make_shared<QStringList>())
{
    m_numSteps = end < start ? 0 : int((end - start) / m_interval) + 1;
}

Result<void> Evaluator::checkCancel() const
{
    if (m_cancel.isCancelled())
        return fail(Error::cancelled());
    return {};
}

Result<void> Evaluator::addSamples(std::int64_t n)
{
    *m_samples += n;
    if (*m_samples > m_opts.maxSamples)
        return fail(executionError(QStringLiteral("query processing would load too many samples into memory in query execution")));
    return {};
}

TimestampMs Evaluator::atTime(AtModifier at, TimestampMs atMs) const
{
    switch (at) {
    case AtModifier::Start: return m_queryStart;
    case AtModifier::End: return m_queryEnd;
    case AtModifier::Timestamp: return atMs;
    case AtModifier::None: break;
    }
    return 0;
}

static const Expr &unwrapParens(const Expr &e)
{
    const Expr *p = &e;
    while (p->kind == NodeKind::Paren)
        p = p->args[0].get();
    return *p;
}

Result<EvalValue> Evaluator::eval(const Expr &e)
{
    if (auto c = checkCancel(); !c)
        return fail(c.error());
    EvalValue out;
    switch (e.kind) {
    case NodeKind::NumberLiteral:
        out.type = ValueType::Scalar;
        out.scalars = QList<double>(m_numSteps, e.number);
        return out;
    case NodeKind::StringLiteral:
        out.type = ValueType::String;
        out.string = e.string;
        return out;
    case NodeKind::Paren:
        return eval(*e.args[0]);
    case NodeKind::VectorSelector:
        return evalVectorSelector(e, false);
    case NodeKind::MatrixSelector:
    case NodeKind::Subquery:
        if (m_numSteps == 1)
            return evalMatrixAtInstant(e);
        return fail(executionError(QStringLiteral("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")));
    case NodeKind::Unary: {
        auto v = eval(*e.args[0]);
        if (!v || e.op != BinOp::Sub)
            return v;
        if (v->type == ValueType::Scalar) {
            for (double &x : v->scalars)
                x = -x;
        } else {
            for (auto &s : v->series) {
                for (auto &p : s.points) {
                    if (p.h) {
                        auto h = std::make_shared<FloatHistogram>(*p.h);
                        h->mul(-1);
                        p.h = std::move(h);
                    } else {
                        p.v = -p.v;
                    }
                }
                s.dropName = true;
            }
        }
        return v;
    }
    case NodeKind::Binary:
        return evalBinary(e);
    case NodeKind::Aggregate:
        return evalAggregate(e);
    case NodeKind::Call:
        return evalCall(e);
    }
    return fail(Error::internal(QStringLiteral("unknown expression node")));
}

Result<QList<Point>> Evaluator::fetchPoints(store::SeriesId id, TimestampMs lo, TimestampMs hi) const
{
    auto samples = m_q.samples(id, lo, hi);
    if (!samples)
        return fail(samples.error());
    QList<Point> out;
    out.reserve(samples->size());
    for (const auto &s : *samples)
        out.push_back({s.t, s.v, {}});
    if (!m_q.hasHistograms())
        return out;
    auto hs = m_q.histogramSamples(id, lo, hi);
    if (!hs)
        return fail(hs.error());
    if (hs->isEmpty())
        return out;
    QList<Point> merged;
    merged.reserve(out.size() + hs->size());
    qsizetype a = 0, b = 0;
    while (a < out.size() || b < hs->size()) {
        if (b >= hs->size() || (a < out.size() && out[a].t < (*hs)[b].t)) {
            merged.push_back(out[a++]);
        } else {
            if (a < out.size() && out[a].t == (*hs)[b].t)
                ++a; // a histogram wins over a float at the same time
            merged.push_back({(*hs)[b].t, 0, (*hs)[b].h});
            ++b;
        }
    }
    return merged;
}

Result<EvalValue> Evaluator::evalVectorSelector(const Expr &e, bool sampleTimestamps)
{
    auto refs = m_q.select(e.matchers);
    if (!refs)
        return fail(refs.error());
    EvalValue out;
    out.type = ValueType::Vector;
    const bool fixed = e.at != AtModifier::None;
    const TimestampMs atT = atTime(e.at, e.atMs);
    const std::int64_t lookback = m_opts.lookbackDeltaMs;
    const TimestampMs hi = (fixed ? atT : m_end) - e.offsetMs;
    const TimestampMs lo = (fixed ? atT : m_start) - e.offsetMs - lookback + 1;
    for (const auto &ref : *refs) {
        if (auto c = checkCancel(); !c)
            return fail(c.error());
        auto samples = fetchPoints(ref.id, lo, hi);
        if (!samples)
            return fail(samples.error());
        StepSeries s;
        s.labels = ref.labels;
        const auto &sm = *samples;
        qsizetype idx = 0;
        s.points.reserve(m_numSteps);
        for (int i = 0; i < m_numSteps; ++i) {
            const TimestampMs ts = stepTime(i);
            const TimestampMs evalT = (fixed ? atT : ts) - e.offsetMs;
            while (idx < sm.size() && sm[idx].t <= evalT)
                ++idx;
            if (idx == 0)
                continue;
            const Point &last = sm[idx - 1];
            if (last.t <= evalT - lookback || (!last.h && model::isStaleNaN(last.v)))
                continue;
            if (sampleTimestamps)
                s.points.push_back({ts, double(last.t) / 1000.0, {}});
            else
                s.points.push_back({ts, last.v, last.h});
        }
        if (s.points.isEmpty())
            continue;
        if (auto r = addSamples(s.points.size()); !r)
            return fail(r.error());
        out.series.push_back(std::move(s));
    }
    return out;
}

static TimestampMs firstAlignedAfter(TimestampMs x, std::int64_t step)
{
    // The first multiple of step strictly greater than x (left-open ranges).
    TimestampMs q = x / step;
    if (x < 0 && x % step != 0)
        --q; // floor division
    return (q + 1) * step;
}

Result<RangeArg> Evaluator::evalRangeArg(const Expr &expr)
{
    const Expr &e = unwrapParens(expr);
    RangeArg arg;
    arg.rangeMs = e.rangeMs;
    if (e.kind == NodeKind::MatrixSelector) {
        const Expr &vs = *e.args[0];
        arg.offsetMs = vs.offsetMs;
        arg.at = vs.at;
        arg.atMs = atTime(vs.at, vs.atMs);
        arg.selector = &vs;
        auto refs = m_q.select(vs.matchers);
        if (!refs)
            return fail(refs.error());
        const bool fixed = vs.at != AtModifier::None;
        arg.modifier = e.rangeModifier;
        // Anchored/smoothed windows also look at samples just outside them.
        const std::int64_t before = e.rangeModifier != RangeModifier::None ? m_opts.lookbackDeltaMs : 0;
        const std::int64_t after = e.rangeModifier == RangeModifier::Smoothed ? m_opts.lookbackDeltaMs : 0;
        const TimestampMs hi = (fixed ? arg.atMs : m_end) - vs.offsetMs + after;
        const TimestampMs lo = (fixed ? arg.atMs : m_start) - vs.offsetMs - e.rangeMs + 1 - before;
        for (const auto &ref : *refs) {
            if (auto c = checkCancel(); !c)
                return fail(c.error());
            auto samples = fetchPoints(ref.id, lo, hi);
            if (!samples)
                return fail(samples.error());
            RangeSeries rs;
            rs.labels = ref.labels;
            rs.samples = std::move(*samples);
            rs.samples.removeIf([](const Point &s) { return !s.h && model::isStaleNaN(s.v); });
            if (rs.samples.isEmpty())
                continue;
            if (auto r = addSamples(rs.samples.size()); !r)
                return fail(r.error());
            arg.series.push_back(std::move(rs));
        }
        return arg;
    }
    if (e.kind != NodeKind::Subquery)
        return fail(Error::internal(QStringLiteral("expected a range vector")));
    arg.offsetMs = e.offsetMs;
    arg.at = e.at;
    arg.atMs = atTime(e.at, e.atMs);
    const bool fixed = e.at != AtModifier::None;
    const std::int64_t step = e.stepMs > 0 ? e.stepMs : m_opts.defaultEvaluationIntervalMs;
    const TimestampMs subStart = firstAlignedAfter((fixed ? arg.atMs : m_start) - e.offsetMs - e.rangeMs, step);
    const TimestampMs subEnd = (fixed ? arg.atMs : m_end) - e.offsetMs;
    if (subStart > subEnd)
        return arg;
    Evaluator sub(m_q, m_opts, m_cancel, subStart, subEnd, step, m_queryStart, m_queryEnd, m_samples);
    sub.shareWarnings(m_warnings);
    auto v = sub.eval(*e.args[0]);
    if (!v)
        return fail(v.error());
    for (auto &s : v->series) {
        RangeSeries rs;
        rs.labels = s.labels;
        rs.dropName = s.dropName;
        rs.samples = std::move(s.points);
        arg.series.push_back(std::move(rs));
    }
    return arg;
}

Result<EvalValue> Evaluator::evalMatrixAtInstant(const Expr &e)
{
    auto arg = evalRangeArg(e);
    if (!arg)
        return fail(arg.error());
    EvalValue out;
    out.type = ValueType::Matrix;
    const TimestampMs evalT = (arg->at != AtModifier::None ? arg->atMs : m_start) - arg->offsetMs;
    for (auto &rs : arg->series) {
        StepSeries s;
        s.labels = rs.labels;
        s.dropName = rs.dropName;
        for (const auto &p : rs.samples)
            if (p.t > evalT - arg->rangeMs && p.t <= evalT)
                s.points.push_back(p);
        if (!s.points.isEmpty())
            out.series.push_back(std::move(s));
    }
    return out;
}

Result<StepMatrix> Evaluator::rangeEval(
    const QList<const EvalValue *> &inputs,
    const std::function<Result<Vector>(int, const QList<Vector> &, const QList<double> &)> &fn)
{
    StepMatrix out;
    QHash<Labels, int> index;
    QList<QList<qsizetype>> cursors;
    for (const auto *in : inputs)
        cursors.push_back(QList<qsizetype>(in->type == ValueType::Vector ? in->series.size() : 0, 0));
    QList<Vector> vecs(inputs.size());
    QList<double> scalars(inputs.size(), 0.0);
    for (int i = 0; i < m_numSteps; ++i) {
        if ((i & 63) == 0) {
            if (auto c = checkCancel(); !c)
                return fail(c.error());
        }
        const TimestampMs ts = stepTime(i);
        for (qsizetype k = 0; k < inputs.size(); ++k) {
            const EvalValue &in = *inputs[k];
            if (in.type == ValueType::Scalar) {
                scalars[k] = in.scalars.value(i, 0.0);
                continue;
            }
            if (in.type != ValueType::Vector)
                continue;
            Vector &v = vecs[k];
            v.clear();
            for (qsizetype s = 0; s < in.series.size(); ++s) {
                qsizetype &c = cursors[k][s];
                const auto &pts = in.series[s].points;
                if (c < pts.size() && pts[c].t == ts) {
                    v.push_back({in.series[s].labels, pts[c].v, in.series[s].dropName, pts[c].h});
                    ++c;
                }
            }
        }
        auto res = fn(i, vecs, scalars);
        if (!res)
            return fail(res.error());
        for (auto &smp : *res) {
            auto it = index.constFind(smp.labels);
            int idx;
            if (it == index.constEnd()) {
                idx = int(out.size());
                index.insert(smp.labels, idx);
                StepSeries s;
                s.labels = smp.labels;
                s.dropName = smp.dropName;
                out.push_back(std::move(s));
            } else {
                idx = *it;
                if (!out[idx].points.isEmpty() && out[idx].points.back().t == ts)
                    return fail(executionError(QStringLiteral("vector cannot contain metrics with the same labelset")));
            }
            out[idx].points.push_back({ts, smp.v, smp.h});
        }
        if (auto r = addSamples(res->size()); !r)
            return fail(r.error());
    }
    return out;
}

// ---- binary operators ----

static bool shouldDropName(BinOp op)
{
    switch (op) {
    case BinOp::Add: case BinOp::Sub: case BinOp::Mul: case BinOp::Div:
    case BinOp::Mod: case BinOp::Pow: case BinOp::Atan2:
        return true;
    default:
        return false;
    }
}

// Prometheus's vectorElemBinop for floats: the value and whether to keep it.
static std::pair<double, bool> elemBinop(BinOp op, double l, double r)
{
    switch (op) {
    case BinOp::Add: return {l + r, true};
    case BinOp::Sub: return {l - r, true};
    case BinOp::Mul: return {l * r, true};
    case BinOp::Div: return {l / r, true};
    case BinOp::Pow: return {std::pow(l, r), true};
    case BinOp::Mod: return {std::fmod(l, r), true};
    case BinOp::Atan2: return {std::atan2(l, r), true};
    case BinOp::Eql: return {l, l == r};
    case BinOp::Neq: return {l, l != r};
    case BinOp::Gtr: return {l, l > r};
    case BinOp::Lss: return {l, l < r};
    case BinOp::Gte: return {l, l >= r};
    case BinOp::Lte: return {l, l <= r};
    default: return {0, false};
    }
}

static double scalarBinop(BinOp op, double l, double r)
{
    switch (op) {
    case BinOp::Eql: return l == r ? 1 : 0;
    case BinOp::Neq: return l != r ? 1 : 0;
    case BinOp::Gtr: return l > r ? 1 : 0;
    case BinOp::Lss: return l < r ? 1 : 0;
    case BinOp::Gte: return l >= r ? 1 : 0;
    case BinOp::Lte: return l <= r ? 1 : 0;
    default: return elemBinop(op, l, r).first;
    }
}

struct ElemResult
{
    double v = 0;
    HistogramPtr h;
    bool keep = false;
};

// vectorElemBinop with native histograms: histogram*scalar, histogram/scalar,
// histogram+-histogram and ==/!= between histograms; everything else
// involving a histogram is dropped with an info annotation.
static ElemResult elemBinopH(BinOp op, double l, double r, const HistogramPtr &hl, const HistogramPtr &hr,
                             QStringList &annos)
{
    if (!hl && !hr) {
        auto [v, keep] = elemBinop(op, l, r);
        return {v, {}, keep};
    }
    const QString opName = binOpString(op);
    auto incompatible = [&](const char *lt, const char *rt) {
        annos << QStringLiteral("PromQL info: incompatible sample types encountered for binary operator \"%1\": %2 %1 %3")
                     .arg(opName, QLatin1String(lt), QLatin1String(rt));
        return ElemResult{};
    };
    if (!hl) {
        if (op == BinOp::Mul) {
            auto h = std::make_shared<FloatHistogram>(*hr);
            h->mul(l);
            h->compact();
            return {0, h, true};
        }
        return incompatible("float", "histogram");
    }
    if (!hr) {
        if (op == BinOp::Mul || op == BinOp::Div) {
            auto h = std::make_shared<FloatHistogram>(*hl);
            if (op == BinOp::Mul)
                h->mul(r);
            else
                h->div(r);
            h->compact();
            return {0, h, true};
        }
        return incompatible("histogram", "float");
    }
    switch (op) {
    case BinOp::Add:
    case BinOp::Sub: {
        auto h = std::make_shared<FloatHistogram>(*hl);
        const auto res = h->add(*hr, op == BinOp::Sub);
        if (res.incompatible) {
            annos << QStringLiteral("PromQL warning: incompatible bucket layout encountered for binary operator %1").arg(opName);
            return {};
        }
        const QString what = op == BinOp::Add ? QStringLiteral("addition") : QStringLiteral("subtraction");
        if (res.counterResetCollision)
            annos << QStringLiteral("PromQL warning: conflicting counter resets during histogram %1").arg(what);
        if (res.customReconciled)
            annos << QStringLiteral("PromQL info: mismatched custom buckets were reconciled during %1").arg(what);
        h->compact();
        return {0, h, true};
    }
    case BinOp::Eql:
        return {0, hl, hl->equals(*hr)};
    case BinOp::Neq:
        return {0, hl, !hl->equals(*hr)};
    default:
        return incompatible("histogram", "histogram");
    }
}

// The labels two sides are matched on.
static Labels matchSignature(const Labels &l, const VectorMatching *vm)
{
    if (vm && vm->on)
        return l.keepOnly(vm->matchingLabels);
    QStringList drop = vm ? vm->matchingLabels : QStringList();
    drop << QStringLiteral("__name__");
    return l.dropping(drop);
}

Result<Vector> Evaluator::vectorBinop(const Expr &e, const Vector &lhsIn, const Vector &rhsIn) const
{
    const VectorMatching *vm = e.matching.get();
    Vector out;
    QStringList &annos = *m_warnings;
    auto labelsOf = [](const VSample &s) { return s.dropName ? s.labels.withoutMetricName() : s.labels; };
    if (isSetOperator(e.op)) {
        switch (e.op) {
        case BinOp::And: {
            if (lhsIn.isEmpty() || rhsIn.isEmpty())
                return out;
            QSet<Labels> right;
            for (const auto &r : rhsIn)
                right.insert(matchSignature(labelsOf(r), vm));
            for (const auto &l : lhsIn)
                if (right.contains(matchSignature(labelsOf(l), vm)))
                    out.push_back(l);
            return out;
        }
        case BinOp::Or: {
            QSet<Labels> left;
            for (const auto &l : lhsIn) {
                left.insert(matchSignature(labelsOf(l), vm));
                out.push_back(l);
            }
            for (const auto &r : rhsIn)
                if (!left.contains(matchSignature(labelsOf(r), vm)))
                    out.push_back(r);
            return out;
        }
        case BinOp::Unless: {
            if (rhsIn.isEmpty())
                return lhsIn;
            QSet<Labels> right;
            for (const auto &r : rhsIn)
                right.insert(matchSignature(labelsOf(r), vm));
            for (const auto &l : lhsIn)
                if (!right.contains(matchSignature(labelsOf(l), vm)))
                    out.push_back(l);
            return out;
        }
        default: break;
        }
    }
    if ((lhsIn.isEmpty() || rhsIn.isEmpty()) && !(vm && (vm->fillLeft || vm->fillRight)))
        return out;
    const bool oneToMany = vm && vm->card == Cardinality::OneToMany;
    const Vector &lhs = oneToMany ? rhsIn : lhsIn;
    const Vector &rhs = oneToMany ? lhsIn : rhsIn;
    QHash<Labels, qsizetype> rightSigs;
    for (qsizetype i = 0; i < rhs.size(); ++i) {
        const Labels sig = matchSignature(labelsOf(rhs[i]), vm);
        auto it = rightSigs.constFind(sig);
        if (it != rightSigs.constEnd()) {
            const Labels matched = vm && vm->on ? labelsOf(rhs[i]).keepOnly(vm->matchingLabels)
                                                : labelsOf(rhs[i]).dropping(QStringList(vm ? vm->matchingLabels : QStringList()) << QStringLiteral("__name__"));
            return fail(executionError(
                QStringLiteral("found duplicate series for the match group %1 on the %2 hand-side of the operation: [%3, %4];many-to-many matching not allowed: matching labels must be unique on one side")
                    .arg(matched.toString(), oneToMany ? QStringLiteral("left") : QStringLiteral("right"),
                         rhs[i].labels.toString(), rhs[*it].labels.toString())));
        }
        rightSigs.insert(sig, i);
    }
    QHash<Labels, QSet<Labels>> matchedSigs;
    QSet<Labels> oneToOneSeen;
    const bool oneToOne = !vm || vm->card == Cardinality::OneToOne;
    for (const auto &ls : lhs) {
        const Labels lsLabels = labelsOf(ls);
        const Labels sig = matchSignature(lsLabels, vm);
        auto it = rightSigs.constFind(sig);
        if (it == rightSigs.constEnd())
            continue;
        const VSample &rs = rhs[*it];
        double fl = ls.v, fr = rs.v;
        HistogramPtr hl = ls.h, hr = rs.h;
        if (oneToMany) {
            std::swap(fl, fr);
            std::swap(hl, hr);
        }
        const qsizetype annosBefore = annos.size();
        auto [value, hvalue, keep] = elemBinopH(e.op, fl, fr, hl, hr, annos);
        if (annos.size() != annosBefore && !keep)
            continue;
        if (oneToOne) {
            // Checked before filtering so the error does not depend on the values.
            if (oneToOneSeen.contains(sig))
                return fail(executionError(QStringLiteral("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")));
            oneToOneSeen.insert(sig);
        }
        if (e.returnBool) {
            value = keep ? 1.0 : 0.0;
            hvalue.reset();
        } else if (!keep) {
            continue;
        }
        // resultMetric
        Labels metric = ls.labels;
        const bool dropName = shouldDropName(e.op) || e.returnBool || ls.dropName;
        if (oneToOne && vm) {
            if (vm->on)
                metric = metric.keepOnly(vm->matchingLabels);
            else
                metric = metric.dropping(vm->matchingLabels);
        }
        if (vm) {
            for (const auto &ln : vm->include) {
                const QString v = rs.labels.value(ln);
                metric = metric.with(ln, v);
            }
        }
        if (!oneToOne) {
            auto &ins = matchedSigs[sig];
            const Labels key = dropName ? metric.withoutMetricName() : metric;
            if (ins.contains(key))
                return fail(executionError(QStringLiteral("multiple matches for labels: grouping labels must ensure unique matches")));
            ins.insert(key);
        }
        out.push_back({metric, value, dropName, hvalue});
    }
    if (vm && (vm->fillLeft || vm->fillRight)) {
        auto resultMetric = [&](const Labels &base, const Labels *one) {
            Labels metric = base;
            if (oneToOne) {
                if (vm->on)
                    metric = metric.keepOnly(vm->matchingLabels);
                else
                    metric = metric.dropping(vm->matchingLabels);
            }
            for (const auto &ln : vm->include)
                metric = metric.with(ln, one ? one->value(ln) : QString());
            return metric;
        };
        auto emitFill = [&](const Labels &metric, bool lhsDrop, double fl, double fr) {
            if (oneToMany)
                std::swap(fl, fr);
            auto [value, keep] = elemBinop(e.op, fl, fr);
            if (e.returnBool) {
                value = keep ? 1.0 : 0.0;
            } else if (!keep) {
                return;
            }
            out.push_back({metric, value, shouldDropName(e.op) || e.returnBool || lhsDrop, {}});
        };
        QSet<Labels> leftSigs;
        for (const auto &ls : lhs)
            leftSigs.insert(matchSignature(labelsOf(ls), vm));
        if (vm->fillRight) {
            for (const auto &ls : lhs)
                if (!rightSigs.contains(matchSignature(labelsOf(ls), vm)))
                    emitFill(resultMetric(ls.labels, nullptr), ls.dropName, ls.v, *vm->fillRight);
        }
        if (vm->fillLeft) {
            for (const auto &rs : rhs) {
                const Labels sig = matchSignature(labelsOf(rs), vm);
                if (!leftSigs.contains(sig))
                    emitFill(resultMetric(sig, &rs.labels), true, *vm->fillLeft, rs.v);
            }
        }
    }
    return out;
}

Result<EvalValue> Evaluator::evalBinary(const Expr &e)
{
    auto lhs = eval(*e.args[0]);
    if (!lhs)
        return lhs;
    auto rhs = eval(*e.args[1]);
    if (!rhs)
        return rhs;
    EvalValue out;
    if (lhs->type == ValueType::Scalar && rhs->type == ValueType::Scalar) {
        out.type = ValueType::Scalar;
        out.scalars.resize(m_numSteps);
        for (int i = 0; i < m_numSteps; ++i)
            out.scalars[i] = scalarBinop(e.op, lhs->scalars[i], rhs->scalars[i]);
        return out;
    }
    out.type = ValueType::Vector;
    if (lhs->type == ValueType::Scalar || rhs->type == ValueType::Scalar) {
        const bool swap = lhs->type == ValueType::Scalar;
        EvalValue &vec = swap ? *rhs : *lhs;
        const QList<double> &sc = swap ? lhs->scalars : rhs->scalars;
        for (auto &s : vec.series) {
            QList<Point> pts;
            pts.reserve(s.points.size());
            for (const auto &p : s.points) {
                const int i = int((p.t - m_start) / m_interval);
                double lv = p.v, rv = sc.value(i);
                HistogramPtr lh = p.h, rh;
                if (swap) {
                    std::swap(lv, rv);
                    std::swap(lh, rh);
                }
                const qsizetype annosBefore = m_warnings->size();
                auto [value, hvalue, keep] = elemBinopH(e.op, lv, rv, lh, rh, *m_warnings);
                if (m_warnings->size() != annosBefore && !keep)
                    continue;
                if (isComparison(e.op) && swap) {
                    value = rv;
                    hvalue = rh;
                }
                if (e.returnBool) {
                    value = keep ? 1.0 : 0.0;
                    hvalue.reset();
                    keep = true;
                }
                if (keep)
                    pts.push_back({p.t, value, hvalue});
            }
            if (pts.isEmpty())
                continue;
            StepSeries ns;
            ns.labels = s.labels;
            ns.dropName = s.dropName || shouldDropName(e.op) || e.returnBool;
            ns.points = std::move(pts);
            out.series.push_back(std::move(ns));
        }
        return out;
    }
    auto m = rangeEval({&*lhs, &*rhs}, [&](int, const QList<Vector> &v, const QList<double> &) {
        return vectorBinop(e, v[0], v[1]);
    });
    if (!m)
        return fail(m.error());
    out.series = std::move(*m);
    return out;
}

} // namespace spyglass::query::promql
