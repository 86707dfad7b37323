#include "core/query/traceql/parser.h"

#include <QHash>
#include <re2/re2.h>

namespace spyglass::query::traceql {

namespace {

enum class Tok {
    End, LBrace, RBrace, LParen, RParen, Comma, Pipe,
    AndAnd, OrOr, Not,
    Eq, Neq, Lt, Lte, Gt, Gte, Re, Nre, // Nre is also "not sibling" (!~)
    Desc, Anc, Tilde,                   // >> << ~
    NotGt, NotDesc, NotLt, NotAnc,      // !> !>> !< !<<
    AmpGt, AmpDesc, AmpLt, AmpAnc, AmpTilde, // &> &>> &< &<< &~
    Plus, Minus, Star, Slash, Percent, Caret,
    Ident,     // bare word: true, nil, error, count, by, ...
    Attribute, // .x span.x resource.x ...
    Intrinsic, // span:duration, trace:rootService, event:name ...
    String, Number, Duration,
};

struct Token
{
    Tok type = Tok::End;
    QString text; // identifier / attribute name / string contents / number text
    Scope scope = Scope::Unscoped;
    double num = 0;
    bool isInt = false;
    int pos = 0; // 1-based
    QString source; // raw token text
};

bool isAttrChar(QChar c)
{
    if (c.isSpace())
        return false;
    switch (c.unicode()) {
    case '{': case '}': case '(': case ')': case '=': case '!': case '<': case '>':
    case '~': case '&': case '|': case '+': case '*': case '/': case '%': case '^':
    case ',': case '"': case '`':
        return false;
    default:
        return true;
    }
}

class Lexer
{
public:
    explicit Lexer(const QString &q) : m_q(q) {}

    Result<QList<Token>> run()
    {
        QList<Token> out;
        while (true) {
            skipSpace();
            Token t;
            t.pos = int(m_i) + 1;
            if (m_i >= m_q.size()) {
                t.type = Tok::End;
                out.push_back(t);
                return out;
            }
            const qsizetype start = m_i;
            auto r = next(t);
            if (!r)
                return fail(r.error());
            t.source = m_q.mid(start, m_i - start);
            out.push_back(std::move(t));
        }
    }

private:
    Error error(qsizetype at, const QString &msg) const
    {
        return Error::at(m_q, 1, int(at) + 1, msg);
    }
    QChar peek(qsizetype k = 0) const { return m_i + k < m_q.size() ? m_q[m_i + k] : QChar(); }
    bool match(const char *s)
    {
        const auto n = qsizetype(std::strlen(s));
        if (m_q.mid(m_i, n) == QLatin1String(s, n)) {
            m_i += n;
            return true;
        }
        return false;
    }
    void skipSpace()
    {
        while (m_i < m_q.size() && m_q[m_i].isSpace())
            ++m_i;
    }

    Result<QString> quoted()
    {
        const QChar quote = m_q[m_i];
        const qsizetype start = m_i++;
        QString out;
        while (m_i < m_q.size()) {
            const QChar c = m_q[m_i++];
            if (c == quote)
                return out;
            if (c == u'\\' && quote == u'"') {
                if (m_i >= m_q.size())
                    break;
                const QChar e = m_q[m_i++];
                switch (e.unicode()) {
                case 'n': out += u'\n'; break;
                case 't': out += u'\t'; break;
                case 'r': out += u'\r'; break;
                case '\\': out += u'\\'; break;
                case '"': out += u'"'; break;
                default:
                    // Regexes keep their own escapes: "\d" stays "\d".
                    out += u'\\';
                    out += e;
                }
                continue;
            }
            out += c;
        }
        return fail(error(start, QStringLiteral("unterminated string")));
    }

    Result<void> attributeName(Token &t)
    {
        if (peek() == u'"') {
            auto s = quoted();
            if (!s)
                return fail(s.error());
            t.text = *s;
        } else {
            const qsizetype start = m_i;
            while (m_i < m_q.size() && isAttrChar(m_q[m_i]))
                ++m_i;
            t.text = m_q.mid(start, m_i - start);
        }
        if (t.text.isEmpty())
            return fail(error(m_i, QStringLiteral("expected an attribute name")));
        t.type = Tok::Attribute;
        return {};
    }

    Result<void> number(Token &t)
    {
        const qsizetype start = m_i;
        while (peek().isDigit())
            ++m_i;
        bool isInt = true;
        if (peek() == u'.' && peek(1).isDigit()) {
            isInt = false;
            ++m_i;
            while (peek().isDigit())
                ++m_i;
        }
        if ((peek() == u'e' || peek() == u'E')
            && (peek(1).isDigit() || ((peek(1) == u'-' || peek(1) == u'+') && peek(2).isDigit()))) {
            isInt = false;
            m_i += 2;
            while (peek().isDigit())
                ++m_i;
        }
        const QString digits = m_q.mid(start, m_i - start);
        bool ok = false;
        const double v = digits.toDouble(&ok);
        if (!ok)
            return fail(error(start, QStringLiteral("invalid number \"%1\"").arg(digits)));
        // Durations: a number followed directly by a unit, possibly several
        // parts ("1h30m").
        static const QList<std::pair<QString, double>> units = {
            {QStringLiteral("ns"), 1}, {QStringLiteral("us"), 1e3}, {QStringLiteral("µs"), 1e3},
            {QStringLiteral("ms"), 1e6}, {QStringLiteral("s"), 1e9}, {QStringLiteral("m"), 60e9},
            {QStringLiteral("h"), 3600e9}, {QStringLiteral("d"), 86400e9},
        };
        auto unitAt = [&]() -> double {
            // Longest unit first ("ms" before "m").
            for (const auto &u : {2, 1}) {
                for (const auto &[name, f] : units)
                    if (name.size() == u && m_q.mid(m_i, u) == name
                        && !(m_i + u < m_q.size() && (m_q[m_i + u].isLetterOrNumber() || m_q[m_i + u] == u'_')
                             && !m_q[m_i + u].isDigit())) {
                        m_i += u;
                        return f;
                    }
            }
            return 0;
        };
        double f = unitAt();
        if (f == 0) {
            if (peek().isLetter() || peek() == u'_')
                return fail(error(m_i, QStringLiteral("unknown duration unit after \"%1\"").arg(digits)));
            t.type = Tok::Number;
            t.num = v;
            t.isInt = isInt;
            t.text = digits;
            return {};
        }
        double total = v * f;
        while (peek().isDigit()) {
            const qsizetype s2 = m_i;
            while (peek().isDigit() || peek() == u'.')
                ++m_i;
            const double v2 = m_q.mid(s2, m_i - s2).toDouble();
            const double f2 = unitAt();
            if (f2 == 0)
                return fail(error(m_i, QStringLiteral("expected a duration unit")));
            total += v2 * f2;
        }
        t.type = Tok::Duration;
        t.num = total;
        return {};
    }

    Result<void> next(Token &t)
    {
        const QChar c = m_q[m_i];
        struct Sym { const char *s; Tok t; };
        static const Sym syms[] = {
            {"&&", Tok::AndAnd}, {"||", Tok::OrOr},
            {"&>>", Tok::AmpDesc}, {"&<<", Tok::AmpAnc}, {"&>", Tok::AmpGt}, {"&<", Tok::AmpLt}, {"&~", Tok::AmpTilde},
            {"!>>", Tok::NotDesc}, {"!<<", Tok::NotAnc}, {"!=", Tok::Neq}, {"!~", Tok::Nre},
            {"!>", Tok::NotGt}, {"!<", Tok::NotLt}, {"!", Tok::Not},
            {"=~", Tok::Re}, {"=", Tok::Eq},
            {">>", Tok::Desc}, {">=", Tok::Gte}, {">", Tok::Gt},
            {"<<", Tok::Anc}, {"<=", Tok::Lte}, {"<", Tok::Lt},
            {"~", Tok::Tilde}, {"{", Tok::LBrace}, {"}", Tok::RBrace}, {"(", Tok::LParen},
            {")", Tok::RParen}, {",", Tok::Comma}, {"|", Tok::Pipe}, {"+", Tok::Plus},
            {"-", Tok::Minus}, {"*", Tok::Star}, {"/", Tok::Slash}, {"%", Tok::Percent}, {"^", Tok::Caret},
        };
        if (c == u'"' || c == u'`') {
            auto s = quoted();
            if (!s)
                return fail(s.error());
            t.type = Tok::String;
            t.text = *s;
            return {};
        }
        if (c.isDigit() || (c == u'.' && peek(1).isDigit()))
            return number(t);
        if (c == u'.') {
            ++m_i;
            t.scope = Scope::Unscoped;
            return attributeName(t);
        }
        if (c.isLetter() || c == u'_') {
            const qsizetype start = m_i;
            while (m_i < m_q.size() && (m_q[m_i].isLetterOrNumber() || m_q[m_i] == u'_'))
                ++m_i;
            const QString word = m_q.mid(start, m_i - start);
            static const QHash<QString, Scope> scopes = {
                {QStringLiteral("span"), Scope::Span}, {QStringLiteral("resource"), Scope::Resource},
                {QStringLiteral("event"), Scope::Event}, {QStringLiteral("link"), Scope::Link},
                {QStringLiteral("instrumentation"), Scope::Instrumentation},
            };
            const bool isScopeWord = scopes.contains(word) || word == QLatin1String("trace");
            if (isScopeWord && peek() == u':') {
                ++m_i;
                const qsizetype s2 = m_i;
                while (m_i < m_q.size() && (m_q[m_i].isLetterOrNumber() || m_q[m_i] == u'_'))
                    ++m_i;
                if (m_i == s2)
                    return fail(error(s2, QStringLiteral("expected an intrinsic name after \"%1:\"").arg(word)));
                t.type = Tok::Intrinsic;
                t.text = word + u':' + m_q.mid(s2, m_i - s2);
                return {};
            }
            if (scopes.contains(word) && peek() == u'.') {
                ++m_i;
                t.scope = scopes.value(word);
                return attributeName(t);
            }
            t.type = Tok::Ident;
            t.text = word;
            return {};
        }
        for (const auto &s : syms) {
            if (match(s.s)) {
                t.type = s.t;
                return {};
            }
        }
        return fail(error(m_i, QStringLiteral("unexpected character '%1'").arg(c)));
    }

    const QString &m_q;
    qsizetype m_i = 0;
};

const QHash<QString, Intrinsic> &intrinsics()
{
    static const QHash<QString, Intrinsic> map = {
        {QStringLiteral("name"), Intrinsic::Name},
        {QStringLiteral("span:name"), Intrinsic::Name},
        {QStringLiteral("status"), Intrinsic::Status},
        {QStringLiteral("span:status"), Intrinsic::Status},
        {QStringLiteral("statusMessage"), Intrinsic::StatusMessage},
        {QStringLiteral("span:statusMessage"), Intrinsic::StatusMessage},
        {QStringLiteral("kind"), Intrinsic::Kind},
        {QStringLiteral("span:kind"), Intrinsic::Kind},
        {QStringLiteral("duration"), Intrinsic::Duration},
        {QStringLiteral("span:duration"), Intrinsic::Duration},
        {QStringLiteral("rootName"), Intrinsic::RootName},
        {QStringLiteral("trace:rootName"), Intrinsic::RootName},
        {QStringLiteral("rootServiceName"), Intrinsic::RootServiceName},
        {QStringLiteral("trace:rootService"), Intrinsic::RootServiceName},
        {QStringLiteral("traceDuration"), Intrinsic::TraceDuration},
        {QStringLiteral("trace:duration"), Intrinsic::TraceDuration},
        {QStringLiteral("span:id"), Intrinsic::SpanId},
        {QStringLiteral("trace:id"), Intrinsic::TraceId},
        {QStringLiteral("span:parentID"), Intrinsic::ParentId},
        {QStringLiteral("event:name"), Intrinsic::EventName},
        {QStringLiteral("event:timeSinceStart"), Intrinsic::EventTimeSinceStart},
        {QStringLiteral("link:traceID"), Intrinsic::LinkTraceId},
        {QStringLiteral("link:spanID"), Intrinsic::LinkSpanId},
        {QStringLiteral("instrumentation:name"), Intrinsic::InstrumentationName},
        {QStringLiteral("instrumentation:version"), Intrinsic::InstrumentationVersion},
        {QStringLiteral("nestedSetLeft"), Intrinsic::NestedSetLeft},
        {QStringLiteral("nestedSetRight"), Intrinsic::NestedSetRight},
        {QStringLiteral("nestedSetParent"), Intrinsic::NestedSetParent},
        {QStringLiteral("span:childCount"), Intrinsic::ChildCount},
        {QStringLiteral("childCount"), Intrinsic::ChildCount},
    };
    return map;
}

const QHash<QString, MetricsStage::Function> &metricsFunctions()
{
    static const QHash<QString, MetricsStage::Function> map = {
        {QStringLiteral("rate"), MetricsStage::Function::Rate},
        {QStringLiteral("count_over_time"), MetricsStage::Function::CountOverTime},
        {QStringLiteral("min_over_time"), MetricsStage::Function::MinOverTime},
        {QStringLiteral("max_over_time"), MetricsStage::Function::MaxOverTime},
        {QStringLiteral("avg_over_time"), MetricsStage::Function::AvgOverTime},
        {QStringLiteral("sum_over_time"), MetricsStage::Function::SumOverTime},
        {QStringLiteral("quantile_over_time"), MetricsStage::Function::QuantileOverTime},
        {QStringLiteral("histogram_over_time"), MetricsStage::Function::HistogramOverTime},
    };
    return map;
}

class Parser
{
public:
    Parser(const QString &q, QList<Token> toks) : m_q(q), m_t(std::move(toks)) {}

    Result<Query> query()
    {
        Query q;
        q.text = m_q;
        if (cur().type == Tok::End)
            return fail(error(cur(), QStringLiteral("empty query; a TraceQL query starts with a "
                                                    "spanset such as { } or { status = error }")));
        auto head = spansetExpr();
        if (!head)
            return fail(head.error());
        q.pipeline.head = *head;
        while (cur().type == Tok::Pipe) {
            advance();
            if (q.metrics)
                return fail(error(cur(), QStringLiteral("a metrics function must be the last stage of the pipeline")));
            if (cur().type == Tok::Ident && metricsFunctions().contains(cur().text)) {
                auto m = metricsStage();
                if (!m)
                    return fail(m.error());
                q.metrics = *m;
                continue;
            }
            auto st = stage();
            if (!st)
                return fail(st.error());
            q.pipeline.stages.push_back(*st);
        }
        if (cur().type != Tok::End)
            return fail(error(cur(), QStringLiteral("unexpected \"%1\"; expected |, a spanset operator "
                                                    "or the end of the query")
                                         .arg(cur().source)));
        return q;
    }

private:
    const Token &cur() const { return m_t[m_i]; }
    const Token &peekTok(int k = 1) const { return m_t[std::min<qsizetype>(m_i + k, m_t.size() - 1)]; }
    void advance()
    {
        if (m_i < m_t.size() - 1)
            ++m_i;
    }
    Error error(const Token &t, const QString &msg) const { return Error::at(m_q, 1, t.pos, msg); }
    QString describe(const Token &t) const
    {
        return t.type == Tok::End ? QStringLiteral("end of query") : QStringLiteral("\"%1\"").arg(t.source);
    }
    Result<void> expect(Tok type, const char *what)
    {
        if (cur().type != type)
            return fail(error(cur(), QStringLiteral("expected %1, found %2").arg(QLatin1String(what), describe(cur()))));
        advance();
        return {};
    }

    // Spanset expressions: || lowest, then &&, then structural operators.
    Result<SpansetExprPtr> spansetExpr() { return spansetOr(); }

    Result<SpansetExprPtr> spansetOr()
    {
        auto lhs = spansetAnd();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::OrOr) {
            const int pos = cur().pos;
            advance();
            auto rhs = spansetAnd();
            if (!rhs)
                return rhs;
            lhs = binary(SpansetOp::Or, *lhs, *rhs, pos);
        }
        return lhs;
    }

    Result<SpansetExprPtr> spansetAnd()
    {
        auto lhs = spansetStructural();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::AndAnd) {
            const int pos = cur().pos;
            advance();
            auto rhs = spansetStructural();
            if (!rhs)
                return rhs;
            lhs = binary(SpansetOp::And, *lhs, *rhs, pos);
        }
        return lhs;
    }

    static std::optional<SpansetOp> structuralOp(Tok t)
    {
        switch (t) {
        case Tok::Gt: return SpansetOp::Child;
        case Tok::Desc: return SpansetOp::Descendant;
        case Tok::Lt: return SpansetOp::Parent;
        case Tok::Anc: return SpansetOp::Ancestor;
        case Tok::Tilde: return SpansetOp::Sibling;
        case Tok::NotGt: return SpansetOp::NotChild;
        case Tok::NotDesc: return SpansetOp::NotDescendant;
        case Tok::NotLt: return SpansetOp::NotParent;
        case Tok::NotAnc: return SpansetOp::NotAncestor;
        case Tok::Nre: return SpansetOp::NotSibling;
        case Tok::AmpGt: return SpansetOp::UnionChild;
        case Tok::AmpDesc: return SpansetOp::UnionDescendant;
        case Tok::AmpLt: return SpansetOp::UnionParent;
        case Tok::AmpAnc: return SpansetOp::UnionAncestor;
        case Tok::AmpTilde: return SpansetOp::UnionSibling;
        default: return std::nullopt;
        }
    }

    Result<SpansetExprPtr> spansetStructural()
    {
        auto lhs = spansetPrimary();
        if (!lhs)
            return lhs;
        while (auto op = structuralOp(cur().type)) {
            const int pos = cur().pos;
            advance();
            auto rhs = spansetPrimary();
            if (!rhs)
                return rhs;
            lhs = binary(*op, *lhs, *rhs, pos);
        }
        return lhs;
    }

    static SpansetExprPtr binary(SpansetOp op, SpansetExprPtr l, SpansetExprPtr r, int pos)
    {
        auto e = std::make_shared<SpansetExpr>();
        e->kind = SpansetExpr::Kind::Binary;
        e->op = op;
        e->lhs = std::move(l);
        e->rhs = std::move(r);
        e->pos = pos;
        return e;
    }

    Result<SpansetExprPtr> spansetPrimary()
    {
        const Token start = cur();
        if (start.type == Tok::LParen) {
            advance();
            auto inner = spansetExpr();
            if (!inner)
                return inner;
            SpansetExprPtr result = *inner;
            if (cur().type == Tok::Pipe) {
                auto p = std::make_shared<Pipeline>();
                p->head = *inner;
                while (cur().type == Tok::Pipe) {
                    advance();
                    if (cur().type == Tok::Ident && metricsFunctions().contains(cur().text))
                        return fail(error(cur(), QStringLiteral("metrics functions are only allowed as the last stage of the query")));
                    auto st = stage();
                    if (!st)
                        return fail(st.error());
                    p->stages.push_back(*st);
                }
                auto e = std::make_shared<SpansetExpr>();
                e->kind = SpansetExpr::Kind::Pipeline;
                e->pipeline = p;
                e->pos = start.pos;
                result = e;
            }
            if (auto r = expect(Tok::RParen, "\")\""); !r)
                return fail(r.error());
            return result;
        }
        if (start.type != Tok::LBrace)
            return fail(error(start, QStringLiteral("expected a spanset \"{ ... }\", found %1").arg(describe(start))));
        advance();
        auto e = std::make_shared<SpansetExpr>();
        e->kind = SpansetExpr::Kind::Filter;
        e->pos = start.pos;
        if (cur().type != Tok::RBrace) {
            auto f = fieldExpr();
            if (!f)
                return fail(f.error());
            e->filter = *f;
        }
        if (cur().type != Tok::RBrace)
            return fail(error(cur(), QStringLiteral("expected \"}\" or an operator, found %1").arg(describe(cur()))));
        advance();
        return SpansetExprPtr(e);
    }

    // Field expressions: || < && < comparison < + - < * / % < ^ < unary.
    Result<FieldExprPtr> fieldExpr() { return fieldOr(); }

    FieldExprPtr makeBinary(FieldExpr::Op op, FieldExprPtr l, FieldExprPtr r, int pos) const
    {
        auto e = std::make_shared<FieldExpr>();
        e->op = op;
        e->pos = pos;
        e->lhs = std::move(l);
        e->rhs = std::move(r);
        return e;
    }

    Result<FieldExprPtr> fieldOr()
    {
        auto lhs = fieldAnd();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::OrOr) {
            const int pos = cur().pos;
            advance();
            auto rhs = fieldAnd();
            if (!rhs)
                return rhs;
            lhs = makeBinary(FieldExpr::Op::Or, *lhs, *rhs, pos);
        }
        return lhs;
    }

    Result<FieldExprPtr> fieldAnd()
    {
        auto lhs = fieldCompare();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::AndAnd) {
            const int pos = cur().pos;
            advance();
            auto rhs = fieldCompare();
            if (!rhs)
                return rhs;
            lhs = makeBinary(FieldExpr::Op::And, *lhs, *rhs, pos);
        }
        return lhs;
    }

    static std::optional<FieldExpr::Op> compareOp(Tok t)
    {
        switch (t) {
        case Tok::Eq: return FieldExpr::Op::Eq;
        case Tok::Neq: return FieldExpr::Op::Neq;
        case Tok::Lt: return FieldExpr::Op::Lt;
        case Tok::Lte: return FieldExpr::Op::Lte;
        case Tok::Gt: return FieldExpr::Op::Gt;
        case Tok::Gte: return FieldExpr::Op::Gte;
        case Tok::Re: return FieldExpr::Op::Re;
        case Tok::Nre: return FieldExpr::Op::Nre;
        default: return std::nullopt;
        }
    }

    Result<FieldExprPtr> fieldCompare()
    {
        auto lhs = fieldAdd();
        if (!lhs)
            return lhs;
        if (auto op = compareOp(cur().type)) {
            const Token opTok = cur();
            advance();
            auto rhs = fieldAdd();
            if (!rhs)
                return rhs;
            auto e = std::const_pointer_cast<FieldExpr>(makeBinary(*op, *lhs, *rhs, opTok.pos));
            if (*op == FieldExpr::Op::Re || *op == FieldExpr::Op::Nre) {
                const FieldExprPtr &pat = (*rhs)->op == FieldExpr::Op::Literal ? *rhs : *lhs;
                if (pat->op != FieldExpr::Op::Literal || pat->literal.type != Value::Type::String)
                    return fail(error(opTok, QStringLiteral("%1 needs a string literal (the regular expression) on one side")
                                                 .arg(opTok.source)));
                RE2::Options opts;
                opts.set_dot_nl(true);
                opts.set_log_errors(false);
                const QByteArray p = pat->literal.s.toUtf8();
                auto re = std::make_shared<RE2>(re2::StringPiece(p.constData(), size_t(p.size())), opts);
                if (!re->ok())
                    return fail(error(opTok, QStringLiteral("invalid regular expression \"%1\": %2")
                                                 .arg(pat->literal.s, QString::fromStdString(re->error()))));
                e->regex = re;
            }
            if (compareOp(cur().type))
                return fail(error(cur(), QStringLiteral("comparisons cannot be chained; use && between them")));
            return FieldExprPtr(e);
        }
        return lhs;
    }

    Result<FieldExprPtr> fieldAdd()
    {
        auto lhs = fieldMul();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::Plus || cur().type == Tok::Minus) {
            const auto op = cur().type == Tok::Plus ? FieldExpr::Op::Add : FieldExpr::Op::Sub;
            const int pos = cur().pos;
            advance();
            auto rhs = fieldMul();
            if (!rhs)
                return rhs;
            lhs = makeBinary(op, *lhs, *rhs, pos);
        }
        return lhs;
    }

    Result<FieldExprPtr> fieldMul()
    {
        auto lhs = fieldPow();
        if (!lhs)
            return lhs;
        while (cur().type == Tok::Star || cur().type == Tok::Slash || cur().type == Tok::Percent) {
            const auto op = cur().type == Tok::Star    ? FieldExpr::Op::Mul
                            : cur().type == Tok::Slash ? FieldExpr::Op::Div
                                                       : FieldExpr::Op::Mod;
            const int pos = cur().pos;
            advance();
            auto rhs = fieldPow();
            if (!rhs)
                return rhs;
            lhs = makeBinary(op, *lhs, *rhs, pos);
        }
        return lhs;
    }

    Result<FieldExprPtr> fieldPow()
    {
        auto lhs = fieldUnary();
        if (!lhs)
            return lhs;
        if (cur().type == Tok::Caret) {
            const int pos = cur().pos;
            advance();
            auto rhs = fieldPow(); // right associative
            if (!rhs)
                return rhs;
            return makeBinary(FieldExpr::Op::Pow, *lhs, *rhs, pos);
        }
        return lhs;
    }

    Result<FieldExprPtr> fieldUnary()
    {
        if (cur().type == Tok::Not || cur().type == Tok::Minus) {
            const auto op = cur().type == Tok::Not ? FieldExpr::Op::Not : FieldExpr::Op::Neg;
            const int pos = cur().pos;
            advance();
            auto inner = fieldUnary();
            if (!inner)
                return inner;
            // Fold "-5" and "-1s" into literals.
            if (op == FieldExpr::Op::Neg && (*inner)->op == FieldExpr::Op::Literal && (*inner)->literal.isNumeric()) {
                auto lit = std::make_shared<FieldExpr>(**inner);
                lit->literal.num = -lit->literal.num;
                lit->pos = pos;
                return FieldExprPtr(lit);
            }
            return makeBinary(op, *inner, nullptr, pos);
        }
        return fieldPrimary();
    }

    Result<FieldExprPtr> fieldPrimary()
    {
        const Token t = cur();
        auto e = std::make_shared<FieldExpr>();
        e->pos = t.pos;
        e->text = t.source;
        switch (t.type) {
        case Tok::LParen: {
            advance();
            auto inner = fieldExpr();
            if (!inner)
                return inner;
            if (auto r = expect(Tok::RParen, "\")\""); !r)
                return fail(r.error());
            return inner;
        }
        case Tok::String:
            e->literal = Value::string(t.text);
            break;
        case Tok::Number:
            e->literal = t.isInt ? Value::integer(std::int64_t(t.num)) : Value::floating(t.num);
            break;
        case Tok::Duration:
            e->literal = Value::duration(std::int64_t(t.num));
            break;
        case Tok::Attribute:
            e->op = FieldExpr::Op::Attribute;
            e->scope = t.scope;
            e->name = t.text;
            break;
        case Tok::Intrinsic: {
            auto it = intrinsics().constFind(t.text);
            if (it == intrinsics().cend())
                return fail(error(t, QStringLiteral("unknown intrinsic \"%1\"").arg(t.text)));
            e->op = FieldExpr::Op::Intrinsic;
            e->intrinsic = *it;
            e->name = t.text;
            break;
        }
        case Tok::Ident: {
            static const QHash<QString, Value> words = {
                {QStringLiteral("true"), Value::boolean(true)},
                {QStringLiteral("false"), Value::boolean(false)},
                {QStringLiteral("nil"), Value::nil()},
                {QStringLiteral("error"), Value::status(model::Span::Status::Error)},
                {QStringLiteral("ok"), Value::status(model::Span::Status::Ok)},
                {QStringLiteral("unset"), Value::status(model::Span::Status::Unset)},
                {QStringLiteral("unspecified"), Value::kind(model::Span::Kind::Unspecified)},
                {QStringLiteral("internal"), Value::kind(model::Span::Kind::Internal)},
                {QStringLiteral("server"), Value::kind(model::Span::Kind::Server)},
                {QStringLiteral("client"), Value::kind(model::Span::Kind::Client)},
                {QStringLiteral("producer"), Value::kind(model::Span::Kind::Producer)},
                {QStringLiteral("consumer"), Value::kind(model::Span::Kind::Consumer)},
            };
            if (auto w = words.constFind(t.text); w != words.cend()) {
                e->literal = *w;
                break;
            }
            auto it = intrinsics().constFind(t.text);
            if (it == intrinsics().cend())
                return fail(error(t, QStringLiteral("unknown identifier \"%1\"; attributes need a scope "
                                                    "(span.%1, resource.%1) or a leading dot (.%1)")
                                         .arg(t.text)));
            e->op = FieldExpr::Op::Intrinsic;
            e->intrinsic = *it;
            e->name = t.text;
            break;
        }
        default:
            return fail(error(t, QStringLiteral("expected a value, attribute or intrinsic, found %1").arg(describe(t))));
        }
        advance();
        return FieldExprPtr(e);
    }

    Result<QList<FieldExprPtr>> fieldList(bool allowEmpty)
    {
        if (auto r = expect(Tok::LParen, "\"(\""); !r)
            return fail(r.error());
        QList<FieldExprPtr> out;
        if (cur().type == Tok::RParen && allowEmpty) {
            advance();
            return out;
        }
        while (true) {
            const qsizetype startTok = m_i;
            auto f = fieldExpr();
            if (!f)
                return fail(f.error());
            auto fe = std::const_pointer_cast<FieldExpr>(*f);
            // Keep the source text for series labels: "resource.service.name".
            QString text;
            for (qsizetype k = startTok; k < m_i; ++k)
                text += m_t[k].source;
            fe->text = text;
            out.push_back(fe);
            if (cur().type == Tok::Comma) {
                advance();
                continue;
            }
            break;
        }
        if (auto r = expect(Tok::RParen, "\")\""); !r)
            return fail(r.error());
        return out;
    }

    Result<Stage> stage()
    {
        Stage st;
        const Token t = cur();
        st.pos = t.pos;
        if (t.type == Tok::LBrace || t.type == Tok::LParen) {
            auto e = spansetExpr();
            if (!e)
                return fail(e.error());
            st.kind = Stage::Kind::Filter;
            st.filter = *e;
            return st;
        }
        if (t.type != Tok::Ident)
            return fail(error(t, QStringLiteral("expected a pipeline stage (a spanset, count(), avg(), min(), max(), "
                                                "sum(), by(), select(), coalesce() or a metrics function), found %1")
                                     .arg(describe(t))));
        static const QHash<QString, Aggregate> aggregates = {
            {QStringLiteral("count"), Aggregate::Count}, {QStringLiteral("avg"), Aggregate::Avg},
            {QStringLiteral("min"), Aggregate::Min},     {QStringLiteral("max"), Aggregate::Max},
            {QStringLiteral("sum"), Aggregate::Sum},
        };
        if (auto a = aggregates.constFind(t.text); a != aggregates.cend()) {
            advance();
            st.kind = Stage::Kind::AggregateFilter;
            st.aggregate = *a;
            auto args = fieldList(true);
            if (!args)
                return fail(args.error());
            if (*a == Aggregate::Count && !args->isEmpty())
                return fail(error(t, QStringLiteral("count() takes no argument")));
            if (*a != Aggregate::Count && args->size() != 1)
                return fail(error(t, QStringLiteral("%1() takes exactly one argument, e.g. %1(duration)").arg(t.text)));
            if (!args->isEmpty())
                st.aggregateField = args->front();
            auto op = compareOp(cur().type);
            if (!op || *op == FieldExpr::Op::Re || *op == FieldExpr::Op::Nre)
                return fail(error(cur(), QStringLiteral("expected a comparison after %1(), e.g. %1() > 2, found %2")
                                             .arg(t.text, describe(cur()))));
            st.compare = *op;
            advance();
            auto v = fieldUnary();
            if (!v)
                return fail(v.error());
            if ((*v)->op != FieldExpr::Op::Literal || !(*v)->literal.isNumeric())
                return fail(error(cur(), QStringLiteral("%1() must be compared with a number or duration").arg(t.text)));
            st.threshold = (*v)->literal;
            return st;
        }
        if (t.text == QLatin1String("by") || t.text == QLatin1String("select")) {
            advance();
            st.kind = t.text == QLatin1String("by") ? Stage::Kind::By : Stage::Kind::Select;
            auto args = fieldList(false);
            if (!args)
                return fail(args.error());
            st.fields = *args;
            return st;
        }
        if (t.text == QLatin1String("coalesce")) {
            advance();
            auto args = fieldList(true);
            if (!args)
                return fail(args.error());
            if (!args->isEmpty())
                return fail(error(t, QStringLiteral("coalesce() takes no argument")));
            st.kind = Stage::Kind::Coalesce;
            return st;
        }
        return fail(error(t, QStringLiteral("unknown pipeline function \"%1\"").arg(t.text)));
    }

    Result<MetricsStage> metricsStage()
    {
        const Token t = cur();
        MetricsStage m;
        m.pos = t.pos;
        m.function = metricsFunctions().value(t.text);
        advance();
        auto args = fieldList(true);
        if (!args)
            return fail(args.error());
        using F = MetricsStage::Function;
        switch (m.function) {
        case F::Rate:
        case F::CountOverTime:
            if (!args->isEmpty())
                return fail(error(t, QStringLiteral("%1() takes no argument").arg(t.text)));
            break;
        case F::QuantileOverTime:
            if (args->size() < 2)
                return fail(error(t, QStringLiteral("quantile_over_time() needs an attribute and at least one "
                                                    "quantile, e.g. quantile_over_time(duration, .99)")));
            for (qsizetype i = 1; i < args->size(); ++i) {
                const auto &a = args->at(i);
                if (a->op != FieldExpr::Op::Literal || !a->literal.isNumeric() || a->literal.num < 0 || a->literal.num > 1)
                    return fail(error(t, QStringLiteral("quantile_over_time(): quantile %1 is not a number between 0 and 1")
                                             .arg(a->text)));
                m.quantiles.push_back(a->literal.num);
            }
            m.field = args->front();
            break;
        default:
            if (args->size() != 1)
                return fail(error(t, QStringLiteral("%1() takes exactly one argument, e.g. %1(duration)").arg(t.text)));
            m.field = args->front();
        }
        if (cur().type == Tok::Ident && cur().text == QLatin1String("by")) {
            advance();
            auto by = fieldList(false);
            if (!by)
                return fail(by.error());
            m.by = *by;
        }
        return m;
    }

    const QString &m_q;
    QList<Token> m_t;
    qsizetype m_i = 0;
};

} // namespace

Result<Query> TraceqlParser::parse(const QString &query)
{
    auto toks = Lexer(query).run();
    if (!toks)
        return fail(toks.error());
    return Parser(query, std::move(*toks)).query();
}

} // namespace spyglass::query::traceql
