#pragma once

#include "core/model/label_matcher.h"
#include "core/model/sample.h"
#include "core/query/promql/engine.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <optional>

namespace spyglass::query::promql {

struct FunctionDef;

enum class NodeKind {
    NumberLiteral,
    StringLiteral,
    VectorSelector,
    MatrixSelector, // args[0] is the VectorSelector (which carries offset and @)
    Subquery,       // args[0] is the inner expression
    Unary,          // args[0]; op is Add or Sub
    Binary,         // args[0] op args[1]
    Paren,          // args[0]
    Call,           // func(args...)
    Aggregate,      // op(param?, args[0]); param in `param`
};

enum class BinOp { Add, Sub, Mul, Div, Mod, Pow, Atan2, Eql, Neq, Lte, Lss, Gte, Gtr, And, Or, Unless };

enum class AggOp {
    Sum, Avg, Count, Min, Max, Group, Stddev, Stdvar,
    TopK, BottomK, CountValues, Quantile, LimitK, LimitRatio
};

// Where an `@` modifier pins the evaluation time.
enum class AtModifier { None, Timestamp, Start, End };

// Prometheus's experimental range modifiers: `x[5m] anchored` starts the
// window at the last sample before it; `x[5m] smoothed` interpolates values
// at both window edges.
enum class RangeModifier { None, Anchored, Smoothed };

enum class Cardinality { OneToOne, ManyToOne, OneToMany, ManyToMany };

struct VectorMatching
{
    Cardinality card = Cardinality::OneToOne;
    bool on = false;            // on(...) rather than ignoring(...)
    QStringList matchingLabels; // the labels of on/ignoring
    QStringList include;        // the labels of group_left/group_right
    // fill()/fill_left()/fill_right(): the value used for a missing
    // operand. Left/right refer to the sides after group_right's swap of
    // the many and one sides, as Prometheus evaluates them.
    std::optional<double> fillLeft;
    std::optional<double> fillRight;
};

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

// A duration written as an expression (`[step()*2]`, `offset min_of(range(), 1h)`),
// Prometheus's experimental duration expressions. Values are seconds; the
// engine resolves them once per query, when step() and range() are known.
struct DurationExpr
{
    enum class Kind { Const, Step, Range, Min, Max, Neg, Binary };
    Kind kind = Kind::Const;
    double seconds = 0;
    bool writtenAsDuration = false; // `2m` rather than `120`, for printing
    BinOp op = BinOp::Add;
    QList<std::shared_ptr<DurationExpr>> args;

    double eval(double stepSecs, double rangeSecs) const;
    QString toString() const;
};
using DurationExprPtr = std::shared_ptr<DurationExpr>;

// One node of a parsed PromQL expression. A single flat struct keeps the
// parser and evaluator short; only the fields of the node's kind are used.
struct Expr
{
    NodeKind kind = NodeKind::NumberLiteral;
    int pos = 0;    // offset of the node's first character in the query
    int endPos = 0; // one past its last character

    double number = 0; // NumberLiteral
    QString string;    // StringLiteral

    // VectorSelector
    QString metricName;
    model::LabelMatchers matchers; // includes the __name__ matcher, if any
    std::int64_t offsetMs = 0;
    bool hasOffset = false;
    AtModifier at = AtModifier::None;
    model::TimestampMs atMs = 0;

    // MatrixSelector and Subquery
    std::int64_t rangeMs = 0;
    RangeModifier rangeModifier = RangeModifier::None; // MatrixSelector
    std::int64_t stepMs = 0; // Subquery, 0 = the query's step (default resolution)
    DurationExprPtr rangeExpr;  // set when the range is not a constant
    DurationExprPtr stepExpr;   // likewise for a subquery's step
    DurationExprPtr offsetExpr; // likewise for the offset
    // Subquery offset / @ live on the subquery node itself (offsetMs, at, atMs).

    // Unary, Binary
    BinOp op = BinOp::Add;
    bool returnBool = false;
    std::shared_ptr<VectorMatching> matching; // Binary between two vectors

    // Call
    const FunctionDef *func = nullptr;

    // Aggregate
    AggOp aggOp = AggOp::Sum;
    QStringList grouping;
    bool without = false;
    ExprPtr param;

    QList<ExprPtr> args;

    ValueType type() const;
    // Fixes duration expressions for one query (step() and range() in seconds).
    void resolveDurations(double stepSecs, double rangeSecs);
    // Prometheus's canonical rendering of the expression (its String()).
    QString toString() const;
};

QString binOpString(BinOp op);
QString aggOpString(AggOp op);
bool isComparison(BinOp op);
bool isSetOperator(BinOp op);
bool aggTakesParam(AggOp op);

// Go's strconv.FormatFloat(v, 'f', -1, 64) ("NaN", "+Inf", "-Inf" included).
QString formatFloat(double v);
// Go's fmt.Sprint(float64): shortest %g, as Prometheus prints number literals.
QString formatFloatG(double v);

} // namespace spyglass::query::promql
