#pragma once

#include "core/model/span.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <optional>

namespace re2 {
class RE2;
}

namespace spyglass::query::traceql {

// A TraceQL value: a literal in the query or what an attribute/intrinsic
// resolves to on a span. Durations are nanoseconds; status and kind keep the
// model's enum numbers.
struct Value
{
    enum class Type { Nil, String, Int, Float, Duration, Bool, Status, Kind };
    Type type = Type::Nil;
    QString s;
    double num = 0; // Int, Float, Duration (ns), Status, Kind
    bool b = false;

    static Value nil() { return {}; }
    static Value string(QString v) { return {Type::String, std::move(v), 0, false}; }
    static Value integer(std::int64_t v) { return {Type::Int, {}, double(v), false}; }
    static Value floating(double v) { return {Type::Float, {}, v, false}; }
    static Value duration(std::int64_t ns) { return {Type::Duration, {}, double(ns), false}; }
    static Value boolean(bool v) { return {Type::Bool, {}, 0, v}; }
    static Value status(model::Span::Status st) { return {Type::Status, {}, double(int(st)), false}; }
    static Value kind(model::Span::Kind k) { return {Type::Kind, {}, double(int(k)), false}; }
    // From an OTLP attribute value (arrays and bytes become strings).
    static Value fromVariant(const QVariant &v);

    bool isNumeric() const { return type == Type::Int || type == Type::Float || type == Type::Duration; }
    // As TraceQL prints it: "GET", 200, 1.5, 150ms, true, error, server, nil.
    QString toString() const;
};

// Attribute scopes: `span.x`, `resource.x`, `event.x`, `link.x`,
// `instrumentation.x`, and unscoped `.x` (span first, then resource).
enum class Scope { Unscoped, Span, Resource, Event, Link, Instrumentation };

enum class Intrinsic {
    Name, Status, StatusMessage, Kind, Duration,
    RootName, RootServiceName, TraceDuration,
    SpanId, TraceId, ParentId,
    EventName, EventTimeSinceStart,
    LinkTraceId, LinkSpanId,
    InstrumentationName, InstrumentationVersion,
    NestedSetLeft, NestedSetRight, NestedSetParent, ChildCount,
};

struct FieldExpr;
using FieldExprPtr = std::shared_ptr<const FieldExpr>;

// An expression inside `{ }` (or an argument of by()/avg()/...).
struct FieldExpr
{
    enum class Op {
        Literal, Attribute, Intrinsic,
        And, Or, Not, Neg,
        Eq, Neq, Lt, Lte, Gt, Gte, Re, Nre,
        Add, Sub, Mul, Div, Mod, Pow,
    };
    Op op = Op::Literal;
    Value literal;
    Scope scope = Scope::Unscoped; // Attribute
    QString name;                  // Attribute name; Intrinsic name as written
    Intrinsic intrinsic = Intrinsic::Name;
    std::shared_ptr<const re2::RE2> regex; // Re/Nre with a literal pattern
    FieldExprPtr lhs, rhs;
    int pos = 0; // 1-based column in the query
    QString text; // the source text, for labels and select() output
};

enum class SpansetOp {
    And, Or,
    Child, Descendant, Parent, Ancestor, Sibling,                // > >> < << ~
    NotChild, NotDescendant, NotParent, NotAncestor, NotSibling, // !> !>> !< !<< !~
    UnionChild, UnionDescendant, UnionParent, UnionAncestor, UnionSibling, // &> &>> &< &<< &~
};

struct Pipeline;
struct SpansetExpr;
using SpansetExprPtr = std::shared_ptr<const SpansetExpr>;

struct SpansetExpr
{
    enum class Kind { Filter, Binary, Pipeline };
    Kind kind = Kind::Filter;
    FieldExprPtr filter; // Filter; null for `{ }` (every span)
    SpansetOp op = SpansetOp::And;
    SpansetExprPtr lhs, rhs;
    std::shared_ptr<const Pipeline> pipeline; // Kind::Pipeline: `( ... | ... )`
    int pos = 0;
};

enum class Aggregate { Count, Avg, Min, Max, Sum };

struct Stage
{
    enum class Kind { Filter, AggregateFilter, By, Select, Coalesce };
    Kind kind = Kind::Filter;
    SpansetExprPtr filter;
    Aggregate aggregate = Aggregate::Count;
    FieldExprPtr aggregateField; // null for count()
    FieldExpr::Op compare = FieldExpr::Op::Gt;
    Value threshold;
    QList<FieldExprPtr> fields; // By, Select
    int pos = 0;
};

struct Pipeline
{
    SpansetExprPtr head;
    QList<Stage> stages;
};

struct MetricsStage
{
    enum class Function {
        Rate, CountOverTime, MinOverTime, MaxOverTime, AvgOverTime, SumOverTime,
        QuantileOverTime, HistogramOverTime,
    };
    Function function = Function::Rate;
    FieldExprPtr field; // the *_over_time argument
    QList<double> quantiles;
    QList<FieldExprPtr> by;
    int pos = 0;
};

struct Query
{
    QString text;
    Pipeline pipeline;
    std::optional<MetricsStage> metrics;
};

QString intrinsicName(Intrinsic i);
QString spansetOpText(SpansetOp op);
QString metricsFunctionName(MetricsStage::Function f);

} // namespace spyglass::query::traceql
