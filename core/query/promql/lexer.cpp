#include "core/query/promql/lexer.h"

#include <cmath>

namespace spyglass::query::promql {

Error parseError(const QString &input, int pos, const QString &msg)
{
    int line = 1;
    int lastBreak = -1;
    for (int i = 0; i < pos && i < input.size(); ++i) {
        if (input[i] == u'\n') {
            lastBreak = i;
            ++line;
        }
    }
    Error e = Error::at(QString(), line, pos - lastBreak, QStringLiteral("parse error: ") + msg);
    return e;
}

static bool isKeyword(const QString &lower)
{
    static const QStringList kw = {
        QStringLiteral("and"), QStringLiteral("or"), QStringLiteral("unless"),
        QStringLiteral("atan2"), QStringLiteral("by"), QStringLiteral("without"),
        QStringLiteral("on"), QStringLiteral("ignoring"), QStringLiteral("group_left"),
        QStringLiteral("group_right"), QStringLiteral("bool"), QStringLiteral("offset"),
        QStringLiteral("start"), QStringLiteral("end")};
    return kw.contains(lower);
}

static bool isAggregator(const QString &lower)
{
    static const QStringList ag = {
        QStringLiteral("sum"), QStringLiteral("avg"), QStringLiteral("count"),
        QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("group"),
        QStringLiteral("stddev"), QStringLiteral("stdvar"), QStringLiteral("topk"),
        QStringLiteral("bottomk"), QStringLiteral("count_values"), QStringLiteral("quantile"),
        QStringLiteral("limitk"), QStringLiteral("limit_ratio")};
    return ag.contains(lower);
}

static QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (QChar c : s) {
        if (c == u'"' || c == u'\\')
            out += QLatin1Char('\\');
        out += c;
    }
    return out + QLatin1Char('"');
}

QString Token::describe() const
{
    switch (type) {
    case TokenType::Eof: return QStringLiteral("end of input");
    case TokenType::Identifier: {
        const QString lower = text.toLower();
        if (isKeyword(lower))
            return QLatin1Char('<') + text + QLatin1Char('>');
        if (isAggregator(lower))
            return QStringLiteral("<aggr:") + text + QLatin1Char('>');
        return (hasColon ? QStringLiteral("metric identifier ") : QStringLiteral("identifier ")) +
               goQuote(text);
    }
    case TokenType::Number: return QStringLiteral("number ") + goQuote(text);
    case TokenType::Duration: return QStringLiteral("duration ") + goQuote(text);
    case TokenType::String: return QStringLiteral("string ") + goQuote(text);
    case TokenType::Add: case TokenType::Sub: case TokenType::Mul: case TokenType::Div:
    case TokenType::Mod: case TokenType::Pow: case TokenType::Eql: case TokenType::Neq:
    case TokenType::Lte: case TokenType::Lss: case TokenType::Gte: case TokenType::Gtr:
    case TokenType::RegexMatch: case TokenType::RegexNoMatch:
        return QStringLiteral("<op:") + text + QLatin1Char('>');
    default: return goQuote(text);
    }
}

namespace {

bool isAlpha(QChar c) { return c == u'_' || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z'); }
bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }
bool isAlnum(QChar c) { return isAlpha(c) || isDigit(c); }

std::int64_t unitMs(QStringView u)
{
    if (u == u"ms") return 1;
    if (u == u"s") return 1000;
    if (u == u"m") return 60'000;
    if (u == u"h") return 3'600'000;
    if (u == u"d") return 86'400'000;
    if (u == u"w") return 7 * 86'400'000LL;
    if (u == u"y") return 365 * 86'400'000LL;
    return 0;
}

class LexerImpl
{
public:
    explicit LexerImpl(const QString &in) : m_in(in) {}

    Result<QList<Token>> run()
    {
        QList<Token> out;
        for (;;) {
            skipSpace();
            if (m_pos >= m_in.size()) {
                if (m_braceOpen)
                    return fail(parseError(m_in, m_pos, QStringLiteral("unexpected end of input inside braces")));
                if (m_bracketOpen)
                    return fail(parseError(m_in, m_pos, QStringLiteral("unclosed left bracket")));
                if (m_parenDepth > 0)
                    return fail(parseError(m_in, m_pos, QStringLiteral("unclosed left parenthesis")));
                Token t;
                t.type = TokenType::Eof;
                t.pos = t.end = int(m_in.size());
                out.push_back(t);
                return out;
            }
            auto t = next();
            if (!t)
                return fail(t.error());
            out.push_back(*t);
        }
    }

private:
    void skipSpace()
    {
        while (m_pos < m_in.size()) {
            const QChar c = m_in[m_pos];
            if (c == u'#') {
                while (m_pos < m_in.size() && m_in[m_pos] != u'\n')
                    ++m_pos;
            } else if (c.isSpace()) {
                ++m_pos;
            } else {
                break;
            }
        }
    }

    QChar peek(int k = 0) const { return m_pos + k < m_in.size() ? m_in[m_pos + k] : QChar(); }

    Token make(TokenType type, int start)
    {
        Token t;
        t.type = type;
        t.pos = start;
        t.end = m_pos;
        t.text = m_in.mid(start, m_pos - start);
        return t;
    }

    Result<Token> next()
    {
        const int start = m_pos;
        const QChar c = m_in[m_pos];
        auto one = [&](TokenType ty, int n = 1) {
            m_pos += n;
            return make(ty, start);
        };
        if (c == u'"' || c == u'\'' || c == u'`')
            return lexString();
        if (isDigit(c) || (c == u'.' && isDigit(peek(1))))
            return lexNumberOrDuration();
        if (isAlpha(c) || (c == u':' && !m_bracketOpen && !m_braceOpen))
            return lexIdentifier();
        switch (c.unicode()) {
        case '(':
            ++m_parenDepth;
            return one(TokenType::LeftParen);
        case ')':
            if (m_parenDepth == 0)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected right parenthesis ')'")));
            --m_parenDepth;
            return one(TokenType::RightParen);
        case '{':
            if (m_braceOpen)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected left brace '{'")));
            m_braceOpen = true;
            return one(TokenType::LeftBrace);
        case '}':
            if (!m_braceOpen)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected right brace '}'")));
            m_braceOpen = false;
            return one(TokenType::RightBrace);
        case '[':
            if (m_bracketOpen)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected left bracket '['")));
            m_bracketOpen = true;
            return one(TokenType::LeftBracket);
        case ']':
            if (!m_bracketOpen)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected right bracket ']'")));
            m_bracketOpen = false;
            return one(TokenType::RightBracket);
        case ',': return one(TokenType::Comma);
        case ':':
            if (!m_bracketOpen)
                return fail(parseError(m_in, m_pos, QStringLiteral("unexpected colon ':'")));
            return one(TokenType::Colon);
        case '@': return one(TokenType::At);
        case '+': return one(TokenType::Add);
        case '-': return one(TokenType::Sub);
        case '*': return one(TokenType::Mul);
        case '/': return one(TokenType::Div);
        case '%': return one(TokenType::Mod);
        case '^': return one(TokenType::Pow);
        case '=':
            if (peek(1) == u'=')
                return one(TokenType::Eql, 2);
            if (peek(1) == u'~')
                return one(TokenType::RegexMatch, 2);
            return one(TokenType::Assign);
        case '!':
            if (peek(1) == u'=')
                return one(TokenType::Neq, 2);
            if (peek(1) == u'~')
                return one(TokenType::RegexNoMatch, 2);
            return fail(parseError(m_in, m_pos, QStringLiteral("unexpected character after '!': '%1'").arg(peek(1))));
        case '<':
            if (peek(1) == u'=')
                return one(TokenType::Lte, 2);
            return one(TokenType::Lss);
        case '>':
            if (peek(1) == u'=')
                return one(TokenType::Gte, 2);
            return one(TokenType::Gtr);
        default: break;
        }
        return fail(parseError(m_in, m_pos, QStringLiteral("unexpected character: '%1'").arg(c)));
    }

    Result<Token> lexIdentifier()
    {
        const int start = m_pos;
        bool colon = false;
        while (m_pos < m_in.size() && (isAlnum(m_in[m_pos]) || m_in[m_pos] == u':')) {
            if (m_in[m_pos] == u':') {
                if (m_bracketOpen || m_braceOpen)
                    break;
                colon = true;
            }
            ++m_pos;
        }
        Token t = make(TokenType::Identifier, start);
        t.hasColon = colon;
        const QString lower = t.text.toLower();
        if (!m_braceOpen && (lower == u"inf" || lower == u"nan")) {
            t.type = TokenType::Number;
            t.number = lower == u"inf" ? INFINITY : std::nan("");
        }
        return t;
    }

    Result<Token> lexNumberOrDuration()
    {
        const int start = m_pos;
        bool hex = false;
        bool plainInt = true;
        if (peek() == u'0' && (peek(1) == u'x' || peek(1) == u'X')) {
            hex = true;
            m_pos += 2;
            while (m_pos < m_in.size() && (isDigit(peek()) || (peek().toLower() >= u'a' && peek().toLower() <= u'f')))
                ++m_pos;
        } else {
            while (isDigit(peek()) || peek() == u'_')
                ++m_pos;
            if (peek() == u'.') {
                plainInt = false;
                ++m_pos;
                while (isDigit(peek()))
                    ++m_pos;
            }
            if ((peek() == u'e' || peek() == u'E') &&
                (isDigit(peek(1)) || ((peek(1) == u'+' || peek(1) == u'-') && isDigit(peek(2))))) {
                plainInt = false;
                m_pos += 2;
                while (isDigit(peek()))
                    ++m_pos;
            }
        }
        if (!hex && isAlpha(peek())) {
            // A duration: <int><unit>(<int><unit>)*, units largest first.
            m_pos = start;
            std::int64_t total = 0;
            int lastUnit = -1;
            static const QStringView order[] = {u"y", u"w", u"d", u"h", u"m", u"s", u"ms"};
            bool ok = plainInt;
            while (ok && isDigit(peek())) {
                const int ns = m_pos;
                while (isDigit(peek()))
                    ++m_pos;
                const std::int64_t n = m_in.mid(ns, m_pos - ns).toLongLong();
                const int us = m_pos;
                while (isAlpha(peek()))
                    ++m_pos;
                const QStringView unit = QStringView(m_in).mid(us, m_pos - us);
                int idx = -1;
                for (int k = 0; k < 7; ++k)
                    if (order[k] == unit)
                        idx = k;
                if (idx < 0 || idx <= lastUnit) {
                    ok = false;
                    break;
                }
                lastUnit = idx;
                total += n * unitMs(unit);
            }
            if (!ok || isAlnum(peek()) || peek() == u'.') {
                while (isAlnum(peek()) || peek() == u'.')
                    ++m_pos;
                return fail(parseError(m_in, start, QStringLiteral("bad number or duration syntax: \"%1\"")
                                                        .arg(m_in.mid(start, m_pos - start))));
            }
            Token t = make(TokenType::Duration, start);
            t.durationMs = total;
            return t;
        }
        Token t = make(TokenType::Number, start);
        QString txt = t.text;
        txt.remove(u'_');
        bool ok = false;
        if (hex)
            t.number = double(txt.mid(2).toULongLong(&ok, 16));
        else
            t.number = txt.toDouble(&ok);
        if (!ok)
            return fail(parseError(m_in, start, QStringLiteral("bad number or duration syntax: \"%1\"").arg(t.text)));
        return t;
    }

    Result<Token> lexString()
    {
        const int start = m_pos;
        const QChar quote = m_in[m_pos++];
        QString value;
        for (;;) {
            if (m_pos >= m_in.size())
                return fail(parseError(m_in, start, QStringLiteral("unterminated quoted string")));
            const QChar c = m_in[m_pos++];
            if (c == quote)
                break;
            if (quote != u'`' && c == u'\n')
                return fail(parseError(m_in, start, QStringLiteral("unterminated quoted string")));
            if (quote == u'`' || c != u'\\') {
                value += c;
                continue;
            }
            if (m_pos >= m_in.size())
                return fail(parseError(m_in, start, QStringLiteral("unterminated quoted string")));
            const QChar e = m_in[m_pos++];
            auto hexRun = [&](int n) -> Result<uint> {
                if (m_pos + n > m_in.size())
                    return fail(parseError(m_in, m_pos, QStringLiteral("escape sequence not terminated")));
                bool ok = false;
                const uint v = m_in.mid(m_pos, n).toUInt(&ok, 16);
                if (!ok)
                    return fail(parseError(m_in, m_pos, QStringLiteral("illegal character in escape sequence")));
                m_pos += n;
                return v;
            };
            switch (e.unicode()) {
            case 'a': value += QChar(7); break;
            case 'b': value += QChar(8); break;
            case 'f': value += QChar(12); break;
            case 'n': value += QChar(10); break;
            case 'r': value += QChar(13); break;
            case 't': value += QChar(9); break;
            case 'v': value += QChar(11); break;
            case '\\': value += u'\\'; break;
            case 'x': {
                auto v = hexRun(2);
                if (!v)
                    return fail(v.error());
                // Go strings are bytes: \xNN adds one byte. Keep it as a
                // private-use placeholder and decode the bytes as UTF-8 below.
                value += QChar(0xE000 + *v);
                m_hadBytes = true;
                break;
            }
            case 'u':
            case 'U': {
                auto v = hexRun(e == u'u' ? 4 : 8);
                if (!v)
                    return fail(v.error());
                const char32_t cp = char32_t(*v);
                value += QString::fromUcs4(&cp, 1);
                break;
            }
            default:
                if (e == quote) {
                    value += e;
                } else if (e >= u'0' && e <= u'7') {
                    --m_pos;
                    if (m_pos + 3 > m_in.size())
                        return fail(parseError(m_in, m_pos, QStringLiteral("escape sequence not terminated")));
                    bool ok = false;
                    const uint v = m_in.mid(m_pos, 3).toUInt(&ok, 8);
                    if (!ok || v > 255)
                        return fail(parseError(m_in, m_pos, QStringLiteral("illegal character in escape sequence")));
                    m_pos += 3;
                    value += QChar(0xE000 + v);
                    m_hadBytes = true;
                } else {
                    return fail(parseError(m_in, m_pos - 1, QStringLiteral("unknown escape sequence '%1'").arg(e)));
                }
            }
        }
        if (m_hadBytes) {
            // Re-encode: ordinary characters as UTF-8, byte escapes as raw bytes.
            QByteArray bytes;
            for (QChar ch : value) {
                if (ch.unicode() >= 0xE000 && ch.unicode() <= 0xE0FF)
                    bytes.append(char(ch.unicode() - 0xE000));
                else
                    bytes.append(QString(ch).toUtf8());
            }
            value = QString::fromUtf8(bytes);
            m_hadBytes = false;
        }
        Token t = make(TokenType::String, start);
        t.str = value;
        return t;
    }

    const QString &m_in;
    int m_pos = 0;
    int m_parenDepth = 0;
    bool m_braceOpen = false;
    bool m_bracketOpen = false;
    bool m_hadBytes = false;
};

} // namespace

Result<QList<Token>> Lexer::tokenize(const QString &input)
{
    return LexerImpl(input).run();
}

} // namespace spyglass::query::promql
