#include "core/query/promql/engine.h"

#include "core/query/promql/ast.h"
#include "core/query/promql/evaluator.h"
#include "core/query/promql/float_histogram.h"
#include "core/query/promql/parser.h"
#include "core/model/json_string.h"

#include <QLoggingCategory>
#include <algorithm>
#include <cmath>

namespace spyglass::query::promql {

Q_LOGGING_CATEGORY(lcPromql, "spyglass.query.promql")

QString valueTypeName(ValueType t)
{
    switch (t) {
    case ValueType::Scalar: return QStringLiteral("scalar");
    case ValueType::Vector: return QStringLiteral("vector");
    case ValueType::Matrix: return QStringLiteral("matrix");
    case ValueType::String: return QStringLiteral("string");
    }
    return {};
}

namespace {

// Splits engine points into the result's float points and histogram points,
// keeping matrix and matrixHistograms index-aligned and sorted by labels.
void fillMatrix(QueryResult &r, StepMatrix &series)
{
    std::sort(series.begin(), series.end(), [](const StepSeries &a, const StepSeries &b) { return a.labels < b.labels; });
    bool anyHist = false;
    for (auto &s : series) {
        if (s.points.isEmpty())
            continue;
        model::Series ms;
        ms.labels = s.labels;
        QList<HistogramPoint> hs;
        ms.samples.reserve(s.points.size());
        for (auto &p : s.points) {
            if (p.h) {
                hs.push_back({p.t, std::move(p.h)});
                anyHist = true;
            } else {
                ms.samples.push_back({p.t, p.v});
            }
        }
        r.matrix.push_back(std::move(ms));
        r.matrixHistograms.push_back(std::move(hs));
    }
    if (!anyHist)
        r.matrixHistograms.clear();
}

Result<QueryResult> run(const Engine &engine, const Queryable &q, const QString &expr,
                        model::TimestampMs start, model::TimestampMs end, std::int64_t step,
                        bool instant, const CancelToken &cancel)
{
    auto ast = PromqlParser::parse(expr);
    if (!ast)
        return fail(ast.error());
    const ValueType type = (*ast)->type();
    if (!instant && type != ValueType::Scalar && type != ValueType::Vector)
        return fail(Error::badData(QStringLiteral("invalid expression type \"%1\" for range query, must be Scalar or instant Vector")
                                       .arg(type == ValueType::Matrix ? QStringLiteral("range vector") : valueTypeName(type))));
    if (!instant) {
        if (step <= 0)
            return fail(Error::badData(QStringLiteral("zero or negative query resolution step widths are not accepted. Try a positive integer")));
        if (end < start)
            return fail(Error::badData(QStringLiteral("end timestamp must not be before start time")));
        if ((end - start) / step > 11000)
            return fail(Error::badData(QStringLiteral("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")));
    }
    (*ast)->resolveDurations(instant ? 0.0 : double(step) / 1000.0, double(end - start) / 1000.0);
    auto counter = std::make_shared<std::int64_t>(0);
    EngineOptions opts = engine.options();
    opts.queryStepMs = instant ? 0 : step;
    Evaluator ev(q, opts, cancel, start, end, instant ? 1 : step, start, end, counter);
    auto v = ev.eval(**ast);
    if (!v)
        return fail(v.error());
    QueryResult r;
    r.warnings = ev.warnings();
    r.warnings.removeDuplicates();
    switch (v->type) {
    case ValueType::String:
        r.type = ValueType::String;
        r.t = start;
        r.string = v->string;
        return r;
    case ValueType::Scalar:
        if (instant) {
            r.type = ValueType::Scalar;
            r.t = start;
            r.scalar = v->scalars.value(0);
        } else {
            r.type = ValueType::Matrix;
            model::Series s;
            for (int i = 0; i < ev.numSteps(); ++i)
                s.samples.push_back({ev.stepTime(i), v->scalars[i]});
            r.matrix.push_back(std::move(s));
        }
        return r;
    case ValueType::Matrix: {
        if (auto f = finalizeNames(v->series); !f)
            return fail(f.error());
        r.type = ValueType::Matrix;
        fillMatrix(r, v->series);
        return r;
    }
    case ValueType::Vector:
        if (auto f = finalizeNames(v->series); !f)
            return fail(f.error());
        if (instant) {
            r.type = ValueType::Vector;
            r.t = start;
            for (auto &s : v->series)
                if (!s.points.isEmpty())
                    r.vector.push_back({s.labels, start, s.points.front().v, s.points.front().h});
        } else {
            r.type = ValueType::Matrix;
            fillMatrix(r, v->series);
        }
        return r;
    }
    return r;
}

} // namespace

Result<QueryResult> Engine::instantQuery(const Queryable &q, const QString &expr, model::TimestampMs t,
                                         const CancelToken &cancel) const
{
    return run(*this, q, expr, t, t, 1, true, cancel);
}

Result<QueryResult> Engine::rangeQuery(const Queryable &q, const QString &expr, model::TimestampMs start,
                                       model::TimestampMs end, std::int64_t stepMs,
                                       const CancelToken &cancel) const
{
    return run(*this, q, expr, start, end, stepMs, false, cancel);
}

// ---- JSON ----

namespace {

void appendTimestamp(QByteArray &out, model::TimestampMs t)
{
    // Seconds with up to three decimals, trailing zeros dropped (Go's
    // strconv.FormatFloat(float64(t)/1000, 'f', -1, 64) on millisecond data).
    const bool neg = t < 0;
    const std::uint64_t a = neg ? std::uint64_t(-(t + 1)) + 1 : std::uint64_t(t);
    if (neg)
        out += '-';
    out += QByteArray::number(qulonglong(a / 1000));
    std::uint64_t frac = a % 1000;
    if (frac) {
        char buf[8];
        std::snprintf(buf, sizeof buf, ".%03u", unsigned(frac));
        QByteArray f(buf);
        while (f.endsWith('0'))
            f.chop(1);
        out += f;
    }
}

void appendPoint(QByteArray &out, model::TimestampMs t, double v)
{
    out += '[';
    appendTimestamp(out, t);
    out += ",\"";
    out += formatFloat(v).toLatin1();
    out += "\"]";
}

// Prometheus's histogram JSON: {"count":"..","sum":"..","buckets":[[rule,"lower","upper","count"],...]}
// with boundary rules 0 = (a,b], 1 = [a,b), 3 = [a,b].
void appendHistogram(QByteArray &out, const FloatHistogram &h)
{
    out += "{\"count\":\"";
    out += formatFloat(h.count).toLatin1();
    out += "\",\"sum\":\"";
    out += formatFloat(h.sum).toLatin1();
    out += '"';
    const auto buckets = h.allBuckets(true);
    if (!buckets.isEmpty()) {
        out += ",\"buckets\":[";
        bool first = true;
        for (const auto &b : buckets) {
            if (!first)
                out += ',';
            first = false;
            const int rule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : (b.upperInclusive ? 0 : 2);
            out += '[';
            out += QByteArray::number(rule);
            out += ",\"";
            out += formatFloat(b.lower).toLatin1();
            out += "\",\"";
            out += formatFloat(b.upper).toLatin1();
            out += "\",\"";
            out += formatFloat(b.count).toLatin1();
            out += "\"]";
        }
        out += ']';
    }
    out += '}';
}

void appendHistogramPoint(QByteArray &out, model::TimestampMs t, const FloatHistogram &h)
{
    out += '[';
    appendTimestamp(out, t);
    out += ',';
    appendHistogram(out, h);
    out += ']';
}

void appendMetric(QByteArray &out, const model::Labels &l)
{
    out += '{';
    bool first = true;
    for (const auto &p : l) {
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, p.name);
        out += ':';
        appendJsonString(out, p.value);
    }
    out += '}';
}

} // namespace

QString prometheusErrorType(const Error &e)
{
    switch (e.kind) {
    case Error::Kind::Cancelled: return QStringLiteral("canceled");
    case Error::Kind::Timeout: return QStringLiteral("timeout");
    case Error::Kind::BadData: return QStringLiteral("bad_data");
    case Error::Kind::NotFound: return QStringLiteral("not_found");
    case Error::Kind::Unavailable: return QStringLiteral("unavailable");
    case Error::Kind::Internal: return QStringLiteral("internal");
    case Error::Kind::Io: return QStringLiteral("internal");
    case Error::Kind::Invalid: return QStringLiteral("execution");
    }
    return QStringLiteral("execution");
}

QByteArray toPrometheusJson(const Result<QueryResult> &r)
{
    QByteArray out;
    if (!r) {
        out += "{\"status\":\"error\",\"errorType\":";
        appendJsonString(out, prometheusErrorType(r.error()));
        out += ",\"error\":";
        appendJsonString(out, r.error().toString());
        out += '}';
        return out;
    }
    const QueryResult &q = *r;
    out.reserve(256);
    out += "{\"status\":\"success\",\"data\":{\"resultType\":\"";
    out += valueTypeName(q.type).toLatin1();
    out += "\",\"result\":";
    switch (q.type) {
    case ValueType::Scalar:
        appendPoint(out, q.t, q.scalar);
        break;
    case ValueType::String:
        out += '[';
        appendTimestamp(out, q.t);
        out += ',';
        appendJsonString(out, q.string);
        out += ']';
        break;
    case ValueType::Vector: {
        out += '[';
        bool first = true;
        for (const auto &s : q.vector) {
            if (!first)
                out += ',';
            first = false;
            out += "{\"metric\":";
            appendMetric(out, s.labels);
            if (s.h) {
                out += ",\"histogram\":";
                appendHistogramPoint(out, s.t, *s.h);
            } else {
                out += ",\"value\":";
                appendPoint(out, s.t, s.v);
            }
            out += '}';
        }
        out += ']';
        break;
    }
    case ValueType::Matrix: {
        out += '[';
        bool first = true;
        for (qsizetype k = 0; k < q.matrix.size(); ++k) {
            const auto &s = q.matrix[k];
            if (!first)
                out += ',';
            first = false;
            out += "{\"metric\":";
            appendMetric(out, s.labels);
            const QList<HistogramPoint> *hs = k < q.matrixHistograms.size() ? &q.matrixHistograms[k] : nullptr;
            const bool hasHist = hs && !hs->isEmpty();
            if (!s.samples.isEmpty() || !hasHist) {
                out += ",\"values\":[";
                for (qsizetype i = 0; i < s.samples.size(); ++i) {
                    if (i)
                        out += ',';
                    appendPoint(out, s.samples[i].t, s.samples[i].v);
                }
                out += ']';
            }
            if (hasHist) {
                out += ",\"histograms\":[";
                for (qsizetype i = 0; i < hs->size(); ++i) {
                    if (i)
                        out += ',';
                    appendHistogramPoint(out, (*hs)[i].t, *(*hs)[i].h);
                }
                out += ']';
            }
            out += '}';
        }
        out += ']';
        break;
    }
    }
    out += '}';
    if (!q.warnings.isEmpty()) {
        out += ",\"warnings\":[";
        for (qsizetype i = 0; i < q.warnings.size(); ++i) {
            if (i)
                out += ',';
            appendJsonString(out, q.warnings[i]);
        }
        out += ']';
    }
    out += '}';
    return out;
}

} // namespace spyglass::query::promql
