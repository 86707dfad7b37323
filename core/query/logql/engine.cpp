#include "core/query/logql/engine.h"

#include "core/query/logql/parser.h"
#include "core/query/logql/pipeline.h"

#include <QElapsedTimer>
#include <QHash>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::query::logql {

using model::Labels;
using model::TimestampNs;

QString LogqlResult::typeName(Type t)
{
    switch (t) {
    case Type::Streams: return QStringLiteral("streams");
    case Type::Matrix: return QStringLiteral("matrix");
    case Type::Vector: return QStringLiteral("vector");
    case Type::Scalar: return QStringLiteral("scalar");
    }
    return {};
}

model::Frames LogqlResult::toFrames() const
{
    model::Frames out;
    if (type == Type::Streams) {
        struct Row
        {
            const LogStreamOut *s;
            const LogEntryOut *e;
        };
        QList<Row> rows;
        for (const auto &s : streams)
            for (const auto &e : s.entries)
                rows.append({&s, &e});
        std::stable_sort(rows.begin(), rows.end(), [this](const Row &a, const Row &b) {
            return direction == store::LogDirection::Forward ? a.e->time < b.e->time : a.e->time > b.e->time;
        });
        QList<std::int64_t> ms, ns;
        QStringList lines;
        QList<Labels> labels, meta, parsed;
        for (const auto &r : rows) {
            ms.append(r.e->time / 1'000'000);
            ns.append(r.e->time);
            lines.append(r.e->line);
            labels.append(r.s->labels);
            meta.append(r.e->metadata);
            parsed.append(r.e->parsed);
        }
        model::Frame f(QStringLiteral("logs"), model::FrameKind::Logs);
        f.addField(model::Field::time(QStringLiteral("Time"), ms));
        f.addField(model::Field::string(QStringLiteral("Line"), lines));
        f.addField(model::Field::labels(QStringLiteral("labels"), labels));
        f.addField(model::Field::int64(QStringLiteral("tsNs"), ns));
        f.addField(model::Field::labels(QStringLiteral("structuredMetadata"), meta));
        f.addField(model::Field::labels(QStringLiteral("parsed"), parsed));
        f.meta().custom.insert(QStringLiteral("resultType"), typeName(type));
        out.append(f);
        return out;
    }
    if (type == Type::Scalar) {
        model::Frame f = model::Frame::timeSeries({}, {model::Sample{scalarTime / 1'000'000, scalar}});
        f.meta().custom.insert(QStringLiteral("resultType"), typeName(type));
        out.append(f);
        return out;
    }
    for (const auto &s : series) {
        QList<model::Sample> samples;
        samples.reserve(s.points.size());
        for (const auto &[t, v] : s.points)
            samples.append({t / 1'000'000, v});
        model::Frame f = model::Frame::timeSeries(s.labels, samples);
        f.meta().custom.insert(QStringLiteral("resultType"), typeName(type));
        out.append(f);
    }
    return out;
}

namespace {

// One series over all steps; `has[k]` says whether step k has a value.
struct StepSeries
{
    Labels labels;
    std::vector<double> v;
    std::vector<char> has;
};

struct Value
{
    bool isScalar = false;
    double scalar = 0;
    QList<StepSeries> series;
};

const QString kErr = QStringLiteral("__error__");
const QString kErrDetails = QStringLiteral("__error_details__");

Labels groupLabels(const Labels &l, const Grouping &g)
{
    if (!g.present)
        return {};
    return g.without ? l.dropping(g.labels) : l.keepOnly(g.labels);
}

double quantile(std::vector<double> v, double q)
{
    if (v.empty())
        return std::nan("");
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    std::sort(v.begin(), v.end());
    const double rank = q * double(v.size() - 1);
    const auto lo = size_t(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    const double w = rank - double(lo);
    return v[lo] * (1 - w) + v[hi] * w;
}

class Evaluator
{
public:
    Evaluator(const store::LogStore &store, const LogqlQuery &q, const CancelToken &cancel, LogqlStats &stats)
        : m_store(store), m_q(q), m_cancel(cancel), m_stats(stats)
    {
        if (q.instant || q.stepNs <= 0) {
            m_steps.push_back(q.end);
        } else {
            for (TimestampNs t = q.start; t <= q.end; t += q.stepNs)
                m_steps.push_back(t);
        }
    }

    const std::vector<TimestampNs> &steps() const { return m_steps; }

    Result<Value> eval(const Expr &e)
    {
        if (m_cancel.isCancelled())
            return fail(Error::cancelled());
        switch (e.kind) {
        case Expr::Kind::Number: {
            Value v;
            v.isScalar = true;
            v.scalar = e.value;
            return v;
        }
        case Expr::Kind::Vector: {
            Value v;
            StepSeries s;
            s.v.assign(m_steps.size(), e.value);
            s.has.assign(m_steps.size(), 1);
            v.series.append(s);
            return v;
        }
        case Expr::Kind::RangeAgg: return evalRange(e);
        case Expr::Kind::VectorAgg: return evalVectorAgg(e);
        case Expr::Kind::Binary: return evalBinary(e);
        case Expr::Kind::LabelReplace: return evalLabelReplace(e);
        case Expr::Kind::Logs: break;
        }
        return fail(Error::invalid(QStringLiteral("log queries cannot be evaluated as metrics")));
    }

private:
    struct Sample
    {
        TimestampNs t;
        double v;
    };
    struct Collected
    {
        Labels labels;
        std::vector<Sample> samples;
        bool sorted = true;
    };

    Result<Value> evalRange(const Expr &e)
    {
        auto pipe = Pipeline::compile(e.selector.pipeline);
        if (!pipe)
            return fail(pipe.error());
        std::optional<Pipeline> post;
        if (e.unwrap && !e.unwrap->postFilters.isEmpty()) {
            auto p = Pipeline::compileLabelFilters(e.unwrap->postFilters);
            if (!p)
                return fail(p.error());
            post = *p;
        }
        const TimestampNs from = m_steps.front() - e.offsetNs - e.rangeNs + 1;
        const TimestampNs to = m_steps.back() - e.offsetNs + 1; // exclusive
        auto refs = m_store.streams(e.selector.matchers, from, to);
        if (!refs)
            return fail(refs.error());

        QHash<Labels, qsizetype> index;
        QList<Collected> collected;
        const bool bytes = e.func == u"bytes_over_time" || e.func == u"bytes_rate";
        LabelsBuilder lbs;
        QByteArray storage;
        for (const auto &ref : *refs) {
            ++m_stats.streamsRead;
            // Fast path: labels untouched by the pipeline and no metadata
            // means every line of the stream lands in the same series.
            qsizetype cachedSeries = -1;
            auto r = m_store.read(ref.id, from, to, store::LogDirection::Forward, [&](const store::LogEntryBlock &b) {
                if (m_cancel.isCancelled())
                    return false;
                for (const auto &en : b.entries) {
                    ++m_stats.linesScanned;
                    m_stats.bytesScanned += en.line.size();
                    QByteArrayView line = en.line;
                    lbs.reset(&ref.labels, en.metadata);
                    if (!pipe->process(en.time, line, storage, lbs))
                        continue;
                    double value = 1;
                    if (bytes)
                        value = double(line.size());
                    if (e.unwrap) {
                        const QString raw = lbs.get(e.unwrap->label);
                        std::optional<double> v;
                        if (e.unwrap->conversion == Unwrap::Conversion::None) {
                            bool ok = false;
                            const double d = raw.trimmed().toDouble(&ok);
                            if (ok)
                                v = d;
                        } else if (e.unwrap->conversion == Unwrap::Conversion::Bytes) {
                            v = parseHumanBytes(raw);
                        } else {
                            v = parseGoDuration(raw);
                        }
                        if (!v) {
                            lbs.setError(QStringLiteral("SampleExtractionErr"),
                                         QStringLiteral("strconv.ParseFloat: parsing \"%1\": invalid syntax").arg(raw));
                            value = 0;
                        } else {
                            value = *v;
                        }
                        lbs.del(e.unwrap->label);
                        if (post && !post->process(en.time, line, storage, lbs))
                            continue;
                    }
                    qsizetype idx;
                    const bool simple = !lbs.modified() && en.metadata.isEmpty() && !e.grouping.present;
                    if (simple && cachedSeries >= 0) {
                        idx = cachedSeries;
                    } else {
                        Labels l = simple ? ref.labels : lbs.labels();
                        if (e.grouping.present) {
                            // __error__ must survive grouping so it is reported.
                            const QString err = l.value(kErr);
                            l = groupLabels(l, e.grouping);
                            if (!err.isEmpty())
                                l = l.with(kErr, err);
                        }
                        auto it = index.find(l);
                        if (it == index.end()) {
                            it = index.insert(l, collected.size());
                            collected.append(Collected{l, {}, true});
                        }
                        idx = *it;
                        if (simple)
                            cachedSeries = idx;
                    }
                    auto &c = collected[idx];
                    if (!c.samples.empty() && c.samples.back().t > en.time)
                        c.sorted = false;
                    c.samples.push_back({en.time, value});
                }
                return true;
            });
            if (!r)
                return fail(r.error());
            if (m_cancel.isCancelled())
                return fail(Error::cancelled());
        }
        for (const auto &c : collected) {
            if (c.labels.has(kErr)) {
                return fail(Error::invalid(
                    QStringLiteral("pipeline error: '%1' for series: '%2'.\nUse a label filter to intentionally skip "
                                   "this error. (e.g | __error__!=\"%1\").\nTo skip all potential errors you can match "
                                   "empty errors.(e.g __error__=\"\")\nThe label filter can also be specified after "
                                   "unwrap. (e.g | unwrap latency | __error__=\"\" )\n")
                        .arg(c.labels.value(kErr), c.labels.without(kErr).without(kErrDetails).toString())));
            }
        }

        Value out;
        const double rangeSec = double(e.rangeNs) / 1e9;
        if (e.func == u"absent_over_time") {
            StepSeries s;
            QList<model::Label> ls;
            for (const auto &m : e.selector.matchers)
                if (m.op() == model::LabelMatcher::Op::Equal)
                    ls.append({m.name(), m.value()});
            s.labels = Labels(ls);
            s.v.assign(m_steps.size(), 1);
            s.has.assign(m_steps.size(), 0);
            bool any = false;
            for (size_t k = 0; k < m_steps.size(); ++k) {
                const TimestampNs hi = m_steps[k] - e.offsetNs, lo = hi - e.rangeNs;
                bool present = false;
                for (auto &c : collected) {
                    if (!c.sorted) {
                        std::stable_sort(c.samples.begin(), c.samples.end(), [](auto &a, auto &b) { return a.t < b.t; });
                        c.sorted = true;
                    }
                    auto it = std::upper_bound(c.samples.begin(), c.samples.end(), lo,
                                               [](TimestampNs t, const Sample &s) { return t < s.t; });
                    if (it != c.samples.end() && it->t <= hi) {
                        present = true;
                        break;
                    }
                }
                if (!present) {
                    s.has[k] = 1;
                    any = true;
                }
            }
            if (any)
                out.series.append(s);
            return out;
        }

        for (auto &c : collected) {
            if (!c.sorted)
                std::stable_sort(c.samples.begin(), c.samples.end(), [](auto &a, auto &b) { return a.t < b.t; });
            StepSeries s;
            s.labels = c.labels;
            s.v.assign(m_steps.size(), 0);
            s.has.assign(m_steps.size(), 0);
            bool any = false;
            size_t lo = 0, hi = 0;
            std::vector<double> window;
            for (size_t k = 0; k < m_steps.size(); ++k) {
                const TimestampNs end = m_steps[k] - e.offsetNs, start = end - e.rangeNs;
                while (hi < c.samples.size() && c.samples[hi].t <= end)
                    ++hi;
                while (lo < hi && c.samples[lo].t <= start)
                    ++lo;
                if (lo >= hi)
                    continue;
                const size_t n = hi - lo;
                double sum = 0;
                for (size_t i = lo; i < hi; ++i)
                    sum += c.samples[i].v;
                double r = 0;
                const QString &f = e.func;
                if (f == u"count_over_time") r = double(n);
                else if (f == u"rate") r = (e.unwrap ? sum : double(n)) / rangeSec;
                else if (f == u"bytes_over_time" || f == u"sum_over_time") r = sum;
                else if (f == u"bytes_rate") r = sum / rangeSec;
                else if (f == u"avg_over_time") r = sum / double(n);
                else if (f == u"max_over_time") {
                    r = -INFINITY;
                    for (size_t i = lo; i < hi; ++i) r = std::max(r, c.samples[i].v);
                } else if (f == u"min_over_time") {
                    r = INFINITY;
                    for (size_t i = lo; i < hi; ++i) r = std::min(r, c.samples[i].v);
                } else if (f == u"first_over_time") r = c.samples[lo].v;
                else if (f == u"last_over_time") r = c.samples[hi - 1].v;
                else if (f == u"stdvar_over_time" || f == u"stddev_over_time") {
                    const double mean = sum / double(n);
                    double acc = 0;
                    for (size_t i = lo; i < hi; ++i) acc += (c.samples[i].v - mean) * (c.samples[i].v - mean);
                    r = acc / double(n);
                    if (f == u"stddev_over_time") r = std::sqrt(r);
                } else if (f == u"quantile_over_time") {
                    window.clear();
                    for (size_t i = lo; i < hi; ++i) window.push_back(c.samples[i].v);
                    r = quantile(window, e.param.value_or(0.5));
                } else if (f == u"rate_counter") {
                    // Counter semantics over the unwrapped values: resets add the value after the reset.
                    double inc = 0;
                    for (size_t i = lo + 1; i < hi; ++i) {
                        const double d = c.samples[i].v - c.samples[i - 1].v;
                        inc += d >= 0 ? d : c.samples[i].v;
                    }
                    r = inc / rangeSec;
                }
                s.v[k] = r;
                s.has[k] = 1;
                any = true;
            }
            if (any)
                out.series.append(std::move(s));
        }
        return out;
    }

    Result<Value> evalVectorAgg(const Expr &e)
    {
        auto in = eval(*e.inner);
        if (!in)
            return in;
        if (in->isScalar)
            return fail(Error::invalid(QStringLiteral("vector aggregation %1 needs a vector, got a scalar").arg(e.func)));
        Value out;
        const QString &f = e.func;
        if (f == u"sort" || f == u"sort_desc") {
            m_sort = f == u"sort" ? 1 : -1;
            return in;
        }
        const size_t nSteps = m_steps.size();
        // Groups of input series.
        QHash<Labels, QList<qsizetype>> groups;
        QList<Labels> order;
        for (qsizetype i = 0; i < in->series.size(); ++i) {
            const Labels g = e.grouping.present ? groupLabels(in->series[i].labels, e.grouping) : Labels();
            auto it = groups.find(g);
            if (it == groups.end()) {
                order.append(g);
                it = groups.insert(g, {});
            }
            it->append(i);
        }
        if (f == u"topk" || f == u"bottomk") {
            const auto k = qsizetype(e.param.value_or(1));
            QList<StepSeries> res = in->series;
            for (auto &s : res)
                std::fill(s.has.begin(), s.has.end(), 0);
            for (const auto &g : order) {
                const auto &members = groups[g];
                for (size_t st = 0; st < nSteps; ++st) {
                    QList<qsizetype> present;
                    for (auto i : members)
                        if (in->series[i].has[st])
                            present.append(i);
                    std::stable_sort(present.begin(), present.end(), [&](qsizetype a, qsizetype b) {
                        const double va = in->series[a].v[st], vb = in->series[b].v[st];
                        return f == u"topk" ? va > vb : va < vb;
                    });
                    for (qsizetype j = 0; j < present.size() && j < k; ++j)
                        res[present[j]].has[st] = 1;
                }
            }
            for (auto &s : res)
                if (std::any_of(s.has.begin(), s.has.end(), [](char c) { return c; }))
                    out.series.append(std::move(s));
            m_sort = f == u"topk" ? -1 : 1;
            return out;
        }
        for (const auto &g : order) {
            const auto &members = groups[g];
            StepSeries s;
            s.labels = g;
            s.v.assign(nSteps, 0);
            s.has.assign(nSteps, 0);
            bool any = false;
            for (size_t st = 0; st < nSteps; ++st) {
                std::vector<double> vals;
                for (auto i : members)
                    if (in->series[i].has[st])
                        vals.push_back(in->series[i].v[st]);
                if (vals.empty())
                    continue;
                double r = 0;
                double sum = 0;
                for (double v : vals)
                    sum += v;
                const double n = double(vals.size());
                if (f == u"sum") r = sum;
                else if (f == u"avg") r = sum / n;
                else if (f == u"count") r = n;
                else if (f == u"min") r = *std::min_element(vals.begin(), vals.end());
                else if (f == u"max") r = *std::max_element(vals.begin(), vals.end());
                else if (f == u"stdvar" || f == u"stddev") {
                    const double mean = sum / n;
                    double acc = 0;
                    for (double v : vals)
                        acc += (v - mean) * (v - mean);
                    r = acc / n;
                    if (f == u"stddev")
                        r = std::sqrt(r);
                }
                s.v[st] = r;
                s.has[st] = 1;
                any = true;
            }
            if (any)
                out.series.append(std::move(s));
        }
        return out;
    }

    static bool isComparison(BinOp op)
    {
        return op == BinOp::Eq || op == BinOp::Ne || op == BinOp::Gt || op == BinOp::Ge || op == BinOp::Lt
               || op == BinOp::Le;
    }

    // Returns the value, or nullopt when a comparison filters the element out.
    static std::optional<double> apply(BinOp op, double l, double r, bool returnBool)
    {
        switch (op) {
        case BinOp::Add: return l + r;
        case BinOp::Sub: return l - r;
        case BinOp::Mul: return l * r;
        case BinOp::Div: return l / r;
        case BinOp::Mod: return std::fmod(l, r);
        case BinOp::Pow: return std::pow(l, r);
        default: break;
        }
        bool c = false;
        switch (op) {
        case BinOp::Eq: c = l == r; break;
        case BinOp::Ne: c = l != r; break;
        case BinOp::Gt: c = l > r; break;
        case BinOp::Ge: c = l >= r; break;
        case BinOp::Lt: c = l < r; break;
        case BinOp::Le: c = l <= r; break;
        default: break;
        }
        if (returnBool)
            return c ? 1.0 : 0.0;
        if (!c)
            return std::nullopt;
        return l;
    }

    Labels signature(const Labels &l, const Expr &e) const
    {
        if (!e.hasMatching)
            return l;
        return e.on ? l.keepOnly(e.matchingLabels) : l.dropping(e.matchingLabels);
    }

    Result<Value> evalBinary(const Expr &e)
    {
        auto lv = eval(*e.lhs);
        if (!lv)
            return lv;
        auto rv = eval(*e.rhs);
        if (!rv)
            return rv;
        const size_t nSteps = m_steps.size();
        const bool setOp = e.op == BinOp::And || e.op == BinOp::Or || e.op == BinOp::Unless;
        if (lv->isScalar && rv->isScalar) {
            if (setOp)
                return fail(Error::invalid(QStringLiteral("set operator %1 not allowed in binary scalar expression").arg(binOpName(e.op))));
            if (isComparison(e.op) && !e.returnBool)
                return fail(Error::invalid(QStringLiteral("comparisons between scalars must use BOOL modifier")));
            Value v;
            v.isScalar = true;
            v.scalar = apply(e.op, lv->scalar, rv->scalar, true).value_or(0);
            return v;
        }
        if (lv->isScalar || rv->isScalar) {
            if (setOp)
                return fail(Error::invalid(QStringLiteral("set operator %1 not allowed between a vector and a scalar").arg(binOpName(e.op))));
            const bool scalarLeft = lv->isScalar;
            Value v;
            const Value &vec = scalarLeft ? *rv : *lv;
            const double sc = scalarLeft ? lv->scalar : rv->scalar;
            for (const auto &s : vec.series) {
                StepSeries o = s;
                bool any = false;
                for (size_t k = 0; k < nSteps; ++k) {
                    if (!s.has[k])
                        continue;
                    const double l = scalarLeft ? sc : s.v[k];
                    const double r = scalarLeft ? s.v[k] : sc;
                    auto res = apply(e.op, l, r, e.returnBool);
                    if (!res) {
                        o.has[k] = 0;
                        continue;
                    }
                    // A filtering comparison keeps the vector's value.
                    o.v[k] = isComparison(e.op) && !e.returnBool ? s.v[k] : *res;
                    any = true;
                }
                if (any)
                    v.series.append(std::move(o));
            }
            return v;
        }
        // vector op vector, matched per step by signature.
        Value out;
        if (setOp) {
            QHash<Labels, QList<qsizetype>> rightSigs;
            for (qsizetype i = 0; i < rv->series.size(); ++i)
                rightSigs[signature(rv->series[i].labels, e)].append(i);
            auto rightHas = [&](const Labels &sig, size_t k) {
                auto it = rightSigs.find(sig);
                if (it == rightSigs.end())
                    return false;
                for (auto i : *it)
                    if (rv->series[i].has[k])
                        return true;
                return false;
            };
            QSet<Labels> leftSigsAt;
            for (const auto &s : lv->series) {
                StepSeries o = s;
                const Labels sig = signature(s.labels, e);
                bool any = false;
                for (size_t k = 0; k < nSteps; ++k) {
                    if (!s.has[k])
                        continue;
                    bool keep = true;
                    if (e.op == BinOp::And)
                        keep = rightHas(sig, k);
                    else if (e.op == BinOp::Unless)
                        keep = !rightHas(sig, k);
                    o.has[k] = keep;
                    any = any || keep;
                }
                if (any)
                    out.series.append(std::move(o));
            }
            if (e.op == BinOp::Or) {
                QHash<Labels, QList<qsizetype>> leftSigs;
                for (qsizetype i = 0; i < lv->series.size(); ++i)
                    leftSigs[signature(lv->series[i].labels, e)].append(i);
                for (const auto &s : rv->series) {
                    StepSeries o = s;
                    const Labels sig = signature(s.labels, e);
                    bool any = false;
                    for (size_t k = 0; k < nSteps; ++k) {
                        if (!s.has[k])
                            continue;
                        bool leftPresent = false;
                        for (auto i : leftSigs.value(sig))
                            leftPresent = leftPresent || lv->series[i].has[k];
                        o.has[k] = !leftPresent;
                        any = any || !leftPresent;
                    }
                    if (any)
                        out.series.append(std::move(o));
                }
            }
            return out;
        }
        const bool groupRight = e.group == Expr::Group::Right;
        const Value &one = groupRight ? *lv : *rv;  // the "one" side
        const Value &many = groupRight ? *rv : *lv; // the "many" side
        QHash<Labels, QList<qsizetype>> oneSigs;
        for (qsizetype i = 0; i < one.series.size(); ++i)
            oneSigs[signature(one.series[i].labels, e)].append(i);
        QHash<Labels, qsizetype> outIndex;
        for (const auto &ms : many.series) {
            const Labels sig = signature(ms.labels, e);
            const auto candidates = oneSigs.value(sig);
            if (candidates.isEmpty())
                continue;
            for (size_t k = 0; k < nSteps; ++k) {
                if (!ms.has[k])
                    continue;
                qsizetype match = -1;
                for (auto i : candidates) {
                    if (!one.series[i].has[k])
                        continue;
                    if (match >= 0)
                        return fail(Error::invalid(QStringLiteral("found duplicate series for the match group %1 on the %2 hand-side of the operation")
                                                       .arg(sig.toString(), groupRight ? QStringLiteral("left") : QStringLiteral("right"))));
                    match = i;
                }
                if (match < 0)
                    continue;
                const auto &os = one.series[match];
                const double l = groupRight ? os.v[k] : ms.v[k];
                const double r = groupRight ? ms.v[k] : os.v[k];
                auto res = apply(e.op, l, r, e.returnBool);
                if (!res)
                    continue;
                Labels resLabels;
                if (e.group == Expr::Group::None) {
                    resLabels = e.hasMatching ? (e.on ? ms.labels.keepOnly(e.matchingLabels) : ms.labels.dropping(e.matchingLabels))
                                              : ms.labels;
                } else {
                    resLabels = ms.labels;
                    for (const auto &name : e.includeLabels) {
                        const QString v = os.labels.value(name);
                        resLabels = resLabels.with(name, v);
                    }
                }
                auto it = outIndex.find(resLabels);
                if (it == outIndex.end()) {
                    StepSeries s;
                    s.labels = resLabels;
                    s.v.assign(nSteps, 0);
                    s.has.assign(nSteps, 0);
                    it = outIndex.insert(resLabels, out.series.size());
                    out.series.append(s);
                }
                auto &dst = out.series[*it];
                if (dst.has[k] && e.group == Expr::Group::None)
                    return fail(Error::invalid(QStringLiteral("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")));
                dst.v[k] = isComparison(e.op) && !e.returnBool ? l : *res;
                dst.has[k] = 1;
            }
        }
        return out;
    }

    Result<Value> evalLabelReplace(const Expr &e)
    {
        auto in = eval(*e.inner);
        if (!in)
            return in;
        if (in->isScalar)
            return fail(Error::invalid(QStringLiteral("label_replace needs a vector")));
        RE2 re("^(?s:" + e.regex.toStdString() + ")$", RE2::Quiet);
        std::string repl;
        // Go's $1 / ${1} / $name -> RE2's \1
        const std::string r = e.replacement.toStdString();
        const auto &names = re.NamedCapturingGroups();
        for (size_t i = 0; i < r.size(); ++i) {
            if (r[i] == '\\') {
                repl += "\\\\";
            } else if (r[i] == '$' && i + 1 < r.size()) {
                size_t j = i + 1;
                std::string n;
                if (r[j] == '{') {
                    const size_t c = r.find('}', j);
                    if (c == std::string::npos) { repl += '$'; continue; }
                    n = r.substr(j + 1, c - j - 1);
                    j = c + 1;
                } else {
                    while (j < r.size() && (std::isalnum(static_cast<unsigned char>(r[j])) || r[j] == '_'))
                        ++j;
                    n = r.substr(i + 1, j - i - 1);
                }
                if (!n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
                    repl += "\\" + n;
                else if (auto it = names.find(n); it != names.end())
                    repl += "\\" + std::to_string(it->second);
                i = j - 1;
            } else {
                repl += r[i];
            }
        }
        Value out;
        for (auto s : in->series) {
            std::string src = s.labels.value(e.src).toStdString();
            if (RE2::FullMatch(src, re)) {
                std::string res = src;
                RE2::Replace(&res, re, repl);
                s.labels = s.labels.with(e.dst, QString::fromStdString(res));
            }
            out.series.append(std::move(s));
        }
        return out;
    }

public:
    int m_sort = 0; // 1 ascending, -1 descending, for instant vectors

private:
    const store::LogStore &m_store;
    const LogqlQuery &m_q;
    const CancelToken &m_cancel;
    LogqlStats &m_stats;
    std::vector<TimestampNs> m_steps;
};

Result<LogqlResult> evalLogs(const store::LogStore &store, const Expr &e, const LogqlQuery &q, const CancelToken &cancel)
{
    LogqlResult res;
    res.type = LogqlResult::Type::Streams;
    res.direction = q.direction;
    auto pipe = Pipeline::compile(e.selector.pipeline);
    if (!pipe)
        return fail(pipe.error());
    auto refs = store.streams(e.selector.matchers, q.start, q.end);
    if (!refs)
        return fail(refs.error());
    struct Hit
    {
        TimestampNs t;
        Labels labels;
        LogEntryOut entry;
    };
    QList<Hit> hits;
    LabelsBuilder lbs;
    QByteArray storage;
    const bool forward = q.direction == store::LogDirection::Forward;
    for (const auto &ref : *refs) {
        ++res.stats.streamsRead;
        qsizetype taken = 0;
        TimestampNs lastKept = 0;
        bool haveLast = false;
        // The global limit also bounds each stream: once this stream has
        // `limit` lines, nothing later in it can be among the first `limit`.
        auto r = store.read(ref.id, q.start, q.end, q.direction, [&](const store::LogEntryBlock &b) {
            if (cancel.isCancelled())
                return false;
            for (const auto &en : b.entries) {
                ++res.stats.linesScanned;
                res.stats.bytesScanned += en.line.size();
                if (q.intervalNs > 0 && haveLast
                    && (forward ? en.time - lastKept < q.intervalNs : lastKept - en.time < q.intervalNs))
                    continue;
                QByteArrayView line = en.line;
                lbs.reset(&ref.labels, en.metadata);
                if (!pipe->process(en.time, line, storage, lbs))
                    continue;
                Hit h;
                h.t = en.time;
                if (!lbs.modified() && en.metadata.isEmpty()) {
                    h.labels = ref.labels;
                } else {
                    h.labels = lbs.labels();
                    h.entry.metadata = lbs.metadata();
                    h.entry.parsed = lbs.parsed();
                }
                h.entry.time = en.time;
                h.entry.line = QString::fromUtf8(line);
                hits.append(std::move(h));
                lastKept = en.time;
                haveLast = true;
                if (q.limit > 0 && ++taken >= q.limit)
                    return false;
            }
            return true;
        });
        if (!r)
            return fail(r.error());
        if (cancel.isCancelled())
            return fail(Error::cancelled());
    }
    std::stable_sort(hits.begin(), hits.end(), [forward](const Hit &a, const Hit &b) {
        return forward ? a.t < b.t : a.t > b.t;
    });
    if (q.limit > 0 && hits.size() > q.limit)
        hits.resize(q.limit);
    QHash<Labels, qsizetype> index;
    for (auto &h : hits) {
        auto it = index.find(h.labels);
        if (it == index.end()) {
            it = index.insert(h.labels, res.streams.size());
            res.streams.append(LogStreamOut{h.labels, {}});
        }
        res.streams[*it].entries.append(std::move(h.entry));
    }
    res.stats.linesReturned = hits.size();
    return res;
}

} // namespace

Result<LogqlResult> LogqlEngine::exec(const LogqlQuery &query, const CancelToken &cancel) const
{
    auto expr = LogqlParser::parse(query.expr);
    if (!expr)
        return fail(expr.error());
    return exec(*expr, query, cancel);
}

Result<LogqlResult> LogqlEngine::exec(const ExprPtr &expr, const LogqlQuery &query, const CancelToken &cancel) const
{
    QElapsedTimer timer;
    timer.start();
    if (expr->isLogQuery()) {
        auto r = evalLogs(m_store, *expr, query, cancel);
        if (r)
            r->stats.execSeconds = double(timer.nsecsElapsed()) / 1e9;
        return r;
    }
    LogqlResult res;
    Evaluator ev(m_store, query, cancel, res.stats);
    auto v = ev.eval(*expr);
    if (!v)
        return fail(v.error());
    const auto &steps = ev.steps();
    if (v->isScalar) {
        if (query.instant) {
            res.type = LogqlResult::Type::Scalar;
            res.scalar = v->scalar;
            res.scalarTime = steps.front();
        } else {
            res.type = LogqlResult::Type::Matrix;
            SeriesOut s;
            for (auto t : steps)
                s.points.append({t, v->scalar});
            res.series.append(s);
        }
    } else {
        res.type = query.instant ? LogqlResult::Type::Vector : LogqlResult::Type::Matrix;
        for (const auto &s : v->series) {
            SeriesOut o;
            o.labels = s.labels;
            for (size_t k = 0; k < steps.size(); ++k)
                if (s.has[k])
                    o.points.append({steps[k], s.v[k]});
            if (!o.points.isEmpty())
                res.series.append(std::move(o));
        }
        if (query.instant && ev.m_sort != 0) {
            const int dir = ev.m_sort;
            std::stable_sort(res.series.begin(), res.series.end(), [dir](const SeriesOut &a, const SeriesOut &b) {
                return dir > 0 ? a.points.front().second < b.points.front().second
                               : a.points.front().second > b.points.front().second;
            });
        } else {
            std::sort(res.series.begin(), res.series.end(), [](const SeriesOut &a, const SeriesOut &b) { return a.labels < b.labels; });
        }
    }
    res.stats.execSeconds = double(timer.nsecsElapsed()) / 1e9;
    return res;
}

} // namespace spyglass::query::logql
