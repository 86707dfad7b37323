#pragma once

#include "core/model/cancel_token.h"
#include "core/model/result.h"
#include "core/model/sample.h"
#include "core/query/queryable.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <memory>

namespace spyglass::query::promql {

class FloatHistogram;

enum class ValueType { Scalar, Vector, Matrix, String };
QString valueTypeName(ValueType t); // "scalar", "vector", "matrix", "string"

struct InstantSample
{
    model::Labels labels;
    model::TimestampMs t = 0;
    double v = 0;
    std::shared_ptr<const FloatHistogram> h; // set for a native histogram sample (v unused)
};

// A native histogram point of a matrix series.
struct HistogramPoint
{
    model::TimestampMs t = 0;
    std::shared_ptr<const FloatHistogram> h;
};

// A query's answer in Prometheus's four shapes.
struct QueryResult
{
    ValueType type = ValueType::Vector;
    model::TimestampMs t = 0;       // for scalar and string results
    double scalar = 0;              // ValueType::Scalar
    QString string;                 // ValueType::String
    QList<InstantSample> vector;    // ValueType::Vector
    QList<model::Series> matrix;    // ValueType::Matrix (range queries, range selectors): float points
    // Native histogram points of matrix[i], index for index (empty lists
    // when there are none, or the list itself is empty for float-only data).
    QList<QList<HistogramPoint>> matrixHistograms;
    QStringList warnings;
};

struct EngineOptions
{
    std::int64_t lookbackDeltaMs = 5 * 60 * 1000; // Prometheus's default
    std::int64_t maxSamples = 50'000'000;         // per query, as --query.max-samples
    // Step of subqueries written without one (`x[1h:]`): Prometheus's global
    // evaluation interval.
    std::int64_t defaultEvaluationIntervalMs = 60'000;
    // Set by the engine per query: what step() returns (0 for instant queries).
    std::int64_t queryStepMs = 0;
};

// Evaluates PromQL against a Queryable with Prometheus semantics. Stateless
// apart from options: one engine may serve many threads.
class Engine
{
public:
    explicit Engine(EngineOptions opts = {}) : m_opts(opts) {}

    Result<QueryResult> instantQuery(const Queryable &q, const QString &expr, model::TimestampMs t,
                                     const CancelToken &cancel = {}) const;
    Result<QueryResult> rangeQuery(const Queryable &q, const QString &expr,
                                   model::TimestampMs start, model::TimestampMs end,
                                   std::int64_t stepMs, const CancelToken &cancel = {}) const;

    const EngineOptions &options() const { return m_opts; }

private:
    EngineOptions m_opts;
};

// The body of Prometheus's /api/v1/query(_range) responses:
// {"status":"success","data":{"resultType":...,"result":[...]}} or
// {"status":"error","errorType":"bad_data","error":"..."}.
QByteArray toPrometheusJson(const Result<QueryResult> &r);
// Prometheus's errorType for an error ("bad_data", "execution", "canceled", "timeout").
QString prometheusErrorType(const Error &e);

} // namespace spyglass::query::promql
