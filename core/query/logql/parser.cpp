#include "core/query/logql/parser.h"

#include <QRegularExpression>
#include <QSet>
#include <re2/re2.h>

#include <cmath>

namespace spyglass::query::logql {

QString binOpName(BinOp op)
{
    switch (op) {
    case BinOp::Add: return QStringLiteral("+");
    case BinOp::Sub: return QStringLiteral("-");
    case BinOp::Mul: return QStringLiteral("*");
    case BinOp::Div: return QStringLiteral("/");
    case BinOp::Mod: return QStringLiteral("%");
    case BinOp::Pow: return QStringLiteral("^");
    case BinOp::Eq: return QStringLiteral("==");
    case BinOp::Ne: return QStringLiteral("!=");
    case BinOp::Gt: return QStringLiteral(">");
    case BinOp::Ge: return QStringLiteral(">=");
    case BinOp::Lt: return QStringLiteral("<");
    case BinOp::Le: return QStringLiteral("<=");
    case BinOp::And: return QStringLiteral("and");
    case BinOp::Or: return QStringLiteral("or");
    case BinOp::Unless: return QStringLiteral("unless");
    }
    return {};
}

std::optional<double> parseGoDuration(QStringView s)
{
    if (s.isEmpty())
        return std::nullopt;
    double total = 0;
    bool neg = false;
    qsizetype i = 0;
    if (s[0] == u'-' || s[0] == u'+') {
        neg = s[0] == u'-';
        ++i;
    }
    if (i == s.size())
        return std::nullopt;
    if (s.sliced(i) == u"0")
        return 0.0;
    while (i < s.size()) {
        const qsizetype start = i;
        while (i < s.size() && (s[i].isDigit() || s[i] == u'.'))
            ++i;
        if (i == start)
            return std::nullopt;
        bool ok = false;
        const double v = s.sliced(start, i - start).toDouble(&ok);
        if (!ok)
            return std::nullopt;
        const qsizetype us = i;
        while (i < s.size() && !s[i].isDigit() && s[i] != u'.')
            ++i;
        const QStringView unit = s.sliced(us, i - us);
        double mult = 0;
        if (unit == u"ns") mult = 1e-9;
        else if (unit == u"us" || unit == u"µs" || unit == u"μs") mult = 1e-6;
        else if (unit == u"ms") mult = 1e-3;
        else if (unit == u"s") mult = 1;
        else if (unit == u"m") mult = 60;
        else if (unit == u"h") mult = 3600;
        else if (unit == u"d") mult = 86400;
        else if (unit == u"w") mult = 7 * 86400;
        else if (unit == u"y") mult = 365 * 86400;
        else return std::nullopt;
        total += v * mult;
    }
    return neg ? -total : total;
}

std::optional<double> parseHumanBytes(QStringView s)
{
    s = s.trimmed();
    qsizetype i = 0;
    while (i < s.size() && (s[i].isDigit() || s[i] == u'.'))
        ++i;
    if (i == 0)
        return std::nullopt;
    bool ok = false;
    const double v = s.first(i).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QString unit = s.sliced(i).trimmed().toString().toLower();
    static const QList<std::pair<QString, double>> units = {
        {QString(), 1}, {QStringLiteral("b"), 1},
        {QStringLiteral("k"), 1e3}, {QStringLiteral("kb"), 1e3}, {QStringLiteral("ki"), 1024.0}, {QStringLiteral("kib"), 1024.0},
        {QStringLiteral("m"), 1e6}, {QStringLiteral("mb"), 1e6}, {QStringLiteral("mi"), 1048576.0}, {QStringLiteral("mib"), 1048576.0},
        {QStringLiteral("g"), 1e9}, {QStringLiteral("gb"), 1e9}, {QStringLiteral("gi"), 1073741824.0}, {QStringLiteral("gib"), 1073741824.0},
        {QStringLiteral("t"), 1e12}, {QStringLiteral("tb"), 1e12}, {QStringLiteral("ti"), 1099511627776.0}, {QStringLiteral("tib"), 1099511627776.0},
        {QStringLiteral("p"), 1e15}, {QStringLiteral("pb"), 1e15}, {QStringLiteral("pi"), 1125899906842624.0}, {QStringLiteral("pib"), 1125899906842624.0},
    };
    for (const auto &[name, mult] : units)
        if (unit == name)
            return v * mult;
    return std::nullopt;
}

namespace {

enum class Tok {
    End, Ident, String, Number, Duration, Bytes,
    LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma,
    Eq, Neq, Re, Nre, PipeExact, PipeMatch, PipePattern, NotPattern, Pipe,
    Gt, Ge, Lt, Le, CmpEq, Add, Sub, Mul, Div, Mod, Pow
};

struct Token
{
    Tok type = Tok::End;
    QString text; // identifier / unquoted string / number text
    int line = 1;
    int col = 1;
};

QString tokName(const Token &t)
{
    switch (t.type) {
    case Tok::End: return QStringLiteral("$end");
    case Tok::Ident: return QStringLiteral("IDENTIFIER");
    case Tok::String: return QStringLiteral("STRING");
    case Tok::Number: return QStringLiteral("NUMBER");
    case Tok::Duration: return QStringLiteral("DURATION");
    case Tok::Bytes: return QStringLiteral("BYTES");
    case Tok::LBrace: return QStringLiteral("{");
    case Tok::RBrace: return QStringLiteral("}");
    case Tok::LParen: return QStringLiteral("(");
    case Tok::RParen: return QStringLiteral(")");
    case Tok::LBracket: return QStringLiteral("[");
    case Tok::RBracket: return QStringLiteral("]");
    case Tok::Comma: return QStringLiteral(",");
    case Tok::Eq: return QStringLiteral("=");
    case Tok::Neq: return QStringLiteral("!=");
    case Tok::Re: return QStringLiteral("=~");
    case Tok::Nre: return QStringLiteral("!~");
    case Tok::PipeExact: return QStringLiteral("|=");
    case Tok::PipeMatch: return QStringLiteral("|~");
    case Tok::PipePattern: return QStringLiteral("|>");
    case Tok::NotPattern: return QStringLiteral("!>");
    case Tok::Pipe: return QStringLiteral("|");
    case Tok::Gt: return QStringLiteral(">");
    case Tok::Ge: return QStringLiteral(">=");
    case Tok::Lt: return QStringLiteral("<");
    case Tok::Le: return QStringLiteral("<=");
    case Tok::CmpEq: return QStringLiteral("==");
    case Tok::Add: return QStringLiteral("+");
    case Tok::Sub: return QStringLiteral("-");
    case Tok::Mul: return QStringLiteral("*");
    case Tok::Div: return QStringLiteral("/");
    case Tok::Mod: return QStringLiteral("%");
    case Tok::Pow: return QStringLiteral("^");
    }
    return {};
}

const QSet<QString> kRangeFuncs = {
    QStringLiteral("rate"), QStringLiteral("rate_counter"), QStringLiteral("count_over_time"),
    QStringLiteral("bytes_rate"), QStringLiteral("bytes_over_time"), QStringLiteral("absent_over_time"),
    QStringLiteral("sum_over_time"), QStringLiteral("avg_over_time"), QStringLiteral("max_over_time"),
    QStringLiteral("min_over_time"), QStringLiteral("first_over_time"), QStringLiteral("last_over_time"),
    QStringLiteral("stdvar_over_time"), QStringLiteral("stddev_over_time"), QStringLiteral("quantile_over_time")};
const QSet<QString> kUnwrapOnly = {
    QStringLiteral("rate_counter"), QStringLiteral("sum_over_time"), QStringLiteral("avg_over_time"),
    QStringLiteral("max_over_time"), QStringLiteral("min_over_time"), QStringLiteral("first_over_time"),
    QStringLiteral("last_over_time"), QStringLiteral("stdvar_over_time"), QStringLiteral("stddev_over_time"),
    QStringLiteral("quantile_over_time")};
const QSet<QString> kVectorAggs = {
    QStringLiteral("sum"), QStringLiteral("avg"), QStringLiteral("min"), QStringLiteral("max"),
    QStringLiteral("count"), QStringLiteral("stddev"), QStringLiteral("stdvar"), QStringLiteral("topk"),
    QStringLiteral("bottomk"), QStringLiteral("sort"), QStringLiteral("sort_desc")};

struct ParseFailure
{
    int line;
    int col;
    QString message; // after "parse error at line L, col C: "
};

class Lexer
{
public:
    explicit Lexer(const QString &s) : m_s(s) {}

    std::optional<ParseFailure> run(QList<Token> &out)
    {
        for (;;) {
            skipSpace();
            Token t;
            t.line = m_line;
            t.col = m_col;
            if (m_pos >= m_s.size()) {
                out.append(t);
                return std::nullopt;
            }
            const QChar c = m_s[m_pos];
            auto two = [&](QChar second) { return m_pos + 1 < m_s.size() && m_s[m_pos + 1] == second; };
            auto push = [&](Tok type, int len) {
                t.type = type;
                t.text = m_s.mid(m_pos, len);
                advance(len);
                out.append(t);
            };
            if (c == u'"' || c == u'`') {
                auto r = lexString(t);
                if (r)
                    return r;
                out.append(t);
                continue;
            }
            if (c.isDigit() || (c == u'.' && m_pos + 1 < m_s.size() && m_s[m_pos + 1].isDigit())) {
                lexNumber(t);
                out.append(t);
                continue;
            }
            if (c.isLetter() || c == u'_') {
                qsizetype e = m_pos;
                while (e < m_s.size() && (m_s[e].isLetterOrNumber() || m_s[e] == u'_'))
                    ++e;
                push(Tok::Ident, int(e - m_pos));
                continue;
            }
            switch (c.unicode()) {
            case '{': push(Tok::LBrace, 1); continue;
            case '}': push(Tok::RBrace, 1); continue;
            case '(': push(Tok::LParen, 1); continue;
            case ')': push(Tok::RParen, 1); continue;
            case '[': push(Tok::LBracket, 1); continue;
            case ']': push(Tok::RBracket, 1); continue;
            case ',': push(Tok::Comma, 1); continue;
            case '+': push(Tok::Add, 1); continue;
            case '-': push(Tok::Sub, 1); continue;
            case '*': push(Tok::Mul, 1); continue;
            case '/': push(Tok::Div, 1); continue;
            case '%': push(Tok::Mod, 1); continue;
            case '^': push(Tok::Pow, 1); continue;
            case '=':
                if (two(u'~')) push(Tok::Re, 2);
                else if (two(u'=')) push(Tok::CmpEq, 2);
                else push(Tok::Eq, 1);
                continue;
            case '!':
                if (two(u'=')) push(Tok::Neq, 2);
                else if (two(u'~')) push(Tok::Nre, 2);
                else if (two(u'>')) push(Tok::NotPattern, 2);
                else break;
                continue;
            case '|':
                if (two(u'=')) push(Tok::PipeExact, 2);
                else if (two(u'~')) push(Tok::PipeMatch, 2);
                else if (two(u'>')) push(Tok::PipePattern, 2);
                else push(Tok::Pipe, 1);
                continue;
            case '>':
                if (two(u'=')) push(Tok::Ge, 2);
                else push(Tok::Gt, 1);
                continue;
            case '<':
                if (two(u'=')) push(Tok::Le, 2);
                else push(Tok::Lt, 1);
                continue;
            default:
                break;
            }
            return ParseFailure{t.line, t.col,
                                QStringLiteral("syntax error: unexpected character: '%1'").arg(c)};
        }
    }

private:
    void advance(qsizetype n)
    {
        for (qsizetype i = 0; i < n && m_pos < m_s.size(); ++i, ++m_pos) {
            if (m_s[m_pos] == u'\n') {
                ++m_line;
                m_col = 1;
            } else {
                ++m_col;
            }
        }
    }

    void skipSpace()
    {
        while (m_pos < m_s.size()) {
            if (m_s[m_pos].isSpace()) {
                advance(1);
            } else if (m_s[m_pos] == u'#') {
                while (m_pos < m_s.size() && m_s[m_pos] != u'\n')
                    advance(1);
            } else {
                break;
            }
        }
    }

    std::optional<ParseFailure> lexString(Token &t)
    {
        const QChar quote = m_s[m_pos];
        advance(1);
        QString out;
        while (m_pos < m_s.size() && m_s[m_pos] != quote) {
            QChar c = m_s[m_pos];
            if (quote == u'"' && c == u'\\') {
                if (m_pos + 1 >= m_s.size())
                    break;
                const QChar e = m_s[m_pos + 1];
                advance(2);
                switch (e.unicode()) {
                case 'n': out += u'\n'; break;
                case 't': out += u'\t'; break;
                case 'r': out += u'\r'; break;
                case 'a': out += QChar(7); break;
                case 'b': out += QChar(8); break;
                case 'f': out += QChar(12); break;
                case 'v': out += QChar(11); break;
                case '\\': out += u'\\'; break;
                case '"': out += u'"'; break;
                case '\'': out += u'\''; break;
                case 'u':
                case 'U':
                case 'x': {
                    const int len = e == u'u' ? 4 : e == u'U' ? 8 : 2;
                    bool ok = false;
                    const uint code = m_s.mid(m_pos, len).toUInt(&ok, 16);
                    if (!ok)
                        return ParseFailure{m_line, m_col, QStringLiteral("syntax error: invalid escape sequence")};
                    advance(len);
                    if (e == u'x') {
                        // \x is a byte in Go; bytes >= 0x80 are kept as Latin-1 here.
                        out += QChar(code);
                    } else {
                        const char32_t cp = char32_t(code);
                        out += QString::fromUcs4(&cp, 1);
                    }
                    break;
                }
                default:
                    if (e.isDigit()) { // octal \NNN
                        bool ok = false;
                        const uint code = m_s.mid(m_pos - 1, 3).toUInt(&ok, 8);
                        if (!ok)
                            return ParseFailure{m_line, m_col, QStringLiteral("syntax error: invalid escape sequence")};
                        advance(2);
                        out += QChar(code);
                        break;
                    }
                    return ParseFailure{t.line, t.col,
                                        QStringLiteral("syntax error: invalid char escape")};
                }
                continue;
            }
            out += c;
            advance(1);
        }
        if (m_pos >= m_s.size())
            return ParseFailure{t.line, t.col, QStringLiteral("syntax error: unexpected $end, literal not terminated")};
        advance(1);
        t.type = Tok::String;
        t.text = out;
        return std::nullopt;
    }

    void lexNumber(Token &t)
    {
        qsizetype e = m_pos;
        // hex 0x..
        if (m_s.mid(m_pos, 2).compare(QLatin1String("0x"), Qt::CaseInsensitive) == 0) {
            e += 2;
            while (e < m_s.size() && (m_s[e].isDigit() || QStringLiteral("abcdefABCDEF").contains(m_s[e])))
                ++e;
            t.type = Tok::Number;
            t.text = m_s.mid(m_pos, e - m_pos);
            advance(e - m_pos);
            return;
        }
        while (e < m_s.size() && (m_s[e].isDigit() || m_s[e] == u'.'))
            ++e;
        // Exponent: 1e3, 1.5e-3
        if (e < m_s.size() && (m_s[e] == u'e' || m_s[e] == u'E')) {
            qsizetype x = e + 1;
            if (x < m_s.size() && (m_s[x] == u'+' || m_s[x] == u'-'))
                ++x;
            if (x < m_s.size() && m_s[x].isDigit()) {
                while (x < m_s.size() && m_s[x].isDigit())
                    ++x;
                if (x >= m_s.size() || !m_s[x].isLetter()) {
                    t.type = Tok::Number;
                    t.text = m_s.mid(m_pos, x - m_pos);
                    advance(x - m_pos);
                    return;
                }
            }
        }
        // A unit suffix makes it a duration (1h30m, 250ms) or a byte size (5MB, 1KiB).
        qsizetype u = e;
        while (u < m_s.size() && (m_s[u].isLetterOrNumber() || m_s[u] == u'.' || m_s[u] == u'µ'))
            ++u;
        const QString text = m_s.mid(m_pos, u - m_pos);
        t.text = text;
        if (u == e)
            t.type = Tok::Number;
        else if (parseGoDuration(text))
            t.type = Tok::Duration;
        else if (parseHumanBytes(text))
            t.type = Tok::Bytes;
        else
            t.type = Tok::Duration; // rejected with a message where it is used
        advance(u - m_pos);
    }

    const QString &m_s;
    qsizetype m_pos = 0;
    int m_line = 1;
    int m_col = 1;
};

class Parser
{
public:
    explicit Parser(QList<Token> toks) : m_toks(std::move(toks)) {}

    std::optional<ParseFailure> failure;

    ExprPtr parseTop()
    {
        ExprPtr e = parseExpr(0);
        if (!e)
            return nullptr;
        if (peek().type != Tok::End)
            return unexpected();
        return e;
    }

    std::optional<model::LabelMatchers> parseSelectorOnly()
    {
        LogSelector sel;
        if (!parseMatchers(sel.matchers))
            return std::nullopt;
        if (peek().type != Tok::End) {
            unexpected();
            return std::nullopt;
        }
        return sel.matchers;
    }

private:
    const Token &peek(int ahead = 0) const
    {
        const qsizetype i = std::min<qsizetype>(m_pos + ahead, m_toks.size() - 1);
        return m_toks[i];
    }
    Token next()
    {
        Token t = peek();
        if (m_pos < m_toks.size() - 1)
            ++m_pos;
        return t;
    }
    bool isIdent(const QString &word, int ahead = 0) const
    {
        return peek(ahead).type == Tok::Ident && peek(ahead).text == word;
    }

    template <typename T = ExprPtr>
    T failAt(const Token &t, const QString &msg)
    {
        if (!failure)
            failure = ParseFailure{t.line, t.col, msg};
        return T{};
    }
    ExprPtr unexpected(const QString &expecting = {})
    {
        const Token &t = peek();
        QString msg = QStringLiteral("syntax error: unexpected %1").arg(tokName(t));
        if (!expecting.isEmpty())
            msg += QStringLiteral(", expecting ") + expecting;
        return failAt(t, msg);
    }
    bool expect(Tok type, const QString &name)
    {
        if (peek().type != type) {
            unexpected(name);
            return false;
        }
        next();
        return true;
    }

    // ---- binary expressions (PromQL precedence) ----
    static int precedence(const Token &t)
    {
        switch (t.type) {
        case Tok::Pow: return 6;
        case Tok::Mul: case Tok::Div: case Tok::Mod: return 5;
        case Tok::Add: case Tok::Sub: return 4;
        case Tok::CmpEq: case Tok::Neq: case Tok::Gt: case Tok::Ge: case Tok::Lt: case Tok::Le: return 3;
        case Tok::Ident:
            if (t.text == u"and" || t.text == u"unless") return 2;
            if (t.text == u"or") return 1;
            return -1;
        default: return -1;
        }
    }
    static BinOp binOpOf(const Token &t)
    {
        switch (t.type) {
        case Tok::Pow: return BinOp::Pow;
        case Tok::Mul: return BinOp::Mul;
        case Tok::Div: return BinOp::Div;
        case Tok::Mod: return BinOp::Mod;
        case Tok::Add: return BinOp::Add;
        case Tok::Sub: return BinOp::Sub;
        case Tok::CmpEq: return BinOp::Eq;
        case Tok::Neq: return BinOp::Ne;
        case Tok::Gt: return BinOp::Gt;
        case Tok::Ge: return BinOp::Ge;
        case Tok::Lt: return BinOp::Lt;
        case Tok::Le: return BinOp::Le;
        default:
            if (t.text == u"and") return BinOp::And;
            if (t.text == u"unless") return BinOp::Unless;
            return BinOp::Or;
        }
    }

    ExprPtr parseExpr(int minPrec)
    {
        ExprPtr lhs = parseUnary();
        if (!lhs)
            return nullptr;
        for (;;) {
            const Token opTok = peek();
            const int prec = precedence(opTok);
            if (prec < 0 || prec < minPrec)
                return lhs;
            next();
            auto b = std::make_shared<Expr>();
            b->kind = Expr::Kind::Binary;
            b->op = binOpOf(opTok);
            if (isIdent(QStringLiteral("bool"))) {
                next();
                if (prec != 3)
                    return failAt(opTok, QStringLiteral("bool modifier can only be used on comparison operators"));
                b->returnBool = true;
            }
            if (isIdent(QStringLiteral("on")) || isIdent(QStringLiteral("ignoring"))) {
                b->on = next().text == u"on";
                b->hasMatching = true;
                if (!parseLabelList(b->matchingLabels))
                    return nullptr;
                if (isIdent(QStringLiteral("group_left")) || isIdent(QStringLiteral("group_right"))) {
                    b->group = next().text == u"group_left" ? Expr::Group::Left : Expr::Group::Right;
                    if (peek().type == Tok::LParen && !parseLabelList(b->includeLabels))
                        return nullptr;
                }
            }
            // ^ is right associative, the rest left associative.
            ExprPtr rhs = parseExpr(opTok.type == Tok::Pow ? prec : prec + 1);
            if (!rhs)
                return nullptr;
            if (lhs->isLogQuery() || rhs->isLogQuery())
                return failAt(opTok, QStringLiteral("unexpected log query in binary operation: "
                                                    "binary operations need metric queries"));
            b->lhs = lhs;
            b->rhs = rhs;
            lhs = b;
        }
    }

    ExprPtr parseUnary()
    {
        if (peek().type == Tok::Sub || peek().type == Tok::Add) {
            const bool neg = next().type == Tok::Sub;
            ExprPtr e = parseUnary();
            if (!e)
                return nullptr;
            if (e->kind == Expr::Kind::Number) {
                if (neg)
                    e->value = -e->value;
                return e;
            }
            if (!neg)
                return e;
            // -x is 0 - x... Loki only allows it on literals, but keep it useful.
            auto zero = std::make_shared<Expr>();
            zero->kind = Expr::Kind::Number;
            auto b = std::make_shared<Expr>();
            b->kind = Expr::Kind::Binary;
            b->op = BinOp::Mul;
            zero->value = -1;
            b->lhs = e;
            b->rhs = zero;
            return b;
        }
        return parsePrimary();
    }

    ExprPtr parsePrimary()
    {
        const Token t = peek();
        switch (t.type) {
        case Tok::LParen: {
            next();
            ExprPtr e = parseExpr(0);
            if (!e)
                return nullptr;
            if (!expect(Tok::RParen, QStringLiteral(")")))
                return nullptr;
            if (e->isLogQuery())
                return parsePipelineInto(e) ? e : nullptr;
            return e;
        }
        case Tok::LBrace: {
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Logs;
            if (!parseMatchers(e->selector.matchers))
                return nullptr;
            if (!parsePipelineInto(e))
                return nullptr;
            return e;
        }
        case Tok::Number: {
            next();
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Number;
            bool ok = false;
            e->value = t.text.startsWith(QLatin1String("0x"), Qt::CaseInsensitive)
                           ? double(t.text.mid(2).toLongLong(&ok, 16))
                           : t.text.toDouble(&ok);
            if (!ok)
                return failAt(t, QStringLiteral("syntax error: invalid number %1").arg(t.text));
            return e;
        }
        case Tok::Ident:
            if (kRangeFuncs.contains(t.text))
                return parseRangeAgg();
            if (kVectorAggs.contains(t.text))
                return parseVectorAgg();
            if (t.text == u"label_replace")
                return parseLabelReplace();
            if (t.text == u"vector")
                return parseVector();
            if (t.text == u"inf" || t.text == u"Inf" || t.text == u"NaN" || t.text == u"nan") {
                next();
                auto e = std::make_shared<Expr>();
                e->kind = Expr::Kind::Number;
                e->value = t.text.startsWith(u'n') || t.text.startsWith(u'N') ? std::nan("") : INFINITY;
                return e;
            }
            return unexpected();
        default:
            return unexpected();
        }
    }

    bool parseLabelList(QStringList &out)
    {
        if (!expect(Tok::LParen, QStringLiteral("(")))
            return false;
        while (peek().type != Tok::RParen) {
            if (peek().type != Tok::Ident) {
                unexpected(QStringLiteral("IDENTIFIER or )"));
                return false;
            }
            out.append(next().text);
            if (peek().type == Tok::Comma)
                next();
            else if (peek().type != Tok::RParen) {
                unexpected(QStringLiteral(", or )"));
                return false;
            }
        }
        next();
        return true;
    }

    bool parseGrouping(Grouping &g)
    {
        if (!isIdent(QStringLiteral("by")) && !isIdent(QStringLiteral("without")))
            return true;
        g.present = true;
        g.without = next().text == u"without";
        return parseLabelList(g.labels);
    }

    bool parseMatchers(model::LabelMatchers &out)
    {
        const Token open = peek();
        if (!expect(Tok::LBrace, QStringLiteral("{")))
            return false;
        while (peek().type != Tok::RBrace) {
            if (peek().type != Tok::Ident) {
                unexpected(QStringLiteral("IDENTIFIER"));
                return false;
            }
            const Token name = next();
            model::LabelMatcher::Op op;
            switch (peek().type) {
            case Tok::Eq: op = model::LabelMatcher::Op::Equal; break;
            case Tok::Neq: op = model::LabelMatcher::Op::NotEqual; break;
            case Tok::Re: op = model::LabelMatcher::Op::RegexMatch; break;
            case Tok::Nre: op = model::LabelMatcher::Op::RegexNoMatch; break;
            default:
                unexpected(QStringLiteral("=, !=, =~ or !~"));
                return false;
            }
            next();
            if (peek().type != Tok::String) {
                unexpected(QStringLiteral("STRING"));
                return false;
            }
            const Token value = next();
            auto m = model::LabelMatcher::create(op, name.text, value.text);
            if (!m) {
                failAt<bool>(value, m.error().message);
                return false;
            }
            out.append(*m);
            if (peek().type == Tok::Comma)
                next();
            else if (peek().type != Tok::RBrace) {
                unexpected(QStringLiteral("} or ,"));
                return false;
            }
        }
        next();
        bool ok = false;
        for (const auto &m : out)
            ok = ok || !m.matchesEmpty();
        if (!ok) {
            // Loki's exact text for `{}` and `{a=~".*"}`.
            failAt<bool>(open, QStringLiteral("queries require at least one regexp or equality matcher that does "
                                              "not have an empty-compatible value. For instance, app=~\".*\" does "
                                              "not meet this requirement, but app=~\".+\" will"));
            return false;
        }
        return true;
    }

    // Stages after a selector, up to anything that is not a pipeline stage.
    // With `unwrap` allowed, stops after the unwrap and its post-filters.
    bool parsePipelineInto(const ExprPtr &e, std::optional<Unwrap> *unwrap = nullptr)
    {
        auto &pipe = e->selector.pipeline;
        for (;;) {
            const Token t = peek();
            if (t.type == Tok::PipeExact || t.type == Tok::Neq || t.type == Tok::PipeMatch
                || t.type == Tok::Nre || t.type == Tok::PipePattern || t.type == Tok::NotPattern) {
                if (unwrap && *unwrap)
                    return unexpected(), false;
                next();
                Stage s;
                s.kind = Stage::Kind::LineFilter;
                s.lineFilter.op = t.type == Tok::PipeExact ? LineFilter::Op::Contains
                                  : t.type == Tok::Neq     ? LineFilter::Op::NotContains
                                  : t.type == Tok::PipeMatch ? LineFilter::Op::Regex
                                  : t.type == Tok::Nre     ? LineFilter::Op::NotRegex
                                  : t.type == Tok::PipePattern ? LineFilter::Op::Pattern
                                                               : LineFilter::Op::NotPattern;
                for (;;) {
                    LineFilter::Term term;
                    const Token v = peek();
                    if (v.type == Tok::String) {
                        term.value = next().text;
                    } else if (v.type == Tok::Ident && v.text == u"ip" && peek(1).type == Tok::LParen) {
                        if (s.lineFilter.op != LineFilter::Op::Contains && s.lineFilter.op != LineFilter::Op::NotContains)
                            return failAt<bool>(v, QStringLiteral("ip() is only allowed with |= and !=")), false;
                        next();
                        next();
                        if (peek().type != Tok::String)
                            return unexpected(QStringLiteral("STRING")), false;
                        term.value = next().text;
                        term.isIp = true;
                        if (!expect(Tok::RParen, QStringLiteral(")")))
                            return false;
                    } else {
                        return unexpected(QStringLiteral("STRING")), false;
                    }
                    if (s.lineFilter.op == LineFilter::Op::Regex || s.lineFilter.op == LineFilter::Op::NotRegex) {
                        RE2 re(term.value.toStdString(), RE2::Quiet);
                        if (!re.ok())
                            return failAt<bool>(v, QStringLiteral("invalid regex %1: %2")
                                                       .arg(term.value, QString::fromStdString(re.error()))),
                                   false;
                    }
                    if ((s.lineFilter.op == LineFilter::Op::Pattern || s.lineFilter.op == LineFilter::Op::NotPattern)
                        && term.value.isEmpty())
                        return failAt<bool>(v, QStringLiteral("syntax error: pattern filter cannot be empty")), false;
                    s.lineFilter.terms.append(term);
                    if (isIdent(QStringLiteral("or")) && (peek(1).type == Tok::String || (peek(1).type == Tok::Ident && peek(1).text == u"ip"))) {
                        next();
                        continue;
                    }
                    break;
                }
                pipe.append(s);
                continue;
            }
            if (t.type != Tok::Pipe)
                return true;
            next();
            const Token kw = peek();
            if (kw.type != Tok::Ident) {
                // `| (a="b" or c="d")` label filter in parentheses
                if (kw.type == Tok::LParen) {
                    auto f = parseLabelFilterOr();
                    if (!f)
                        return false;
                    addLabelFilter(pipe, unwrap, f);
                    continue;
                }
                return unexpected(QStringLiteral("IDENTIFIER")), false;
            }
            const QString w = kw.text;
            const bool isKeywordStage = peek(1).type != Tok::Eq && peek(1).type != Tok::Neq
                                        && peek(1).type != Tok::Re && peek(1).type != Tok::Nre
                                        && peek(1).type != Tok::Gt && peek(1).type != Tok::Ge
                                        && peek(1).type != Tok::Lt && peek(1).type != Tok::Le
                                        && peek(1).type != Tok::CmpEq;
            if (isKeywordStage && w == u"unwrap") {
                if (!unwrap)
                    return failAt<bool>(kw, QStringLiteral("syntax error: unexpected unwrap, only allowed in "
                                                           "range aggregations of metric queries")),
                           false;
                if (*unwrap)
                    return failAt<bool>(kw, QStringLiteral("syntax error: unexpected unwrap, already unwrapped")), false;
                next();
                Unwrap u;
                if ((isIdent(QStringLiteral("duration")) || isIdent(QStringLiteral("duration_seconds"))
                     || isIdent(QStringLiteral("bytes")))
                    && peek(1).type == Tok::LParen) {
                    const QString conv = next().text;
                    u.conversion = conv == u"bytes" ? Unwrap::Conversion::Bytes
                                   : conv == u"duration" ? Unwrap::Conversion::Duration
                                                         : Unwrap::Conversion::DurationSeconds;
                    next();
                    if (peek().type != Tok::Ident)
                        return unexpected(QStringLiteral("IDENTIFIER")), false;
                    u.label = next().text;
                    if (!expect(Tok::RParen, QStringLiteral(")")))
                        return false;
                } else {
                    if (peek().type != Tok::Ident)
                        return unexpected(QStringLiteral("IDENTIFIER")), false;
                    u.label = next().text;
                }
                *unwrap = u;
                continue;
            }
            if (isKeywordStage && unwrap && *unwrap)
                return failAt<bool>(kw, QStringLiteral("syntax error: unexpected %1, only label filters are "
                                                       "allowed after unwrap").arg(w)),
                       false;
            if (isKeywordStage && (w == u"json" || w == u"logfmt")) {
                next();
                Stage s;
                s.kind = w == u"json" ? Stage::Kind::Json : Stage::Kind::Logfmt;
                while (s.kind == Stage::Kind::Logfmt && peek().type == Tok::Sub && peek(1).type == Tok::Sub
                       && peek(2).type == Tok::Ident) {
                    next();
                    next();
                    const Token flag = next();
                    if (flag.text == u"strict")
                        s.strict = true;
                    else if (flag.text == u"keep-empty" || flag.text == u"keep")
                        s.keepEmpty = true;
                    else
                        return failAt<bool>(flag, QStringLiteral("syntax error: unexpected logfmt flag --%1").arg(flag.text)), false;
                    // `--keep-empty` lexes as keep - empty
                    if (flag.text == u"keep") {
                        if (peek().type != Tok::Sub || !isIdent(QStringLiteral("empty"), 1))
                            return unexpected(QStringLiteral("-empty")), false;
                        next();
                        next();
                    }
                }
                // Extractions: `a`, `a="expr"`, comma separated.
                while (peek().type == Tok::Ident
                       && (peek(1).type == Tok::Eq || peek(1).type == Tok::Comma || peek(1).type == Tok::Pipe
                           || peek(1).type == Tok::End || peek(1).type == Tok::RParen
                           || peek(1).type == Tok::LBracket || peek(1).type == Tok::PipeExact
                           || peek(1).type == Tok::PipeMatch || peek(1).type == Tok::Neq
                           || peek(1).type == Tok::Nre || peek(1).type == Tok::PipePattern)) {
                    Extraction x;
                    x.label = next().text;
                    if (peek().type == Tok::Eq) {
                        next();
                        if (peek().type != Tok::String)
                            return unexpected(QStringLiteral("STRING")), false;
                        x.expression = next().text;
                    } else {
                        x.expression = x.label;
                    }
                    s.extractions.append(x);
                    if (peek().type == Tok::Comma)
                        next();
                    else
                        break;
                }
                pipe.append(s);
                continue;
            }
            if (isKeywordStage && (w == u"regexp" || w == u"pattern")) {
                next();
                if (peek().type != Tok::String)
                    return unexpected(QStringLiteral("STRING")), false;
                const Token arg = next();
                Stage s;
                s.kind = w == u"regexp" ? Stage::Kind::Regexp : Stage::Kind::Pattern;
                s.text = arg.text;
                if (s.kind == Stage::Kind::Regexp) {
                    RE2 re(arg.text.toStdString(), RE2::Quiet);
                    if (!re.ok())
                        return failAt<bool>(arg, QStringLiteral("invalid regex %1: %2").arg(arg.text, QString::fromStdString(re.error()))), false;
                    if (re.NamedCapturingGroups().empty())
                        return failAt<bool>(arg, QStringLiteral("at least one named capture must be supplied")), false;
                } else {
                    static const QRegularExpression cap(QStringLiteral("<([A-Za-z_][A-Za-z0-9_]*)>"));
                    bool named = false;
                    for (auto it = cap.globalMatch(arg.text); it.hasNext();)
                        if (it.next().captured(1) != u"_")
                            named = true;
                    if (!named)
                        return failAt<bool>(arg, QStringLiteral("at least one capture is required")), false;
                }
                pipe.append(s);
                continue;
            }
            if (isKeywordStage && (w == u"unpack" || w == u"decolorize")) {
                next();
                Stage s;
                s.kind = w == u"unpack" ? Stage::Kind::Unpack : Stage::Kind::Decolorize;
                pipe.append(s);
                continue;
            }
            if (isKeywordStage && w == u"line_format") {
                next();
                if (peek().type != Tok::String)
                    return unexpected(QStringLiteral("STRING")), false;
                Stage s;
                s.kind = Stage::Kind::LineFormat;
                s.text = next().text;
                pipe.append(s);
                continue;
            }
            if (w == u"label_format" && peek(1).type == Tok::Ident) {
                next();
                Stage s;
                s.kind = Stage::Kind::LabelFormat;
                QSet<QString> seen;
                for (;;) {
                    if (peek().type != Tok::Ident)
                        return unexpected(QStringLiteral("IDENTIFIER")), false;
                    const Token dst = next();
                    if (!expect(Tok::Eq, QStringLiteral("=")))
                        return false;
                    LabelFormatItem item;
                    item.dst = dst.text;
                    if (peek().type == Tok::Ident) {
                        item.isRename = true;
                        item.src = next().text;
                    } else if (peek().type == Tok::String) {
                        item.templ = next().text;
                    } else {
                        return unexpected(QStringLiteral("IDENTIFIER or STRING")), false;
                    }
                    if (seen.contains(item.dst))
                        return failAt<bool>(dst, QStringLiteral("multiple label name '%1' not allowed in a single format operation").arg(item.dst)), false;
                    seen.insert(item.dst);
                    s.labelFormats.append(item);
                    if (peek().type == Tok::Comma)
                        next();
                    else
                        break;
                }
                pipe.append(s);
                continue;
            }
            if ((w == u"drop" || w == u"keep") && peek(1).type == Tok::Ident) {
                next();
                Stage s;
                s.kind = w == u"drop" ? Stage::Kind::Drop : Stage::Kind::Keep;
                for (;;) {
                    if (peek().type != Tok::Ident)
                        return unexpected(QStringLiteral("IDENTIFIER")), false;
                    DropKeepItem item;
                    item.name = next().text;
                    const Tok op = peek().type;
                    if (op == Tok::Eq || op == Tok::Neq || op == Tok::Re || op == Tok::Nre) {
                        next();
                        if (peek().type != Tok::String)
                            return unexpected(QStringLiteral("STRING")), false;
                        const Token v = next();
                        auto m = model::LabelMatcher::create(
                            op == Tok::Eq ? model::LabelMatcher::Op::Equal
                            : op == Tok::Neq ? model::LabelMatcher::Op::NotEqual
                            : op == Tok::Re ? model::LabelMatcher::Op::RegexMatch
                                            : model::LabelMatcher::Op::RegexNoMatch,
                            item.name, v.text);
                        if (!m)
                            return failAt<bool>(v, m.error().message), false;
                        item.matcher = *m;
                    }
                    s.dropKeep.append(item);
                    if (peek().type == Tok::Comma)
                        next();
                    else
                        break;
                }
                pipe.append(s);
                continue;
            }
            // Otherwise a label filter expression.
            auto f = parseLabelFilterOr();
            if (!f)
                return false;
            addLabelFilter(pipe, unwrap, f);
        }
    }

    static void addLabelFilter(QList<Stage> &pipe, std::optional<Unwrap> *unwrap, const LabelFilterPtr &f)
    {
        if (unwrap && *unwrap) {
            (*unwrap)->postFilters.append(f);
            return;
        }
        Stage s;
        s.kind = Stage::Kind::LabelFilter;
        s.labelFilter = f;
        pipe.append(s);
    }

    // or < and (`and`, `,`, juxtaposition) < primary, as Loki's grammar.
    LabelFilterPtr parseLabelFilterOr()
    {
        auto l = parseLabelFilterAnd();
        while (l && isIdent(QStringLiteral("or"))) {
            next();
            auto r = parseLabelFilterAnd();
            if (!r)
                return nullptr;
            auto n = std::make_shared<LabelFilter>();
            n->kind = LabelFilter::Kind::Or;
            n->left = l;
            n->right = r;
            l = n;
        }
        return l;
    }

    LabelFilterPtr parseLabelFilterAnd()
    {
        auto l = parseLabelFilterPrimary();
        for (;;) {
            if (!l)
                return nullptr;
            if (isIdent(QStringLiteral("and")) || peek().type == Tok::Comma) {
                next();
            } else if (!(peek().type == Tok::LParen
                         || (peek().type == Tok::Ident && !isIdent(QStringLiteral("or"))
                             && peek(1).type != Tok::LParen && isComparison(peek(1).type)))) {
                return l;
            }
            auto r = parseLabelFilterPrimary();
            if (!r)
                return nullptr;
            auto n = std::make_shared<LabelFilter>();
            n->kind = LabelFilter::Kind::And;
            n->left = l;
            n->right = r;
            l = n;
        }
    }

    static bool isComparison(Tok t)
    {
        switch (t) {
        case Tok::Eq: case Tok::Neq: case Tok::Re: case Tok::Nre: case Tok::Gt: case Tok::Ge:
        case Tok::Lt: case Tok::Le: case Tok::CmpEq:
            return true;
        default:
            return false;
        }
    }

    LabelFilterPtr parseLabelFilterPrimary()
    {
        if (peek().type == Tok::LParen) {
            next();
            auto f = parseLabelFilterOr();
            if (!f)
                return nullptr;
            if (!expect(Tok::RParen, QStringLiteral(")")))
                return nullptr;
            return f;
        }
        if (peek().type != Tok::Ident) {
            unexpected(QStringLiteral("IDENTIFIER"));
            return nullptr;
        }
        const Token name = next();
        const Token op = peek();
        if (!isComparison(op.type)) {
            unexpected(QStringLiteral("comparison operator"));
            return nullptr;
        }
        next();
        auto f = std::make_shared<LabelFilter>();
        f->name = name.text;
        const Token v = peek();
        f->text = name.text + tokName(op) + v.text;
        if (v.type == Tok::String) {
            next();
            model::LabelMatcher::Op mop;
            switch (op.type) {
            case Tok::Eq: case Tok::CmpEq: mop = model::LabelMatcher::Op::Equal; break;
            case Tok::Neq: mop = model::LabelMatcher::Op::NotEqual; break;
            case Tok::Re: mop = model::LabelMatcher::Op::RegexMatch; break;
            case Tok::Nre: mop = model::LabelMatcher::Op::RegexNoMatch; break;
            default:
                failAt<bool>(op, QStringLiteral("syntax error: unexpected STRING, expecting NUMBER, DURATION or BYTES"));
                return nullptr;
            }
            auto m = model::LabelMatcher::create(mop, name.text, v.text);
            if (!m) {
                failAt<bool>(v, m.error().message);
                return nullptr;
            }
            f->kind = LabelFilter::Kind::String;
            f->matcher = *m;
            return f;
        }
        if (v.type == Tok::Ident && v.text == u"ip" && peek(1).type == Tok::LParen) {
            if (op.type != Tok::Eq && op.type != Tok::Neq) {
                failAt<bool>(op, QStringLiteral("syntax error: ip() only supports = and !="));
                return nullptr;
            }
            next();
            next();
            if (peek().type != Tok::String) {
                unexpected(QStringLiteral("STRING"));
                return nullptr;
            }
            f->ipPattern = next().text;
            if (!expect(Tok::RParen, QStringLiteral(")")))
                return nullptr;
            f->kind = LabelFilter::Kind::Ip;
            f->op = op.type == Tok::Eq ? CmpOp::Eq : CmpOp::Ne;
            return f;
        }
        if (op.type == Tok::Re || op.type == Tok::Nre) {
            unexpected(QStringLiteral("STRING"));
            return nullptr;
        }
        f->op = op.type == Tok::Eq || op.type == Tok::CmpEq ? CmpOp::Eq
                : op.type == Tok::Neq ? CmpOp::Ne
                : op.type == Tok::Gt ? CmpOp::Gt
                : op.type == Tok::Ge ? CmpOp::Ge
                : op.type == Tok::Lt ? CmpOp::Lt
                                     : CmpOp::Le;
        bool neg = false;
        if (peek().type == Tok::Sub) {
            next();
            neg = true;
        }
        const Token num = next();
        if (num.type == Tok::Number) {
            f->kind = LabelFilter::Kind::Number;
            bool ok = false;
            f->number = num.text.toDouble(&ok);
        } else if (num.type == Tok::Duration) {
            auto d = parseGoDuration(num.text);
            if (!d) {
                failAt<bool>(num, QStringLiteral("syntax error: invalid duration %1").arg(num.text));
                return nullptr;
            }
            f->kind = LabelFilter::Kind::Duration;
            f->number = *d;
        } else if (num.type == Tok::Bytes) {
            f->kind = LabelFilter::Kind::Bytes;
            f->number = *parseHumanBytes(num.text);
        } else {
            m_pos--;
            unexpected(QStringLiteral("NUMBER, DURATION, BYTES or STRING"));
            return nullptr;
        }
        if (neg)
            f->number = -f->number;
        return f;
    }

    // `[5m]`
    bool parseRange(std::int64_t &rangeNs)
    {
        next(); // [
        const Token d = peek();
        if (d.type != Tok::Duration && d.type != Tok::Number) {
            unexpected(QStringLiteral("DURATION"));
            return false;
        }
        next();
        auto secs = parseGoDuration(d.text);
        if (!secs || *secs <= 0) {
            failAt<bool>(d, QStringLiteral("syntax error: invalid range duration %1").arg(d.text));
            return false;
        }
        rangeNs = std::int64_t(std::llround(*secs * 1e9));
        return expect(Tok::RBracket, QStringLiteral("]"));
    }

    // log range: {sel} pipeline [range] | {sel}[range] pipeline, optional offset,
    // possibly in parentheses.
    bool parseLogRange(const ExprPtr &e)
    {
        int parens = 0;
        while (peek().type == Tok::LParen) {
            next();
            ++parens;
        }
        if (peek().type != Tok::LBrace) {
            unexpected(QStringLiteral("{"));
            return false;
        }
        if (!parseMatchers(e->selector.matchers))
            return false;
        if (peek().type == Tok::LBracket && !parseRange(e->rangeNs))
            return false;
        if (!parsePipelineInto(e, &e->unwrap))
            return false;
        while (parens > 0 && peek().type == Tok::RParen && e->rangeNs == 0) {
            next();
            --parens;
        }
        if (peek().type == Tok::LBracket) {
            if (e->rangeNs != 0) {
                unexpected();
                return false;
            }
            if (!parseRange(e->rangeNs))
                return false;
        }
        if (e->rangeNs == 0) {
            unexpected(QStringLiteral("["));
            return false;
        }
        if (isIdent(QStringLiteral("offset"))) {
            next();
            const Token d = next();
            auto secs = d.type == Tok::Duration ? parseGoDuration(d.text) : std::nullopt;
            if (!secs) {
                m_pos--;
                unexpected(QStringLiteral("DURATION"));
                return false;
            }
            e->offsetNs = std::int64_t(std::llround(*secs * 1e9));
        }
        while (parens > 0) {
            if (!expect(Tok::RParen, QStringLiteral(")")))
                return false;
            --parens;
        }
        return true;
    }

    ExprPtr parseRangeAgg()
    {
        const Token fn = next();
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::RangeAgg;
        e->func = fn.text;
        if (!expect(Tok::LParen, QStringLiteral("(")))
            return nullptr;
        if (fn.text == u"quantile_over_time") {
            const Token p = peek();
            if (p.type != Tok::Number)
                return unexpected(QStringLiteral("NUMBER"));
            next();
            e->param = p.text.toDouble();
            if (!expect(Tok::Comma, QStringLiteral(",")))
                return nullptr;
        }
        if (!parseLogRange(e))
            return nullptr;
        if (!expect(Tok::RParen, QStringLiteral(")")))
            return nullptr;
        if (!parseGrouping(e->grouping))
            return nullptr;
        if (kUnwrapOnly.contains(e->func) && !e->unwrap)
            return failAt(fn, QStringLiteral("invalid aggregation %1 without unwrap").arg(e->func));
        if (e->unwrap && !kUnwrapOnly.contains(e->func) && e->func != u"rate")
            return failAt(fn, QStringLiteral("invalid aggregation %1 with unwrap").arg(e->func));
        if (e->grouping.present && !e->unwrap)
            return failAt(fn, QStringLiteral("grouping not allowed for %1 aggregation").arg(e->func));
        return e;
    }

    ExprPtr parseVectorAgg()
    {
        const Token fn = next();
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::VectorAgg;
        e->func = fn.text;
        if (!parseGrouping(e->grouping))
            return nullptr;
        if (!expect(Tok::LParen, QStringLiteral("(")))
            return nullptr;
        if (fn.text == u"topk" || fn.text == u"bottomk") {
            const Token p = peek();
            if (p.type != Tok::Number)
                return unexpected(QStringLiteral("NUMBER"));
            next();
            e->param = p.text.toDouble();
            if (*e->param < 1 || *e->param != std::floor(*e->param))
                return failAt(p, QStringLiteral("invalid parameter %1(%2,): must be a positive integer").arg(fn.text, p.text));
            if (!expect(Tok::Comma, QStringLiteral(",")))
                return nullptr;
        }
        e->inner = parseExpr(0);
        if (!e->inner)
            return nullptr;
        if (e->inner->isLogQuery())
            return failAt(fn, QStringLiteral("syntax error: unexpected log query in %1: vector aggregations "
                                             "need a metric query").arg(fn.text));
        if (!expect(Tok::RParen, QStringLiteral(")")))
            return nullptr;
        if (!e->grouping.present && !parseGrouping(e->grouping))
            return nullptr;
        if ((fn.text == u"sort" || fn.text == u"sort_desc") && e->grouping.present)
            return failAt(fn, QStringLiteral("grouping not allowed for %1 aggregation").arg(fn.text));
        return e;
    }

    ExprPtr parseLabelReplace()
    {
        next();
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::LabelReplace;
        if (!expect(Tok::LParen, QStringLiteral("(")))
            return nullptr;
        e->inner = parseExpr(0);
        if (!e->inner)
            return nullptr;
        QString *args[] = {&e->dst, &e->replacement, &e->src, &e->regex};
        for (QString *a : args) {
            if (!expect(Tok::Comma, QStringLiteral(",")))
                return nullptr;
            if (peek().type != Tok::String)
                return unexpected(QStringLiteral("STRING"));
            *a = next().text;
        }
        if (!expect(Tok::RParen, QStringLiteral(")")))
            return nullptr;
        RE2 re(e->regex.toStdString(), RE2::Quiet);
        if (!re.ok())
            return failAt(peek(), QStringLiteral("invalid regex in label_replace: %1").arg(QString::fromStdString(re.error())));
        return e;
    }

    ExprPtr parseVector()
    {
        next();
        if (!expect(Tok::LParen, QStringLiteral("(")))
            return nullptr;
        bool neg = false;
        if (peek().type == Tok::Sub) {
            next();
            neg = true;
        }
        const Token v = peek();
        if (v.type != Tok::Number)
            return unexpected(QStringLiteral("NUMBER"));
        next();
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::Vector;
        e->value = neg ? -v.text.toDouble() : v.text.toDouble();
        if (!expect(Tok::RParen, QStringLiteral(")")))
            return nullptr;
        return e;
    }

    QList<Token> m_toks;
    qsizetype m_pos = 0;
};

Error toError(const QString &query, const ParseFailure &f)
{
    Error e = Error::at(query, f.line, f.col,
                        QStringLiteral("parse error at line %1, col %2: %3").arg(f.line).arg(f.col).arg(f.message));
    e.kind = Error::Kind::Invalid;
    return e;
}

} // namespace

Result<ExprPtr> LogqlParser::parse(const QString &query)
{
    QList<Token> toks;
    Lexer lex(query);
    if (auto f = lex.run(toks))
        return fail(toError(query, *f));
    Parser p(std::move(toks));
    ExprPtr e = p.parseTop();
    if (!e || p.failure)
        return fail(toError(query, p.failure.value_or(ParseFailure{1, 1, QStringLiteral("syntax error")})));
    return e;
}

Result<model::LabelMatchers> LogqlParser::parseSelector(const QString &selector)
{
    QList<Token> toks;
    Lexer lex(selector);
    if (auto f = lex.run(toks))
        return fail(toError(selector, *f));
    Parser p(std::move(toks));
    auto m = p.parseSelectorOnly();
    if (!m || p.failure)
        return fail(toError(selector, p.failure.value_or(ParseFailure{1, 1, QStringLiteral("syntax error")})));
    return *m;
}

} // namespace spyglass::query::logql
