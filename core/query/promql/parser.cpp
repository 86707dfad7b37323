#include "core/query/promql/parser.h"

#include "core/query/promql/functions.h"

#include <cmath>

namespace spyglass::query::promql {

namespace {

using model::LabelMatcher;

QString documentedType(ValueType t)
{
    switch (t) {
    case ValueType::Vector: return QStringLiteral("instant vector");
    case ValueType::Matrix: return QStringLiteral("range vector");
    case ValueType::Scalar: return QStringLiteral("scalar");
    case ValueType::String: return QStringLiteral("string");
    }
    return {};
}

bool isAggregatorName(const QString &lower, AggOp *op)
{
    static const QList<std::pair<QString, AggOp>> ops = {
        {QStringLiteral("sum"), AggOp::Sum},         {QStringLiteral("avg"), AggOp::Avg},
        {QStringLiteral("count"), AggOp::Count},     {QStringLiteral("min"), AggOp::Min},
        {QStringLiteral("max"), AggOp::Max},         {QStringLiteral("group"), AggOp::Group},
        {QStringLiteral("stddev"), AggOp::Stddev},   {QStringLiteral("stdvar"), AggOp::Stdvar},
        {QStringLiteral("topk"), AggOp::TopK},       {QStringLiteral("bottomk"), AggOp::BottomK},
        {QStringLiteral("count_values"), AggOp::CountValues},
        {QStringLiteral("quantile"), AggOp::Quantile}, {QStringLiteral("limitk"), AggOp::LimitK},
        {QStringLiteral("limit_ratio"), AggOp::LimitRatio}};
    for (const auto &[n, o] : ops)
        if (n == lower) {
            if (op)
                *op = o;
            return true;
        }
    return false;
}

bool isReservedKeyword(const QString &lower)
{
    static const QStringList kw = {
        QStringLiteral("and"), QStringLiteral("or"), QStringLiteral("unless"),
        QStringLiteral("atan2"), QStringLiteral("by"), QStringLiteral("without"),
        QStringLiteral("on"), QStringLiteral("ignoring"), QStringLiteral("group_left"),
        QStringLiteral("group_right"), QStringLiteral("bool"), QStringLiteral("offset")};
    return kw.contains(lower);
}

struct OpInfo
{
    BinOp op;
    int prec;
    bool rightAssoc;
};

class ParserImpl
{
public:
    ParserImpl(const QString &q, QList<Token> toks) : m_q(q), m_t(std::move(toks)) {}

    Result<ExprPtr> parseTop()
    {
        auto e = parseExpr(0);
        if (!e)
            return e;
        if (cur().type != TokenType::Eof)
            return unexpected();
        if (!m_emptySelectors.isEmpty())
            return err(*std::min_element(m_emptySelectors.begin(), m_emptySelectors.end()),
                       QStringLiteral("vector selector must contain at least one non-empty matcher"));
        return e;
    }

    Result<model::LabelMatchers> parseSelectorOnly()
    {
        auto e = parseTop();
        if (!e)
            return fail(e.error());
        if ((*e)->kind != NodeKind::VectorSelector || (*e)->hasOffset || (*e)->at != AtModifier::None)
            return fail(parseError(m_q, 0, QStringLiteral("expected a vector selector")));
        return (*e)->matchers;
    }

private:
    const Token &cur() const { return m_t[m_i]; }
    const Token &peek(int k = 1) const { return m_t[std::min<qsizetype>(m_i + k, m_t.size() - 1)]; }
    void advance()
    {
        if (m_i < m_t.size() - 1)
            ++m_i;
    }
    bool isIdent(const Token &t, QStringView kw) const
    {
        return t.type == TokenType::Identifier && t.text.compare(kw, Qt::CaseInsensitive) == 0;
    }

    std::unexpected<Error> err(int pos, const QString &msg) const { return fail(parseError(m_q, pos, msg)); }
    std::unexpected<Error> unexpected(const QString &context = {}, const QString &expected = {}) const
    {
        QString msg = QStringLiteral("unexpected ") + cur().describe();
        if (!context.isEmpty())
            msg += QStringLiteral(" in ") + context;
        if (!expected.isEmpty())
            msg += QStringLiteral(", expected ") + expected;
        return err(cur().pos, msg);
    }

    static ExprPtr node(NodeKind k, int pos, int end)
    {
        auto e = std::make_shared<Expr>();
        e->kind = k;
        e->pos = pos;
        e->endPos = end;
        return e;
    }

    std::optional<OpInfo> binOp(const Token &t) const
    {
        switch (t.type) {
        case TokenType::Add: return OpInfo{BinOp::Add, 4, false};
        case TokenType::Sub: return OpInfo{BinOp::Sub, 4, false};
        case TokenType::Mul: return OpInfo{BinOp::Mul, 5, false};
        case TokenType::Div: return OpInfo{BinOp::Div, 5, false};
        case TokenType::Mod: return OpInfo{BinOp::Mod, 5, false};
        case TokenType::Pow: return OpInfo{BinOp::Pow, 6, true};
        case TokenType::Eql: return OpInfo{BinOp::Eql, 3, false};
        case TokenType::Neq: return OpInfo{BinOp::Neq, 3, false};
        case TokenType::Lte: return OpInfo{BinOp::Lte, 3, false};
        case TokenType::Lss: return OpInfo{BinOp::Lss, 3, false};
        case TokenType::Gte: return OpInfo{BinOp::Gte, 3, false};
        case TokenType::Gtr: return OpInfo{BinOp::Gtr, 3, false};
        case TokenType::Identifier: {
            const QString l = t.text.toLower();
            if (l == u"and") return OpInfo{BinOp::And, 2, false};
            if (l == u"unless") return OpInfo{BinOp::Unless, 2, false};
            if (l == u"or") return OpInfo{BinOp::Or, 1, false};
            if (l == u"atan2") return OpInfo{BinOp::Atan2, 5, false};
            return std::nullopt;
        }
        default: return std::nullopt;
        }
    }

    Result<ExprPtr> parseExpr(int minPrec)
    {
        auto lhsR = parseUnary();
        if (!lhsR)
            return lhsR;
        ExprPtr lhs = *lhsR;
        for (;;) {
            auto info = binOp(cur());
            if (!info || info->prec < minPrec)
                break;
            const int opPos = cur().pos;
            advance();
            auto b = node(NodeKind::Binary, lhs->pos, 0);
            b->op = info->op;
            auto vm = std::make_shared<VectorMatching>();
            if (isIdent(cur(), u"bool")) {
                b->returnBool = true;
                advance();
            }
            if (isIdent(cur(), u"on") || isIdent(cur(), u"ignoring")) {
                vm->on = isIdent(cur(), u"on");
                advance();
                auto labels = parseLabelList(QStringLiteral("grouping opts"));
                if (!labels)
                    return fail(labels.error());
                vm->matchingLabels = *labels;
                if (isIdent(cur(), u"group_left") || isIdent(cur(), u"group_right")) {
                    vm->card = isIdent(cur(), u"group_left") ? Cardinality::ManyToOne
                                                              : Cardinality::OneToMany;
                    advance();
                    if (cur().type == TokenType::LeftParen) {
                        auto inc = parseLabelList(QStringLiteral("grouping opts"));
                        if (!inc)
                            return fail(inc.error());
                        vm->include = *inc;
                    }
                }
            } else if (isIdent(cur(), u"group_left") || isIdent(cur(), u"group_right")) {
                return unexpected();
            }
            // fill(v), fill_left(v), fill_right(v)
            while ((isIdent(cur(), u"fill") || isIdent(cur(), u"fill_left") || isIdent(cur(), u"fill_right")) &&
                   peek().type == TokenType::LeftParen) {
                const QString which = cur().text.toLower();
                advance();
                advance();
                double sign = 1;
                if (cur().type == TokenType::Sub || cur().type == TokenType::Add) {
                    sign = cur().type == TokenType::Sub ? -1 : 1;
                    advance();
                }
                if (cur().type != TokenType::Number)
                    return unexpected(QStringLiteral("fill modifier"), QStringLiteral("number"));
                const double v = sign * cur().number;
                advance();
                if (cur().type != TokenType::RightParen)
                    return unexpected(QStringLiteral("fill modifier"), QStringLiteral("\")\""));
                advance();
                if (which != u"fill_right")
                    vm->fillLeft = v;
                if (which != u"fill_left")
                    vm->fillRight = v;
            }
            auto rhsR = parseExpr(info->rightAssoc ? info->prec : info->prec + 1);
            if (!rhsR)
                return rhsR;
            b->args = {lhs, *rhsR};
            b->endPos = (*rhsR)->endPos;
            b->matching = vm;
            if (auto c = checkBinary(*b, opPos); !c)
                return fail(c.error());
            lhs = b;
        }
        return lhs;
    }

    Result<void> checkBinary(Expr &n, int opPos)
    {
        const ValueType lt = n.args[0]->type();
        const ValueType rt = n.args[1]->type();
        if (n.returnBool && !isComparison(n.op))
            return err(opPos, QStringLiteral("bool modifier can only be used on comparison operators"));
        if (isComparison(n.op) && !n.returnBool && lt == ValueType::Scalar && rt == ValueType::Scalar)
            return err(opPos, QStringLiteral("comparisons between scalars must use BOOL modifier"));
        auto &vm = *n.matching;
        if (isSetOperator(n.op) && vm.card == Cardinality::OneToOne)
            vm.card = Cardinality::ManyToMany;
        if (vm.on)
            for (const auto &l1 : vm.matchingLabels)
                if (vm.include.contains(l1))
                    return err(opPos, QStringLiteral("label \"%1\" must not occur in ON and GROUP clause at once").arg(l1));
        if (lt != ValueType::Scalar && lt != ValueType::Vector)
            return err(n.args[0]->pos, QStringLiteral("binary expression must contain only scalar and instant vector types"));
        if (rt != ValueType::Scalar && rt != ValueType::Vector)
            return err(n.args[1]->pos, QStringLiteral("binary expression must contain only scalar and instant vector types"));
        if ((vm.fillLeft || vm.fillRight) && (lt != ValueType::Vector || rt != ValueType::Vector || isSetOperator(n.op)))
            return err(opPos, QStringLiteral("fill modifiers are only allowed for binary operations between two instant vectors, not with set operators"));
        if (lt != ValueType::Vector || rt != ValueType::Vector) {
            if (!vm.matchingLabels.isEmpty())
                return err(n.pos, QStringLiteral("vector matching only allowed between instant vectors"));
            n.matching.reset();
        } else if (isSetOperator(n.op)) {
            if (vm.card == Cardinality::OneToMany || vm.card == Cardinality::ManyToOne)
                return err(n.pos, QStringLiteral("no grouping allowed for \"%1\" operation").arg(binOpString(n.op)));
            if (vm.card != Cardinality::ManyToMany)
                return err(n.pos, QStringLiteral("set operations must always be many-to-many"));
        }
        if ((lt == ValueType::Scalar || rt == ValueType::Scalar) && isSetOperator(n.op))
            return err(n.pos, QStringLiteral("set operator \"%1\" not allowed in binary scalar expression").arg(binOpString(n.op)));
        return {};
    }

    Result<ExprPtr> parseUnary()
    {
        if (cur().type == TokenType::Add || cur().type == TokenType::Sub) {
            const Token t = cur();
            advance();
            // Unary minus binds like `*`: only `^` (and postfix modifiers) bind tighter.
            auto operand = parseExpr(6);
            if (!operand)
                return operand;
            ExprPtr o = *operand;
            if (o->kind == NodeKind::NumberLiteral) {
                if (t.type == TokenType::Sub)
                    o->number = -o->number;
                o->pos = t.pos;
                return o;
            }
            const ValueType ty = o->type();
            if (ty != ValueType::Scalar && ty != ValueType::Vector)
                return err(t.pos, QStringLiteral("unary expression only allowed on expressions of type scalar or instant vector, got \"%1\"")
                                      .arg(documentedType(ty)));
            auto u = node(NodeKind::Unary, t.pos, o->endPos);
            u->op = t.type == TokenType::Sub ? BinOp::Sub : BinOp::Add;
            u->args = {o};
            return u;
        }
        auto p = parsePrimary();
        if (!p)
            return p;
        return parsePostfix(*p);
    }

    struct DurValue
    {
        std::int64_t ms = 0;
        DurationExprPtr expr; // set when the value depends on step()/range()
    };

    static bool isConstDuration(const DurationExpr &d)
    {
        if (d.kind == DurationExpr::Kind::Step || d.kind == DurationExpr::Kind::Range)
            return false;
        for (const auto &a : d.args)
            if (!isConstDuration(*a))
                return false;
        return true;
    }

    Result<DurValue> finishDuration(DurationExprPtr d, int pos)
    {
        DurValue v;
        if (!isConstDuration(*d)) {
            v.expr = std::move(d);
            return v;
        }
        const double ms = std::round(d->eval(0, 0) * 1000.0);
        if (!std::isfinite(ms) || std::abs(ms) > 9.2e18)
            return err(pos, QStringLiteral("duration out of range"));
        v.ms = std::int64_t(ms);
        return v;
    }

    // One operand of a duration expression: a number, a duration, a
    // parenthesised duration expression or step()/range()/min_of()/max_of().
    Result<DurationExprPtr> parseDurationAtom(const QString &ctx, bool signBindsLoosely)
    {
        auto d = std::make_shared<DurationExpr>();
        const Token t = cur();
        if (t.type == TokenType::Add || t.type == TokenType::Sub) {
            advance();
            auto inner = signBindsLoosely ? parseDurationExpr(6, ctx) : parseDurationAtom(ctx, false);
            if (!inner)
                return inner;
            if (t.type == TokenType::Add)
                return inner;
            d->kind = DurationExpr::Kind::Neg;
            d->args = {*inner};
            return d;
        }
        if (t.type == TokenType::Duration) {
            advance();
            d->seconds = double(t.durationMs) / 1000.0;
            d->writtenAsDuration = true;
            return d;
        }
        if (t.type == TokenType::Number) {
            advance();
            d->seconds = t.number;
            return d;
        }
        if (t.type == TokenType::LeftParen) {
            advance();
            auto inner = parseDurationExpr(0, ctx);
            if (!inner)
                return inner;
            if (cur().type != TokenType::RightParen)
                return unexpected(ctx, QStringLiteral("\")\""));
            advance();
            return inner;
        }
        if (t.type == TokenType::Identifier && peek().type == TokenType::LeftParen) {
            const QString l = t.text.toLower();
            if (l == u"step" || l == u"range") {
                advance();
                advance();
                if (cur().type != TokenType::RightParen)
                    return unexpected(ctx, QStringLiteral("\")\""));
                advance();
                d->kind = l == u"step" ? DurationExpr::Kind::Step : DurationExpr::Kind::Range;
                return d;
            }
            if (l == u"min_of" || l == u"max_of") {
                advance();
                advance();
                auto a = parseDurationExpr(0, ctx);
                if (!a)
                    return a;
                if (cur().type != TokenType::Comma)
                    return unexpected(ctx, QStringLiteral("\",\""));
                advance();
                auto b = parseDurationExpr(0, ctx);
                if (!b)
                    return b;
                if (cur().type != TokenType::RightParen)
                    return unexpected(ctx, QStringLiteral("\")\""));
                advance();
                d->kind = l == u"min_of" ? DurationExpr::Kind::Min : DurationExpr::Kind::Max;
                d->args = {*a, *b};
                return d;
            }
        }
        return unexpected(ctx, QStringLiteral("duration"));
    }

    Result<DurationExprPtr> parseDurationExpr(int minPrec, const QString &ctx)
    {
        auto lhs = parseDurationAtom(ctx, true);
        if (!lhs)
            return lhs;
        for (;;) {
            auto info = binOp(cur());
            if (!info || info->prec < minPrec || info->prec < 4)
                break;
            advance();
            auto rhs = parseDurationExpr(info->rightAssoc ? info->prec : info->prec + 1, ctx);
            if (!rhs)
                return rhs;
            auto b = std::make_shared<DurationExpr>();
            b->kind = DurationExpr::Kind::Binary;
            b->op = info->op;
            b->args = {*lhs, *rhs};
            lhs = b;
        }
        return lhs;
    }

    // A range or subquery step inside brackets: a full duration expression.
    Result<DurValue> parseBracketDuration(const QString &ctx)
    {
        const int pos = cur().pos;
        auto d = parseDurationExpr(0, ctx);
        if (!d)
            return fail(d.error());
        return finishDuration(*d, pos);
    }

    // After `offset`: one signed operand, so `x offset 1m + 1` adds 1 to
    // the selector rather than extending the offset (as Prometheus parses it).
    Result<DurValue> parseOffsetDuration()
    {
        const int pos = cur().pos;
        auto d = parseDurationAtom(QStringLiteral("offset"), false);
        if (!d)
            return fail(d.error());
        return finishDuration(*d, pos);
    }

    Result<ExprPtr> parsePostfix(ExprPtr e)
    {
        for (;;) {
            if (cur().type == TokenType::LeftBracket) {
                const int bpos = cur().pos;
                advance();
                auto range = parseBracketDuration(QStringLiteral("subquery or range selector"));
                if (!range)
                    return fail(range.error());
                if (cur().type == TokenType::RightBracket) {
                    const int end = cur().end;
                    advance();
                    if (e->kind != NodeKind::VectorSelector)
                        return err(e->pos, QStringLiteral("ranges only allowed for vector selectors"));
                    if (e->hasOffset || e->at != AtModifier::None)
                        return err(bpos, QStringLiteral("no offset modifiers allowed before range"));
                    auto m = node(NodeKind::MatrixSelector, e->pos, end);
                    m->rangeMs = range->ms;
                    m->rangeExpr = range->expr;
                    m->args = {e};
                    e = m;
                    continue;
                }
                if (cur().type != TokenType::Colon)
                    return unexpected(QStringLiteral("subquery or range selector"), QStringLiteral("\":\" or \"]\""));
                advance();
                DurValue step;
                if (cur().type != TokenType::RightBracket) {
                    auto s = parseBracketDuration(QStringLiteral("subquery selector"));
                    if (!s)
                        return fail(s.error());
                    step = *s;
                }
                if (cur().type != TokenType::RightBracket)
                    return unexpected(QStringLiteral("subquery selector"), QStringLiteral("\"]\""));
                const int end = cur().end;
                advance();
                if (e->type() != ValueType::Vector)
                    return err(e->pos, QStringLiteral("subquery is only allowed on instant vector, got %1 instead")
                                           .arg(valueTypeName(e->type())));
                auto s = node(NodeKind::Subquery, e->pos, end);
                s->rangeMs = range->ms;
                s->rangeExpr = range->expr;
                s->stepMs = step.ms;
                s->stepExpr = step.expr;
                s->args = {e};
                e = s;
                continue;
            }
            if ((isIdent(cur(), u"anchored") || isIdent(cur(), u"smoothed")) && e->kind == NodeKind::MatrixSelector &&
                e->rangeModifier == RangeModifier::None) {
                e->rangeModifier = isIdent(cur(), u"anchored") ? RangeModifier::Anchored : RangeModifier::Smoothed;
                e->endPos = cur().end;
                advance();
                continue;
            }
            if (isIdent(cur(), u"offset")) {
                const int opos = cur().pos;
                advance();
                auto d = parseOffsetDuration();
                if (!d)
                    return fail(d.error());
                Expr *target = modifierTarget(e);
                if (!target)
                    return err(opos, QStringLiteral("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"));
                if (target->hasOffset)
                    return err(opos, QStringLiteral("offset may not be set multiple times"));
                target->hasOffset = true;
                target->offsetMs = d->ms;
                target->offsetExpr = d->expr;
                e->endPos = m_t[m_i - 1].end;
                continue;
            }
            if (cur().type == TokenType::At) {
                const int apos = cur().pos;
                advance();
                Expr *target = modifierTarget(e);
                if (!target)
                    return err(apos, QStringLiteral("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery"));
                if (target->at != AtModifier::None)
                    return err(apos, QStringLiteral("@ <timestamp> may not be set multiple times"));
                if ((isIdent(cur(), u"start") || isIdent(cur(), u"end")) &&
                    peek().type == TokenType::LeftParen) {
                    target->at = isIdent(cur(), u"start") ? AtModifier::Start : AtModifier::End;
                    advance();
                    advance();
                    if (cur().type != TokenType::RightParen)
                        return unexpected(QStringLiteral("@"), QStringLiteral("\")\""));
                    advance();
                } else {
                    double sign = 1;
                    if (cur().type == TokenType::Sub || cur().type == TokenType::Add) {
                        sign = cur().type == TokenType::Sub ? -1 : 1;
                        advance();
                    }
                    double secs = 0;
                    if (cur().type == TokenType::Number)
                        secs = cur().number;
                    else if (cur().type == TokenType::Duration)
                        secs = double(cur().durationMs) / 1000.0;
                    else
                        return unexpected(QStringLiteral("@"), QStringLiteral("timestamp"));
                    secs *= sign;
                    const double ms = std::round(secs * 1000.0);
                    if (!std::isfinite(ms) || ms > 9.2e18 || ms < -9.2e18)
                        return err(cur().pos, QStringLiteral("timestamp out of bounds for @ modifier: %1").arg(formatFloat(secs)));
                    advance();
                    target->at = AtModifier::Timestamp;
                    target->atMs = std::int64_t(ms);
                }
                e->endPos = m_t[m_i - 1].end;
                continue;
            }
            return e;
        }
    }

    static Expr *modifierTarget(const ExprPtr &e)
    {
        if (e->kind == NodeKind::VectorSelector || e->kind == NodeKind::Subquery)
            return e.get();
        if (e->kind == NodeKind::MatrixSelector)
            return e->args[0].get();
        return nullptr;
    }

    Result<ExprPtr> parsePrimary()
    {
        const Token t = cur();
        switch (t.type) {
        case TokenType::Number: {
            advance();
            auto n = node(NodeKind::NumberLiteral, t.pos, t.end);
            n->number = t.number;
            return n;
        }
        case TokenType::Duration: {
            advance();
            auto n = node(NodeKind::NumberLiteral, t.pos, t.end);
            n->number = double(t.durationMs) / 1000.0;
            return n;
        }
        case TokenType::String: {
            advance();
            auto n = node(NodeKind::StringLiteral, t.pos, t.end);
            n->string = t.str;
            return n;
        }
        case TokenType::LeftParen: {
            advance();
            auto inner = parseExpr(0);
            if (!inner)
                return inner;
            if (cur().type != TokenType::RightParen)
                return unexpected(QStringLiteral("paren expression"), QStringLiteral("\")\""));
            const int end = cur().end;
            advance();
            auto p = node(NodeKind::Paren, t.pos, end);
            p->args = {*inner};
            return p;
        }
        case TokenType::LeftBrace: {
            auto vs = node(NodeKind::VectorSelector, t.pos, t.end);
            if (auto r = parseMatchers(*vs); !r)
                return fail(r.error());
            if (auto r = checkSelector(*vs); !r)
                return fail(r.error());
            return vs;
        }
        case TokenType::Identifier: {
            const QString lower = t.text.toLower();
            AggOp aop;
            if (isAggregatorName(lower, &aop))
                return parseAggregate(aop);
            if (peek().type == TokenType::LeftParen && !isReservedKeyword(lower))
                return parseCall();
            if (isReservedKeyword(lower))
                return unexpected();
            advance();
            auto vs = node(NodeKind::VectorSelector, t.pos, t.end);
            vs->metricName = t.text;
            if (cur().type == TokenType::LeftBrace) {
                if (auto r = parseMatchers(*vs); !r)
                    return fail(r.error());
            }
            auto nm = LabelMatcher::create(LabelMatcher::Op::Equal, QStringLiteral("__name__"), t.text);
            vs->matchers.push_back(*nm);
            if (auto r = checkSelector(*vs); !r)
                return fail(r.error());
            return vs;
        }
        default:
            return unexpected();
        }
    }

    Result<void> checkSelector(const Expr &vs)
    {
        if (!vs.metricName.isEmpty()) {
            for (qsizetype i = 0; i + 1 < vs.matchers.size(); ++i)
                if (vs.matchers[i].name() == u"__name__")
                    return err(vs.pos, QStringLiteral("metric name must not be set twice: \"%1\" or \"%2\"")
                                           .arg(vs.metricName, vs.matchers[i].value()));
            return {};
        }
        for (const auto &m : vs.matchers)
            if (!m.matchesEmpty())
                return {};
        // Reported once the whole query is parsed: info()'s second argument
        // is exempt from this rule.
        m_emptySelectors.push_back(vs.pos);
        return {};
    }

    // `{` matchers `}`, cur() at the brace.
    Result<void> parseMatchers(Expr &vs)
    {
        advance();
        const QString ctx = QStringLiteral("label matching");
        while (cur().type != TokenType::RightBrace) {
            const Token nameTok = cur();
            QString name;
            if (nameTok.type == TokenType::String &&
                (peek().type == TokenType::Comma || peek().type == TokenType::RightBrace)) {
                // Prometheus 3: a lone quoted string is the metric name.
                advance();
                auto m = LabelMatcher::create(LabelMatcher::Op::Equal, QStringLiteral("__name__"), nameTok.str);
                vs.matchers.push_back(*m);
            } else {
                if (nameTok.type == TokenType::Identifier)
                    name = nameTok.text;
                else if (nameTok.type == TokenType::String)
                    name = nameTok.str;
                else
                    return unexpected(ctx, QStringLiteral("label name"));
                advance();
                LabelMatcher::Op op;
                switch (cur().type) {
                case TokenType::Assign: op = LabelMatcher::Op::Equal; break;
                case TokenType::Neq: op = LabelMatcher::Op::NotEqual; break;
                case TokenType::RegexMatch: op = LabelMatcher::Op::RegexMatch; break;
                case TokenType::RegexNoMatch: op = LabelMatcher::Op::RegexNoMatch; break;
                default: return unexpected(ctx, QStringLiteral("label matching operator"));
                }
                advance();
                if (cur().type != TokenType::String)
                    return unexpected(ctx, QStringLiteral("string"));
                auto m = LabelMatcher::create(op, name, cur().str);
                if (!m)
                    return err(cur().pos, m.error().message);
                advance();
                vs.matchers.push_back(*m);
            }
            if (cur().type == TokenType::Comma) {
                advance();
                continue;
            }
            if (cur().type != TokenType::RightBrace)
                return unexpected(ctx, QStringLiteral("\",\" or \"}\""));
        }
        vs.endPos = cur().end;
        advance();
        return {};
    }

    // `(` label, ... `)` for by/without/on/ignoring/group_x.
    Result<QStringList> parseLabelList(const QString &ctx)
    {
        if (cur().type != TokenType::LeftParen)
            return unexpected(ctx, QStringLiteral("\"(\""));
        advance();
        QStringList out;
        while (cur().type != TokenType::RightParen) {
            if (cur().type == TokenType::Identifier && !cur().hasColon)
                out << cur().text;
            else if (cur().type == TokenType::String)
                out << cur().str;
            else if (cur().type == TokenType::Number && (cur().text.toLower() == u"inf" || cur().text.toLower() == u"nan"))
                out << cur().text;
            else
                return unexpected(ctx, QStringLiteral("label"));
            advance();
            if (cur().type == TokenType::Comma) {
                advance();
                continue;
            }
            if (cur().type != TokenType::RightParen)
                return unexpected(ctx, QStringLiteral("\",\" or \")\""));
        }
        advance();
        return out;
    }

    Result<QList<ExprPtr>> parseArgs(const QString &ctx)
    {
        // cur() is '('
        advance();
        QList<ExprPtr> args;
        if (cur().type == TokenType::RightParen) {
            advance();
            return args;
        }
        for (;;) {
            auto a = parseExpr(0);
            if (!a)
                return fail(a.error());
            args << *a;
            if (cur().type == TokenType::Comma) {
                advance();
                if (cur().type == TokenType::RightParen) // trailing comma
                    break;
                continue;
            }
            if (cur().type == TokenType::RightParen)
                break;
            return unexpected(ctx, QStringLiteral("\",\" or \")\""));
        }
        m_lastEnd = cur().end;
        advance();
        return args;
    }

    Result<void> expectType(const Expr &e, ValueType want, const QString &ctx)
    {
        if (e.type() != want)
            return err(e.pos, QStringLiteral("expected type %1 in %2, got %3")
                                  .arg(documentedType(want), ctx, documentedType(e.type())));
        return {};
    }

    Result<ExprPtr> parseAggregate(AggOp op)
    {
        const Token t = cur();
        advance();
        auto a = node(NodeKind::Aggregate, t.pos, 0);
        a->aggOp = op;
        bool haveGrouping = false;
        auto grouping = [&]() -> Result<void> {
            a->without = isIdent(cur(), u"without");
            advance();
            auto l = parseLabelList(QStringLiteral("grouping opts"));
            if (!l)
                return fail(l.error());
            a->grouping = *l;
            haveGrouping = true;
            return {};
        };
        if (isIdent(cur(), u"by") || isIdent(cur(), u"without")) {
            if (auto r = grouping(); !r)
                return fail(r.error());
        }
        if (cur().type != TokenType::LeftParen)
            return unexpected(QStringLiteral("aggregation"), QStringLiteral("\"(\""));
        auto args = parseArgs(QStringLiteral("aggregation"));
        if (!args)
            return fail(args.error());
        a->endPos = m_lastEnd;
        if (!haveGrouping && (isIdent(cur(), u"by") || isIdent(cur(), u"without"))) {
            if (auto r = grouping(); !r)
                return fail(r.error());
            a->endPos = m_t[m_i - 1].end;
        }
        const int want = aggTakesParam(op) ? 2 : 1;
        if (args->size() != want)
            return err(t.pos, QStringLiteral("wrong number of arguments for aggregate expression provided, expected %1, got %2")
                                  .arg(want)
                                  .arg(args->size()));
        if (want == 2) {
            a->param = (*args)[0];
            a->args = {(*args)[1]};
        } else {
            a->args = {(*args)[0]};
        }
        if (auto r = expectType(*a->args[0], ValueType::Vector, QStringLiteral("aggregation expression")); !r)
            return fail(r.error());
        if (a->param) {
            const ValueType pt = op == AggOp::CountValues ? ValueType::String : ValueType::Scalar;
            if (auto r = expectType(*a->param, pt, QStringLiteral("aggregation parameter")); !r)
                return fail(r.error());
        }
        return a;
    }

    Result<ExprPtr> parseCall()
    {
        const Token t = cur();
        const FunctionDef *f = findFunction(t.text);
        if (!f)
            return err(t.pos, QStringLiteral("unknown function with name \"%1\"").arg(t.text));
        advance();
        auto args = parseArgs(QStringLiteral("function call"));
        if (!args)
            return fail(args.error());
        auto c = node(NodeKind::Call, t.pos, m_lastEnd);
        c->func = f;
        c->args = *args;
        if (f->name == u"info" && args->size() > 1 && (*args)[1]->kind == NodeKind::VectorSelector)
            m_emptySelectors.removeAll((*args)[1]->pos);
        const int nargs = int(f->argTypes.size());
        const int got = int(args->size());
        if (f->variadic == 0) {
            if (nargs != got)
                return err(t.pos, QStringLiteral("expected %1 argument(s) in call to \"%2\", got %3").arg(nargs).arg(f->name).arg(got));
        } else {
            const int na = nargs - 1;
            if (na > got)
                return err(t.pos, QStringLiteral("expected at least %1 argument(s) in call to \"%2\", got %3").arg(na).arg(f->name).arg(got));
            if (f->variadic > 0 && na + f->variadic < got)
                return err(t.pos, QStringLiteral("expected at most %1 argument(s) in call to \"%2\", got %3").arg(na + f->variadic).arg(f->name).arg(got));
        }
        for (int i = 0; i < got; ++i) {
            int k = i;
            if (k >= nargs) {
                if (f->variadic != -1)
                    break;
                k = nargs - 1;
            }
            if (auto r = expectType(*(*args)[i], f->argTypes[k], QStringLiteral("call to function \"%1\"").arg(f->name)); !r)
                return fail(r.error());
        }
        return c;
    }

    const QString &m_q;
    QList<Token> m_t;
    qsizetype m_i = 0;
    int m_lastEnd = 0;
    QList<int> m_emptySelectors; // positions of selectors without a non-empty matcher
};

} // namespace

Result<ExprPtr> PromqlParser::parse(const QString &query)
{
    auto toks = Lexer::tokenize(query);
    if (!toks)
        return fail(toks.error());
    if (toks->size() == 1)
        return fail(parseError(query, 0, QStringLiteral("no expression found in input")));
    return ParserImpl(query, std::move(*toks)).parseTop();
}

Result<model::LabelMatchers> PromqlParser::parseSelector(const QString &text)
{
    auto toks = Lexer::tokenize(text);
    if (!toks)
        return fail(toks.error());
    return ParserImpl(text, std::move(*toks)).parseSelectorOnly();
}

} // namespace spyglass::query::promql
