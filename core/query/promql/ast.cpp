#include "core/query/promql/ast.h"

#include "core/model/time_range.h"
#include "core/query/promql/functions.h"

#include <charconv>
#include <cmath>

namespace spyglass::query::promql {

QString formatFloat(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    char buf[400];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return QString::fromLatin1(buf, r.ptr - buf);
}

QString formatFloatG(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (v == 0)
        return std::signbit(v) ? QStringLiteral("-0") : QStringLiteral("0");
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string s(buf, r.ptr);
    const auto epos = s.find('e');
    const int exp = std::stoi(s.substr(epos + 1));
    std::string mant = s.substr(0, epos);
    const bool neg = mant[0] == '-';
    if (neg)
        mant.erase(0, 1);
    std::string digits;
    for (char c : mant)
        if (c != '.')
            digits += c;
    std::string out = neg ? "-" : "";
    // Go's %v: exponent form when exp < -4 or exp >= 6 (shortest precision).
    if (exp < -4 || exp >= 6) {
        out += digits.substr(0, 1);
        if (digits.size() > 1)
            out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
        out += eb;
        return QString::fromLatin1(out.data(), qsizetype(out.size()));
    }
    if (exp < 0) {
        out += "0." + std::string(size_t(-exp - 1), '0') + digits;
    } else if (size_t(exp + 1) >= digits.size()) {
        out += digits + std::string(size_t(exp + 1) - digits.size(), '0');
    } else {
        out += digits.substr(0, size_t(exp + 1)) + "." + digits.substr(size_t(exp + 1));
    }
    return QString::fromLatin1(out.data(), qsizetype(out.size()));
}

QString binOpString(BinOp op)
{
    switch (op) {
    case BinOp::Add: return QStringLiteral("+");
    case BinOp::Sub: return QStringLiteral("-");
    case BinOp::Mul: return QStringLiteral("*");
    case BinOp::Div: return QStringLiteral("/");
    case BinOp::Mod: return QStringLiteral("%");
    case BinOp::Pow: return QStringLiteral("^");
    case BinOp::Atan2: return QStringLiteral("atan2");
    case BinOp::Eql: return QStringLiteral("==");
    case BinOp::Neq: return QStringLiteral("!=");
    case BinOp::Lte: return QStringLiteral("<=");
    case BinOp::Lss: return QStringLiteral("<");
    case BinOp::Gte: return QStringLiteral(">=");
    case BinOp::Gtr: return QStringLiteral(">");
    case BinOp::And: return QStringLiteral("and");
    case BinOp::Or: return QStringLiteral("or");
    case BinOp::Unless: return QStringLiteral("unless");
    }
    return {};
}

QString aggOpString(AggOp op)
{
    switch (op) {
    case AggOp::Sum: return QStringLiteral("sum");
    case AggOp::Avg: return QStringLiteral("avg");
    case AggOp::Count: return QStringLiteral("count");
    case AggOp::Min: return QStringLiteral("min");
    case AggOp::Max: return QStringLiteral("max");
    case AggOp::Group: return QStringLiteral("group");
    case AggOp::Stddev: return QStringLiteral("stddev");
    case AggOp::Stdvar: return QStringLiteral("stdvar");
    case AggOp::TopK: return QStringLiteral("topk");
    case AggOp::BottomK: return QStringLiteral("bottomk");
    case AggOp::CountValues: return QStringLiteral("count_values");
    case AggOp::Quantile: return QStringLiteral("quantile");
    case AggOp::LimitK: return QStringLiteral("limitk");
    case AggOp::LimitRatio: return QStringLiteral("limit_ratio");
    }
    return {};
}

bool isComparison(BinOp op)
{
    return op == BinOp::Eql || op == BinOp::Neq || op == BinOp::Lte || op == BinOp::Lss ||
           op == BinOp::Gte || op == BinOp::Gtr;
}

bool isSetOperator(BinOp op)
{
    return op == BinOp::And || op == BinOp::Or || op == BinOp::Unless;
}

bool aggTakesParam(AggOp op)
{
    return op == AggOp::TopK || op == AggOp::BottomK || op == AggOp::CountValues ||
           op == AggOp::Quantile || op == AggOp::LimitK || op == AggOp::LimitRatio;
}

double DurationExpr::eval(double stepSecs, double rangeSecs) const
{
    switch (kind) {
    case Kind::Const: return seconds;
    case Kind::Step: return stepSecs;
    case Kind::Range: return rangeSecs;
    case Kind::Neg: return -args[0]->eval(stepSecs, rangeSecs);
    case Kind::Min:
    case Kind::Max: {
        const double a = args[0]->eval(stepSecs, rangeSecs), b = args[1]->eval(stepSecs, rangeSecs);
        if (std::isnan(a) || std::isnan(b))
            return std::nan("");
        return kind == Kind::Min ? std::min(a, b) : std::max(a, b);
    }
    case Kind::Binary: {
        const double a = args[0]->eval(stepSecs, rangeSecs), b = args[1]->eval(stepSecs, rangeSecs);
        switch (op) {
        case BinOp::Add: return a + b;
        case BinOp::Sub: return a - b;
        case BinOp::Mul: return a * b;
        case BinOp::Div: return a / b;
        case BinOp::Mod: return std::fmod(a, b);
        case BinOp::Pow: return std::pow(a, b);
        default: return std::nan("");
        }
    }
    }
    return 0;
}

QString DurationExpr::toString() const
{
    switch (kind) {
    case Kind::Const: {
        const double ms = seconds * 1000;
        if (writtenAsDuration && ms == std::floor(ms) && ms >= 0)
            return model::formatDuration(std::int64_t(ms));
        return formatFloatG(seconds);
    }
    case Kind::Step: return QStringLiteral("step()");
    case Kind::Range: return QStringLiteral("range()");
    case Kind::Neg: return QStringLiteral("-") + args[0]->toString();
    case Kind::Min:
    case Kind::Max:
        return (kind == Kind::Min ? QStringLiteral("min_of(") : QStringLiteral("max_of(")) +
               args[0]->toString() + QStringLiteral(", ") + args[1]->toString() + QLatin1Char(')');
    case Kind::Binary:
        return QLatin1Char('(') + args[0]->toString() + QLatin1Char(' ') + binOpString(op) +
               QLatin1Char(' ') + args[1]->toString() + QLatin1Char(')');
    }
    return {};
}

static std::int64_t durationMs(double secs)
{
    const double ms = std::round(secs * 1000.0);
    if (!std::isfinite(ms) || std::abs(ms) > 9.2e18)
        return 0;
    return std::int64_t(ms);
}

void Expr::resolveDurations(double stepSecs, double rangeSecs)
{
    if (rangeExpr)
        rangeMs = durationMs(rangeExpr->eval(stepSecs, rangeSecs));
    if (stepExpr)
        stepMs = durationMs(stepExpr->eval(stepSecs, rangeSecs));
    if (offsetExpr) {
        offsetMs = durationMs(offsetExpr->eval(stepSecs, rangeSecs));
        hasOffset = true;
    }
    for (auto &a : args)
        a->resolveDurations(stepSecs, rangeSecs);
    if (param)
        param->resolveDurations(stepSecs, rangeSecs);
}

ValueType Expr::type() const
{
    switch (kind) {
    case NodeKind::NumberLiteral: return ValueType::Scalar;
    case NodeKind::StringLiteral: return ValueType::String;
    case NodeKind::VectorSelector: return ValueType::Vector;
    case NodeKind::MatrixSelector: return ValueType::Matrix;
    case NodeKind::Subquery: return ValueType::Matrix;
    case NodeKind::Unary: return args[0]->type();
    case NodeKind::Paren: return args[0]->type();
    case NodeKind::Binary:
        return args[0]->type() == ValueType::Scalar && args[1]->type() == ValueType::Scalar
                   ? ValueType::Scalar
                   : ValueType::Vector;
    case NodeKind::Call: return func ? func->returnType : ValueType::Vector;
    case NodeKind::Aggregate: return ValueType::Vector;
    }
    return ValueType::Vector;
}

static QString offsetAtString(const Expr &e)
{
    QString s;
    if (e.offsetExpr) {
        s += QStringLiteral(" offset ") + e.offsetExpr->toString();
    } else if (e.hasOffset && e.offsetMs != 0) {
        if (e.offsetMs < 0)
            s += QStringLiteral(" offset -") + model::formatDuration(-e.offsetMs);
        else
            s += QStringLiteral(" offset ") + model::formatDuration(e.offsetMs);
    }
    switch (e.at) {
    case AtModifier::None: break;
    case AtModifier::Start: s += QStringLiteral(" @ start()"); break;
    case AtModifier::End: s += QStringLiteral(" @ end()"); break;
    case AtModifier::Timestamp:
        s += QStringLiteral(" @ ") + QString::number(double(e.atMs) / 1000.0, 'f', 3);
        break;
    }
    return s;
}

static QString selectorString(const Expr &e)
{
    QStringList parts;
    for (const auto &m : e.matchers) {
        if (m.name() == u"__name__" && m.op() == model::LabelMatcher::Op::Equal &&
            m.value() == e.metricName && !e.metricName.isEmpty())
            continue;
        parts << m.toString();
    }
    if (parts.isEmpty())
        return e.metricName;
    return e.metricName + QLatin1Char('{') + parts.join(QLatin1Char(',')) + QLatin1Char('}');
}

static QString quoteString(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        default: out += c;
        }
    }
    return out + QLatin1Char('"');
}

QString Expr::toString() const
{
    switch (kind) {
    case NodeKind::NumberLiteral: return formatFloatG(number);
    case NodeKind::StringLiteral: return quoteString(string);
    case NodeKind::VectorSelector: return selectorString(*this) + offsetAtString(*this);
    case NodeKind::MatrixSelector: {
        const Expr &vs = *args[0];
        return selectorString(vs) + QLatin1Char('[') +
               (rangeExpr ? rangeExpr->toString() : model::formatDuration(rangeMs)) +
               QLatin1Char(']') + offsetAtString(vs) +
               (rangeModifier == RangeModifier::Anchored   ? QStringLiteral(" anchored")
                : rangeModifier == RangeModifier::Smoothed ? QStringLiteral(" smoothed")
                                                           : QString());
    }
    case NodeKind::Subquery:
        return args[0]->toString() + QLatin1Char('[') +
               (rangeExpr ? rangeExpr->toString() : model::formatDuration(rangeMs)) + QLatin1Char(':') +
               (stepExpr ? stepExpr->toString() : stepMs ? model::formatDuration(stepMs) : QString()) +
               QLatin1Char(']') + offsetAtString(*this);
    case NodeKind::Unary: return binOpString(op) + args[0]->toString();
    case NodeKind::Paren: return QLatin1Char('(') + args[0]->toString() + QLatin1Char(')');
    case NodeKind::Binary: {
        QString m;
        if (matching && (!matching->matchingLabels.isEmpty() || matching->on)) {
            m = (matching->on ? QStringLiteral(" on (") : QStringLiteral(" ignoring (")) +
                matching->matchingLabels.join(QStringLiteral(", ")) + QLatin1Char(')');
            if (matching->card == Cardinality::ManyToOne || matching->card == Cardinality::OneToMany)
                m += (matching->card == Cardinality::ManyToOne ? QStringLiteral(" group_left (")
                                                               : QStringLiteral(" group_right (")) +
                     matching->include.join(QStringLiteral(", ")) + QLatin1Char(')');
        }
        if (matching && (matching->fillLeft || matching->fillRight)) {
            if (matching->fillLeft && matching->fillRight && (*matching->fillLeft == *matching->fillRight ||
                                                              (std::isnan(*matching->fillLeft) && std::isnan(*matching->fillRight)))) {
                m += QStringLiteral(" fill (") + formatFloatG(*matching->fillLeft) + QLatin1Char(')');
            } else {
                if (matching->fillLeft)
                    m += QStringLiteral(" fill_left (") + formatFloatG(*matching->fillLeft) + QLatin1Char(')');
                if (matching->fillRight)
                    m += QStringLiteral(" fill_right (") + formatFloatG(*matching->fillRight) + QLatin1Char(')');
            }
        }
        return args[0]->toString() + QLatin1Char(' ') + binOpString(op) +
               (returnBool ? QStringLiteral(" bool") : QString()) + m + QLatin1Char(' ') +
               args[1]->toString();
    }
    case NodeKind::Call: {
        QStringList a;
        for (const auto &x : args)
            a << x->toString();
        return (func ? func->name : QString()) + QLatin1Char('(') + a.join(QStringLiteral(", ")) +
               QLatin1Char(')');
    }
    case NodeKind::Aggregate: {
        QString s = aggOpString(aggOp);
        if (without)
            s += QStringLiteral(" without (") + grouping.join(QStringLiteral(", ")) + QStringLiteral(") ");
        else if (!grouping.isEmpty())
            s += QStringLiteral(" by (") + grouping.join(QStringLiteral(", ")) + QStringLiteral(") ");
        s += QLatin1Char('(');
        if (param)
            s += param->toString() + QStringLiteral(", ");
        return s + args[0]->toString() + QLatin1Char(')');
    }
    }
    return {};
}

} // namespace spyglass::query::promql
