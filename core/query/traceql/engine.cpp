#include "core/query/traceql/engine.h"

#include "core/query/traceql/parser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::query::traceql {

using model::Span;
using store::SpanPredicate;

namespace {

constexpr qsizetype kMaxPushdownLength = 256; // SpanStore indexes values up to this length

void fieldPredicates(const FieldExpr &e, QList<SpanPredicate> &out)
{
    using Op = FieldExpr::Op;
    if (e.op == Op::And) {
        fieldPredicates(*e.lhs, out);
        fieldPredicates(*e.rhs, out);
        return;
    }
    if (e.op != Op::Eq && e.op != Op::Gt && e.op != Op::Gte && e.op != Op::Lt && e.op != Op::Lte)
        return;
    const FieldExpr *field = e.lhs.get();
    const FieldExpr *lit = e.rhs.get();
    Op op = e.op;
    if (field->op == Op::Literal) {
        std::swap(field, lit);
        // 5 < x is x > 5
        switch (op) {
        case Op::Gt: op = Op::Lt; break;
        case Op::Gte: op = Op::Lte; break;
        case Op::Lt: op = Op::Gt; break;
        case Op::Lte: op = Op::Gte; break;
        default: break;
        }
    }
    if (lit->op != Op::Literal)
        return;
    const Value &v = lit->literal;
    if (op == Op::Eq && field->op == Op::Attribute
        && (field->scope == Scope::Span || field->scope == Scope::Resource)) {
        QString text;
        if (v.type == Value::Type::String && v.s.size() <= kMaxPushdownLength)
            text = v.s;
        else if (v.type == Value::Type::Int)
            text = QString::number(std::int64_t(v.num));
        else if (v.type == Value::Type::Bool)
            text = v.b ? QStringLiteral("true") : QStringLiteral("false");
        else
            return;
        out.push_back(SpanPredicate::attribute(field->scope == Scope::Span ? store::AttributeScope::Span
                                                                           : store::AttributeScope::Resource,
                                               field->name, text));
        return;
    }
    if (field->op != Op::Intrinsic)
        return;
    if (op == Op::Eq && field->intrinsic == Intrinsic::Name && v.type == Value::Type::String) {
        out.push_back(SpanPredicate::name(v.s));
    } else if (op == Op::Eq && field->intrinsic == Intrinsic::Status && v.type == Value::Type::Status) {
        out.push_back(SpanPredicate::withStatus(Span::Status(int(v.num))));
    } else if (field->intrinsic == Intrinsic::Duration && v.isNumeric()) {
        const auto n = std::int64_t(std::ceil(v.num));
        const auto floorN = std::int64_t(std::floor(v.num));
        switch (op) {
        case Op::Gt: out.push_back(SpanPredicate::duration(floorN + 1, std::numeric_limits<std::int64_t>::max())); break;
        case Op::Gte: out.push_back(SpanPredicate::duration(n, std::numeric_limits<std::int64_t>::max())); break;
        case Op::Lt: out.push_back(SpanPredicate::duration(std::numeric_limits<std::int64_t>::min(), n - 1)); break;
        case Op::Lte: out.push_back(SpanPredicate::duration(std::numeric_limits<std::int64_t>::min(), floorN)); break;
        case Op::Eq:
            if (double(n) == v.num)
                out.push_back(SpanPredicate::duration(n, n));
            break;
        default: break;
        }
    }
}

void spansetPredicates(const SpansetExpr &e, QList<SpanPredicate> &out)
{
    switch (e.kind) {
    case SpansetExpr::Kind::Filter:
        if (e.filter)
            fieldPredicates(*e.filter, out);
        return;
    case SpansetExpr::Kind::Pipeline:
        spansetPredicates(*e.pipeline->head, out);
        for (const auto &st : e.pipeline->stages)
            if (st.kind == Stage::Kind::Filter)
                spansetPredicates(*st.filter, out);
        return;
    case SpansetExpr::Kind::Binary:
        switch (e.op) {
        case SpansetOp::Or:
            return; // either side may be missing
        case SpansetOp::NotChild:
        case SpansetOp::NotDescendant:
        case SpansetOp::NotParent:
        case SpansetOp::NotAncestor:
        case SpansetOp::NotSibling:
            spansetPredicates(*e.rhs, out); // the left side may be empty
            return;
        default:
            spansetPredicates(*e.lhs, out);
            spansetPredicates(*e.rhs, out);
            return;
        }
    }
}

SpanSetResult toResult(const SpanSet &set, const TraceView &t, const QList<FieldExprPtr> &shown, int spss)
{
    SpanSetResult r;
    r.matched = int(set.spans.size());
    r.attributes = set.attributes;
    QList<int> order = set.spans;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return t.spans()[a].start < t.spans()[b].start; });
    if (spss >= 0 && order.size() > spss)
        order.resize(spss);
    QList<FieldExprPtr> fields = shown;
    for (const auto &f : set.selected)
        fields.push_back(f);
    for (int i : order) {
        MatchedSpan m;
        m.span = t.spans()[i];
        for (const auto &f : fields) {
            // Intrinsics that every result shows anyway are left out.
            if (f->op == FieldExpr::Op::Intrinsic
                && (f->intrinsic == Intrinsic::Name || f->intrinsic == Intrinsic::Duration))
                continue;
            const Value v = Evaluator::value(*f, t, i);
            if (v.type == Value::Type::Nil)
                continue;
            QString name = f->op == FieldExpr::Op::Intrinsic ? f->name : f->name;
            bool dup = false;
            for (const auto &[n, _] : m.attributes)
                dup |= n == name;
            if (!dup)
                m.attributes.push_back({name, v});
        }
        r.spans.push_back(std::move(m));
    }
    return r;
}

bool evaluateTrace(const Query &q, const TraceView &t, const QList<FieldExprPtr> &shown, int spss,
                   TraceResult &out)
{
    const QList<SpanSet> sets = Evaluator::evaluate(q, t);
    if (sets.isEmpty())
        return false;
    for (const auto &s : sets)
        out.spanSets.push_back(toResult(s, t, shown, spss));
    return true;
}

store::TraceSummary summaryOf(const TraceView &t)
{
    store::TraceSummary s;
    if (t.size() == 0)
        return s;
    s.traceId = t.spans().front().traceId;
    s.start = t.start();
    s.end = t.end();
    if (t.root() >= 0) {
        s.rootServiceName = t.spans()[t.root()].serviceName;
        s.rootSpanName = t.spans()[t.root()].name;
    }
    s.spanCount = t.size();
    for (const auto &sp : t.spans())
        s.errorCount += sp.status == Span::Status::Error;
    return s;
}

double metricValue(const Value &v)
{
    // Durations are reported in seconds, as Tempo does.
    return v.type == Value::Type::Duration ? v.num / 1e9 : v.num;
}

double quantile(QList<double> values, double q)
{
    std::sort(values.begin(), values.end());
    if (values.isEmpty())
        return std::nan("");
    const double rank = q * double(values.size() - 1);
    const auto lo = qsizetype(std::floor(rank));
    const auto hi = qsizetype(std::ceil(rank));
    return values[lo] + (values[hi] - values[lo]) * (rank - double(lo));
}

QString formatNumber(double v)
{
    return QString::number(v, 'g', 15);
}

QJsonArray attributesJson(const model::Attributes &attrs)
{
    QJsonArray a;
    for (const auto &at : attrs)
        a.append(QJsonObject{{QStringLiteral("key"), at.key},
                             {QStringLiteral("value"), QJsonValue::fromVariant(at.value)}});
    return a;
}

} // namespace

QList<SpanPredicate> TraceqlEngine::pushdown(const Query &q)
{
    QList<SpanPredicate> out;
    spansetPredicates(*q.pipeline.head, out);
    for (const auto &st : q.pipeline.stages)
        if (st.kind == Stage::Kind::Filter)
            spansetPredicates(*st.filter, out);
    return out;
}

SearchResponse TraceqlEngine::searchTraces(const Query &q, const QList<QList<Span>> &traces, int limit,
                                           int spansPerSpanSet)
{
    SearchResponse resp;
    const auto shown = Evaluator::referencedFields(q);
    for (const auto &spans : traces) {
        if (limit > 0 && resp.traces.size() >= limit)
            break;
        const TraceView t(spans);
        ++resp.inspectedTraces;
        resp.inspectedSpans += t.size();
        TraceResult r;
        r.summary = summaryOf(t);
        if (evaluateTrace(q, t, shown, spansPerSpanSet, r))
            resp.traces.push_back(std::move(r));
    }
    return resp;
}

Result<SearchResponse> TraceqlEngine::search(const SearchRequest &req, const CancelToken &cancel) const
{
    const QString text = req.query.trimmed().isEmpty() ? QStringLiteral("{ }") : req.query;
    auto q = TraceqlParser::parse(text);
    if (!q)
        return fail(q.error());
    if (q->metrics)
        return fail(Error::invalid(QStringLiteral("%1() is a metrics query: run it as a metrics query "
                                                  "(/api/metrics/query_range), not a search")
                                       .arg(metricsFunctionName(q->metrics->function))));
    store::TraceQuery tq;
    if (req.start > 0)
        tq.start = req.start;
    if (req.end > 0)
        tq.end = req.end;
    tq.predicates = pushdown(*q) + req.extraPredicates;
    if (req.minDurationNs > 0)
        tq.minTraceDurationNs = req.minDurationNs;
    if (req.maxDurationNs > 0)
        tq.maxTraceDurationNs = req.maxDurationNs;
    auto candidates = m_store.findTraces(tq);
    if (!candidates)
        return fail(candidates.error());
    SearchResponse resp;
    const auto shown = Evaluator::referencedFields(*q);
    for (const auto &c : *candidates) {
        if (req.limit > 0 && resp.traces.size() >= req.limit)
            break;
        if (cancel.isCancelled())
            return fail(Error::cancelled());
        auto spans = m_store.trace(c.traceId);
        if (!spans)
            return fail(spans.error());
        const TraceView t(std::move(*spans));
        ++resp.inspectedTraces;
        resp.inspectedSpans += t.size();
        TraceResult r;
        r.summary = c;
        if (evaluateTrace(*q, t, shown, req.spansPerSpanSet, r))
            resp.traces.push_back(std::move(r));
    }
    return resp;
}

model::Frames TraceqlEngine::metrics(const Query &q, const QList<TraceView> &traces, model::TimestampNs start,
                                     model::TimestampNs end, std::int64_t stepNs)
{
    using F = MetricsStage::Function;
    const MetricsStage &m = *q.metrics;
    const qsizetype nBuckets = std::max<qsizetype>(1, qsizetype((end - start + stepNs - 1) / stepNs));
    struct Acc
    {
        QList<QList<double>> values; // per bucket
        QList<std::int64_t> counts;
    };
    QMap<model::Labels, Acc> series;
    auto accFor = [&](const model::Labels &l) -> Acc & {
        auto it = series.find(l);
        if (it == series.end()) {
            Acc a;
            a.values.resize(nBuckets);
            a.counts.fill(0, nBuckets);
            it = series.insert(l, a);
        }
        return *it;
    };
    for (const TraceView &t : traces) {
        for (const SpanSet &set : Evaluator::evaluate(q, t)) {
            for (int i : set.spans) {
                const Span &s = t.spans()[i];
                if (s.start < start || s.start >= end)
                    continue;
                const auto b = qsizetype((s.start - start) / stepNs);
                QList<model::Label> labels;
                for (const auto &f : m.by) {
                    const Value v = Evaluator::value(*f, t, i);
                    labels.push_back({f->text, v.type == Value::Type::Nil ? QStringLiteral("nil") : v.toString()});
                }
                if (m.function == F::HistogramOverTime) {
                    const Value v = Evaluator::value(*m.field, t, i);
                    if (!v.isNumeric())
                        continue;
                    // Tempo's log2 buckets: the smallest power of two >= value
                    // (nanoseconds for durations), labelled in seconds.
                    double bound = 1;
                    const double raw = v.num;
                    while (bound < raw)
                        bound *= 2;
                    labels.push_back({QStringLiteral("__bucket"),
                                      formatNumber(v.type == Value::Type::Duration ? bound / 1e9 : bound)});
                    ++accFor(model::Labels(labels)).counts[b];
                    continue;
                }
                Acc &a = accFor(model::Labels(labels));
                ++a.counts[b];
                if (m.field) {
                    const Value v = Evaluator::value(*m.field, t, i);
                    if (v.isNumeric())
                        a.values[b].push_back(metricValue(v));
                }
            }
        }
    }
    model::Frames out;
    const double stepSeconds = double(stepNs) / 1e9;
    auto emitSeries = [&](const model::Labels &labels, const QList<model::Sample> &samples) {
        model::Frame f = model::Frame::timeSeries(labels, samples);
        f.setName(metricsFunctionName(m.function));
        f.meta().executedQuery = q.text;
        out.push_back(std::move(f));
    };
    for (auto it = series.cbegin(); it != series.cend(); ++it) {
        const Acc &a = it.value();
        auto timeOf = [&](qsizetype b) { return model::TimestampMs((start + b * stepNs) / 1'000'000); };
        if (m.function == F::QuantileOverTime) {
            for (double qv : m.quantiles) {
                QList<model::Sample> samples;
                for (qsizetype b = 0; b < nBuckets; ++b)
                    if (!a.values[b].isEmpty())
                        samples.push_back({timeOf(b), quantile(a.values[b], qv)});
                emitSeries(it.key().with(QStringLiteral("p"), formatNumber(qv)), samples);
            }
            continue;
        }
        QList<model::Sample> samples;
        for (qsizetype b = 0; b < nBuckets; ++b) {
            const auto &vals = a.values[b];
            switch (m.function) {
            case F::Rate: samples.push_back({timeOf(b), double(a.counts[b]) / stepSeconds}); break;
            case F::CountOverTime: samples.push_back({timeOf(b), double(a.counts[b])}); break;
            case F::HistogramOverTime:
                if (a.counts[b] > 0)
                    samples.push_back({timeOf(b), double(a.counts[b])});
                break;
            case F::MinOverTime:
                if (!vals.isEmpty())
                    samples.push_back({timeOf(b), *std::min_element(vals.begin(), vals.end())});
                break;
            case F::MaxOverTime:
                if (!vals.isEmpty())
                    samples.push_back({timeOf(b), *std::max_element(vals.begin(), vals.end())});
                break;
            case F::SumOverTime:
            case F::AvgOverTime:
                if (!vals.isEmpty()) {
                    double sum = 0;
                    for (double v : vals)
                        sum += v;
                    samples.push_back({timeOf(b), m.function == F::SumOverTime ? sum : sum / double(vals.size())});
                }
                break;
            case F::QuantileOverTime: break;
            }
        }
        emitSeries(it.key(), samples);
    }
    return out;
}

Result<model::Frames> TraceqlEngine::queryRange(const MetricsRequest &req, const CancelToken &cancel) const
{
    auto q = TraceqlParser::parse(req.query);
    if (!q)
        return fail(q.error());
    if (!q->metrics)
        return fail(Error::invalid(QStringLiteral("not a metrics query: add a metrics function such as "
                                                  "| rate() or | count_over_time() by (resource.service.name)")));
    if (req.stepNs <= 0)
        return fail(Error::invalid(QStringLiteral("step must be positive")));
    if (req.end <= req.start)
        return fail(Error::invalid(QStringLiteral("end must be after start")));
    if ((req.end - req.start) / req.stepNs > 11'000)
        return fail(Error::invalid(QStringLiteral("too many points: (end - start) / step exceeds 11000; "
                                                  "use a larger step")));
    store::TraceQuery tq;
    tq.start = req.start;
    tq.end = req.end;
    tq.predicates = pushdown(*q);
    auto candidates = m_store.findTraces(tq);
    if (!candidates)
        return fail(candidates.error());
    QList<TraceView> views;
    views.reserve(candidates->size());
    for (const auto &c : *candidates) {
        if (cancel.isCancelled())
            return fail(Error::cancelled());
        auto spans = m_store.trace(c.traceId);
        if (!spans)
            return fail(spans.error());
        views.push_back(TraceView(std::move(*spans)));
    }
    return metrics(*q, views, req.start, req.end, req.stepNs);
}

model::Frame TraceqlEngine::searchResultFrame(const SearchResponse &resp)
{
    model::Frame f(QStringLiteral("traces"), model::FrameKind::Table);
    QStringList ids, services, names;
    QList<std::int64_t> starts, spanSets, matched;
    QList<double> durations;
    for (const auto &t : resp.traces) {
        ids << QString::fromLatin1(t.summary.traceId.toHex());
        services << (t.summary.rootServiceName.isEmpty() ? QStringLiteral("<root span not yet received>")
                                                         : t.summary.rootServiceName);
        names << t.summary.rootSpanName;
        starts << t.summary.start / 1'000'000;
        durations << double(t.summary.durationNs()) / 1e6;
        spanSets << t.spanSets.size();
        std::int64_t m = 0;
        for (const auto &s : t.spanSets)
            m += s.matched;
        matched << m;
    }
    f.addField(model::Field::string(QStringLiteral("traceID"), ids));
    f.addField(model::Field::string(QStringLiteral("rootServiceName"), services));
    f.addField(model::Field::string(QStringLiteral("rootTraceName"), names));
    f.addField(model::Field::time(QStringLiteral("startTime"), starts));
    model::Field d = model::Field::float64(QStringLiteral("traceDuration"), durations);
    d.setUnit(QStringLiteral("ms"));
    f.addField(d);
    f.addField(model::Field::int64(QStringLiteral("spanSets"), spanSets));
    f.addField(model::Field::int64(QStringLiteral("matched"), matched));
    f.meta().custom.insert(QStringLiteral("inspectedTraces"), qlonglong(resp.inspectedTraces));
    f.meta().custom.insert(QStringLiteral("inspectedSpans"), qlonglong(resp.inspectedSpans));
    return f;
}

model::Frame TraceqlEngine::spansFrame(const QList<Span> &spans)
{
    model::Frame f(QStringLiteral("trace"), model::FrameKind::Spans);
    QStringList traceIds, spanIds, parents, ops, services, kinds, statuses, messages, tags, serviceTags;
    QList<double> startMs, durMs;
    QList<std::int64_t> startNs;
    static const char *kindNames[] = {"unspecified", "internal", "server", "client", "producer", "consumer"};
    static const char *statusNames[] = {"unset", "ok", "error"};
    for (const auto &s : spans) {
        traceIds << QString::fromLatin1(s.traceId.toHex());
        spanIds << QString::fromLatin1(s.spanId.toHex());
        parents << QString::fromLatin1(s.parentSpanId.toHex());
        ops << s.name;
        services << s.serviceName;
        kinds << QString::fromLatin1(kindNames[int(s.kind)]);
        statuses << QString::fromLatin1(statusNames[int(s.status)]);
        messages << s.statusMessage;
        tags << QString::fromUtf8(QJsonDocument(attributesJson(s.attributes)).toJson(QJsonDocument::Compact));
        serviceTags << QString::fromUtf8(
            QJsonDocument(attributesJson(s.resourceAttributes)).toJson(QJsonDocument::Compact));
        startMs << double(s.start) / 1e6;
        durMs << double(s.end - s.start) / 1e6;
        startNs << s.start;
    }
    f.addField(model::Field::string(QStringLiteral("traceID"), traceIds));
    f.addField(model::Field::string(QStringLiteral("spanID"), spanIds));
    f.addField(model::Field::string(QStringLiteral("parentSpanID"), parents));
    f.addField(model::Field::string(QStringLiteral("operationName"), ops));
    f.addField(model::Field::string(QStringLiteral("serviceName"), services));
    f.addField(model::Field::string(QStringLiteral("kind"), kinds));
    f.addField(model::Field::string(QStringLiteral("statusCode"), statuses));
    f.addField(model::Field::string(QStringLiteral("statusMessage"), messages));
    f.addField(model::Field::float64(QStringLiteral("startTime"), startMs));
    f.addField(model::Field::float64(QStringLiteral("duration"), durMs));
    f.addField(model::Field::int64(QStringLiteral("startTimeNs"), startNs));
    f.addField(model::Field::string(QStringLiteral("tags"), tags));
    f.addField(model::Field::string(QStringLiteral("serviceTags"), serviceTags));
    return f;
}

} // namespace spyglass::query::traceql
