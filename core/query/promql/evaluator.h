#pragma once

#include "core/model/cancel_token.h"
#include "core/query/promql/ast.h"
#include "core/query/promql/engine.h"
#include "core/query/promql/float_histogram.h"
#include "core/query/queryable.h"

#include <QHash>
#include <QSet>
#include <functional>
#include <optional>

namespace spyglass::query::promql {

// One sample point inside the engine: a float, or a native histogram when
// `h` is set (then `v` is unused). Float-only data never allocates.
struct Point
{
    model::TimestampMs t = 0;
    double v = 0;
    HistogramPtr h;
};

// One series of an instant-vector expression evaluated over all steps:
// points carry the step timestamps. `dropName` is Prometheus's delayed
// __name__ removal: set by name-dropping operations, applied at the end so
// label_replace and friends can still see the name.
struct StepSeries
{
    model::Labels labels;
    QList<Point> points;
    bool dropName = false;
};
using StepMatrix = QList<StepSeries>;

// One element of an instant vector at one step.
struct VSample
{
    model::Labels labels;
    double v = 0;
    bool dropName = false;
    HistogramPtr h;
};
using Vector = QList<VSample>;

// A value over all steps of the evaluation.
struct EvalValue
{
    ValueType type = ValueType::Vector;
    StepMatrix series;     // Vector; Matrix (raw samples) for top-level range selectors
    QList<double> scalars; // Scalar: one per step
    QString string;
};

// A range-vector argument resolved per series: every sample any step's
// window needs, fetched once; windows are slices of `samples`.
struct RangeSeries
{
    model::Labels labels;
    QList<Point> samples;
    bool dropName = false;
};

struct RangeArg
{
    QList<RangeSeries> series;
    std::int64_t rangeMs = 0;
    RangeModifier modifier = RangeModifier::None;
    std::int64_t offsetMs = 0;
    AtModifier at = AtModifier::None;
    model::TimestampMs atMs = 0;
    const Expr *selector = nullptr; // the VectorSelector, for absent_over_time's labels
};

class Evaluator
{
public:
    Evaluator(const Queryable &q, const EngineOptions &opts, const CancelToken &cancel,
              model::TimestampMs start, model::TimestampMs end, std::int64_t interval,
              model::TimestampMs queryStart, model::TimestampMs queryEnd,
              std::shared_ptr<std::int64_t> sampleCounter);

    Result<EvalValue> eval(const Expr &e);

    int numSteps() const { return m_numSteps; }
    model::TimestampMs stepTime(int i) const { return m_start + i * m_interval; }
    QStringList &warnings() { return *m_warnings; }
    void shareWarnings(std::shared_ptr<QStringList> w) { m_warnings = std::move(w); }

    // Raw samples of a range selector at one instant, for top-level `foo[5m]`.
    Result<EvalValue> evalMatrixAtInstant(const Expr &e);

private:
    Result<QList<Point>> fetchPoints(store::SeriesId id, model::TimestampMs lo, model::TimestampMs hi) const;
    Result<EvalValue> evalVectorSelector(const Expr &e, bool sampleTimestamps);
    Result<RangeArg> evalRangeArg(const Expr &e);
    Result<EvalValue> evalBinary(const Expr &e);
    Result<EvalValue> evalAggregate(const Expr &e);
    Result<EvalValue> evalCall(const Expr &e);
    Result<EvalValue> evalSubqueryMatrix(const Expr &e);

    model::Labels absentLabels(const Expr *selector) const;
    Result<EvalValue> mergeSameLabels(EvalValue &v) const;
    Result<void> checkCancel() const;
    Result<void> addSamples(std::int64_t n);
    model::TimestampMs atTime(AtModifier at, model::TimestampMs atMs) const;
    Result<StepMatrix> rangeEval(const QList<const EvalValue *> &inputs,
                                 const std::function<Result<Vector>(int step, const QList<Vector> &vecs, const QList<double> &scalars)> &fn);
    Result<Vector> vectorBinop(const Expr &e, const Vector &lhs, const Vector &rhs) const;
    Result<Vector> aggregateStep(const Expr &e, const Vector &in, double param, const QString &strParam) const;

    const Queryable &m_q;
    EngineOptions m_opts;
    CancelToken m_cancel;
    model::TimestampMs m_start;
    model::TimestampMs m_end;
    std::int64_t m_interval;
    int m_numSteps;
    model::TimestampMs m_queryStart;
    model::TimestampMs m_queryEnd;
    std::shared_ptr<std::int64_t> m_samples;
    std::shared_ptr<QStringList> m_warnings;
};

// Helpers shared by the evaluator files.
double kahanSumInc(double inc, double sum, double &c);
// An evaluation failure; prometheusErrorType() reports it as "execution".
Error executionError(const QString &msg);
// Applies delayed __name__ removal and checks for duplicate label sets.
Result<void> finalizeNames(StepMatrix &m);

} // namespace spyglass::query::promql
