#include "core/query/promql/functions.h"

#include <QHash>

namespace spyglass::query::promql {

namespace {
constexpr ValueType S = ValueType::Scalar;
constexpr ValueType V = ValueType::Vector;
constexpr ValueType M = ValueType::Matrix;
constexpr ValueType Str = ValueType::String;

QList<FunctionDef> buildTable()
{
    QList<FunctionDef> t = {
        {QStringLiteral("abs"), {V}, 0, V, false},
        {QStringLiteral("absent"), {V}, 0, V, false},
        {QStringLiteral("absent_over_time"), {M}, 0, V, false},
        {QStringLiteral("acos"), {V}, 0, V, false},
        {QStringLiteral("acosh"), {V}, 0, V, false},
        {QStringLiteral("asin"), {V}, 0, V, false},
        {QStringLiteral("asinh"), {V}, 0, V, false},
        {QStringLiteral("atan"), {V}, 0, V, false},
        {QStringLiteral("atanh"), {V}, 0, V, false},
        {QStringLiteral("avg_over_time"), {M}, 0, V, false},
        {QStringLiteral("ceil"), {V}, 0, V, false},
        {QStringLiteral("changes"), {M}, 0, V, false},
        {QStringLiteral("clamp"), {V, S, S}, 0, V, false},
        {QStringLiteral("clamp_max"), {V, S}, 0, V, false},
        {QStringLiteral("clamp_min"), {V, S}, 0, V, false},
        {QStringLiteral("cos"), {V}, 0, V, false},
        {QStringLiteral("cosh"), {V}, 0, V, false},
        {QStringLiteral("count_over_time"), {M}, 0, V, false},
        {QStringLiteral("days_in_month"), {V}, 1, V, false},
        {QStringLiteral("day_of_month"), {V}, 1, V, false},
        {QStringLiteral("day_of_week"), {V}, 1, V, false},
        {QStringLiteral("day_of_year"), {V}, 1, V, false},
        {QStringLiteral("deg"), {V}, 0, V, false},
        {QStringLiteral("delta"), {M}, 0, V, false},
        {QStringLiteral("deriv"), {M}, 0, V, false},
        {QStringLiteral("exp"), {V}, 0, V, false},
        {QStringLiteral("first_over_time"), {M}, 0, V, true},
        {QStringLiteral("floor"), {V}, 0, V, false},
        {QStringLiteral("histogram_avg"), {V}, 0, V, false},
        {QStringLiteral("histogram_count"), {V}, 0, V, false},
        {QStringLiteral("histogram_fraction"), {S, S, V}, 0, V, false},
        {QStringLiteral("histogram_quantile"), {S, V}, 0, V, false},
        {QStringLiteral("histogram_quantiles"), {V, Str, S}, -1, V, true},
        {QStringLiteral("histogram_sum"), {V}, 0, V, false},
        {QStringLiteral("histogram_stddev"), {V}, 0, V, false},
        {QStringLiteral("histogram_stdvar"), {V}, 0, V, false},
        {QStringLiteral("double_exponential_smoothing"), {M, S, S}, 0, V, true},
        {QStringLiteral("holt_winters"), {M, S, S}, 0, V, false},
        {QStringLiteral("hour"), {V}, 1, V, false},
        {QStringLiteral("idelta"), {M}, 0, V, false},
        {QStringLiteral("increase"), {M}, 0, V, false},
        {QStringLiteral("info"), {V, V}, 1, V, true},
        {QStringLiteral("irate"), {M}, 0, V, false},
        {QStringLiteral("label_replace"), {V, Str, Str, Str, Str}, 0, V, false},
        {QStringLiteral("label_join"), {V, Str, Str, Str}, -1, V, false},
        {QStringLiteral("last_over_time"), {M}, 0, V, false},
        {QStringLiteral("ln"), {V}, 0, V, false},
        {QStringLiteral("log10"), {V}, 0, V, false},
        {QStringLiteral("log2"), {V}, 0, V, false},
        {QStringLiteral("mad_over_time"), {M}, 0, V, true},
        {QStringLiteral("max_over_time"), {M}, 0, V, false},
        {QStringLiteral("min_over_time"), {M}, 0, V, false},
        {QStringLiteral("minute"), {V}, 1, V, false},
        {QStringLiteral("month"), {V}, 1, V, false},
        {QStringLiteral("pi"), {}, 0, S, false},
        {QStringLiteral("predict_linear"), {M, S}, 0, V, false},
        {QStringLiteral("present_over_time"), {M}, 0, V, false},
        {QStringLiteral("quantile_over_time"), {S, M}, 0, V, false},
        {QStringLiteral("rad"), {V}, 0, V, false},
        {QStringLiteral("rate"), {M}, 0, V, false},
        {QStringLiteral("resets"), {M}, 0, V, false},
        {QStringLiteral("round"), {V, S}, 1, V, false},
        {QStringLiteral("scalar"), {V}, 0, S, false},
        {QStringLiteral("sgn"), {V}, 0, V, false},
        {QStringLiteral("sin"), {V}, 0, V, false},
        {QStringLiteral("sinh"), {V}, 0, V, false},
        {QStringLiteral("sort"), {V}, 0, V, false},
        {QStringLiteral("sort_desc"), {V}, 0, V, false},
        {QStringLiteral("sort_by_label"), {V, Str}, -1, V, true},
        {QStringLiteral("sort_by_label_desc"), {V, Str}, -1, V, true},
        {QStringLiteral("sqrt"), {V}, 0, V, false},
        {QStringLiteral("stddev_over_time"), {M}, 0, V, false},
        {QStringLiteral("stdvar_over_time"), {M}, 0, V, false},
        {QStringLiteral("sum_over_time"), {M}, 0, V, false},
        {QStringLiteral("tan"), {V}, 0, V, false},
        {QStringLiteral("tanh"), {V}, 0, V, false},
        {QStringLiteral("time"), {}, 0, S, false},
        {QStringLiteral("step"), {}, 0, S, true},
        {QStringLiteral("range"), {}, 0, S, true},
        {QStringLiteral("start"), {}, 0, S, true},
        {QStringLiteral("end"), {}, 0, S, true},
        {QStringLiteral("min_of"), {S, S}, 0, S, true},
        {QStringLiteral("max_of"), {S, S}, 0, S, true},
        {QStringLiteral("timestamp"), {V}, 0, V, false},
        {QStringLiteral("ts_of_first_over_time"), {M}, 0, V, true},
        {QStringLiteral("ts_of_last_over_time"), {M}, 0, V, true},
        {QStringLiteral("ts_of_max_over_time"), {M}, 0, V, true},
        {QStringLiteral("ts_of_min_over_time"), {M}, 0, V, true},
        {QStringLiteral("vector"), {S}, 0, V, false},
        {QStringLiteral("year"), {V}, 1, V, false},
    };
    return t;
}
} // namespace

const QList<FunctionDef> &allFunctions()
{
    static const QList<FunctionDef> table = buildTable();
    return table;
}

const FunctionDef *findFunction(QStringView name)
{
    static const QHash<QString, const FunctionDef *> index = [] {
        QHash<QString, const FunctionDef *> h;
        for (const auto &f : allFunctions())
            h.insert(f.name, &f);
        return h;
    }();
    return index.value(name.toString(), nullptr);
}

} // namespace spyglass::query::promql
