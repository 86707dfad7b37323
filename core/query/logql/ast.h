#pragma once

#include "core/model/label_matcher.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <optional>

namespace spyglass::query::logql {

// `|=`, `!=`, `|~`, `!~`, `|>`, `!>` with `or` alternatives; a term may be ip("...").
struct LineFilter
{
    enum class Op { Contains, NotContains, Regex, NotRegex, Pattern, NotPattern };
    struct Term
    {
        QString value;
        bool isIp = false;
    };
    Op op = Op::Contains;
    QList<Term> terms; // alternatives (`or`)
};

enum class CmpOp { Eq, Ne, Gt, Ge, Lt, Le };

// A label filter expression: a tree of and/or over leaf comparisons.
struct LabelFilter
{
    enum class Kind { And, Or, String, Number, Duration, Bytes, Ip };
    Kind kind = Kind::String;
    std::shared_ptr<LabelFilter> left, right;      // And / Or
    std::optional<model::LabelMatcher> matcher;    // String
    QString name;                                  // Number / Duration / Bytes / Ip
    CmpOp op = CmpOp::Eq;                          // Eq/Ne only for Ip
    double number = 0;                             // Number (value), Duration (seconds), Bytes
    QString ipPattern;                             // Ip
    QString text;                                  // the filter as written, for messages
};
using LabelFilterPtr = std::shared_ptr<LabelFilter>;

struct Extraction // `name="expression"` of json / logfmt
{
    QString label;
    QString expression;
};

struct LabelFormatItem // label_format dst=src | dst="template"
{
    QString dst;
    QString src;       // rename when set
    QString templ;     // template otherwise
    bool isRename = false;
};

struct DropKeepItem // drop/keep: a name, or a matcher limiting it to matching values
{
    QString name;
    std::optional<model::LabelMatcher> matcher;
};

struct Stage
{
    enum class Kind {
        LineFilter, Json, Logfmt, Regexp, Pattern, Unpack, LabelFilter, LineFormat, LabelFormat,
        Drop, Keep, Decolorize
    };
    Kind kind = Kind::LineFilter;
    LineFilter lineFilter;
    QList<Extraction> extractions; // json / logfmt
    bool strict = false;           // logfmt --strict
    bool keepEmpty = false;        // logfmt --keep-empty
    QString text;                  // regexp / pattern / line_format argument
    LabelFilterPtr labelFilter;
    QList<LabelFormatItem> labelFormats;
    QList<DropKeepItem> dropKeep;
};

struct LogSelector
{
    model::LabelMatchers matchers;
    QList<Stage> pipeline;
};

struct Unwrap
{
    enum class Conversion { None, Duration, DurationSeconds, Bytes };
    QString label;
    Conversion conversion = Conversion::None;
    QList<LabelFilterPtr> postFilters; // label filters after unwrap
};

struct Grouping
{
    bool present = false;
    bool without = false;
    QStringList labels;
};

enum class BinOp { Add, Sub, Mul, Div, Mod, Pow, Eq, Ne, Gt, Ge, Lt, Le, And, Or, Unless };

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr
{
    enum class Kind { Logs, RangeAgg, VectorAgg, Binary, Number, Vector, LabelReplace };
    Kind kind = Kind::Logs;

    // Logs, RangeAgg
    LogSelector selector;
    // RangeAgg
    QString func; // rate, count_over_time, ..., or the vector aggregation name
    std::optional<Unwrap> unwrap;
    std::int64_t rangeNs = 0;
    std::int64_t offsetNs = 0;
    std::optional<double> param; // quantile_over_time's φ, topk's k
    Grouping grouping;
    // VectorAgg, LabelReplace: operand
    ExprPtr inner;
    // Binary
    BinOp op = BinOp::Add;
    ExprPtr lhs, rhs;
    bool returnBool = false;
    bool on = false; // on(...) vs ignoring(...)
    bool hasMatching = false;
    QStringList matchingLabels;
    enum class Group { None, Left, Right } group = Group::None;
    QStringList includeLabels;
    // Number, Vector
    double value = 0;
    // LabelReplace
    QString dst, replacement, src, regex;

    bool isLogQuery() const { return kind == Kind::Logs; }
};

QString binOpName(BinOp op);

} // namespace spyglass::query::logql
