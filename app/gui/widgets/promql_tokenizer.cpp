#include "app/gui/widgets/promql_tokenizer.h"

#include "core/query/promql/functions.h"

namespace spyglass::gui::widgets {

namespace {

bool isIdentStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || c == u':';
}

bool isIdentChar(QChar c)
{
    return isIdentStart(c) || (c >= u'0' && c <= u'9');
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isDurationUnit(QChar c)
{
    return c == u's' || c == u'm' || c == u'h' || c == u'd' || c == u'w' || c == u'y';
}

bool isGroupingKeyword(QStringView w)
{
    static const QStringList kw{QStringLiteral("by"),       QStringLiteral("without"),
                                QStringLiteral("on"),       QStringLiteral("ignoring"),
                                QStringLiteral("group_left"), QStringLiteral("group_right")};
    for (const QString &k : kw)
        if (w.compare(k, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool isMatcherOperator(QStringView op)
{
    return op == u"=" || op == u"!=" || op == u"=~" || op == u"!~";
}

// The scanner behind tokenize() and completionContext(): tokens plus the
// nesting state reached at the end of the text.
struct Scanner
{
    QStringView text;
    QList<PromqlToken> tokens;
    bool inBraces = false;
    int bracketDepth = 0;
    QList<bool> parens; // per open '(': does it hold a label list (by (...))?
    bool lastStringClosed = true;

    void add(PromqlTokenKind kind, int start, int end) { tokens.push_back({kind, start, end - start}); }

    QChar at(int i) const { return i < text.size() ? text[i] : QChar(); }

    int nextNonSpace(int i) const
    {
        while (i < text.size() && text[i].isSpace())
            ++i;
        return i;
    }

    QStringView wordAt(int i) const
    {
        int j = i;
        while (j < text.size() && isIdentChar(text[j]))
            ++j;
        return text.mid(i, j - i);
    }

    QStringView lastIdentifierBefore() const
    {
        for (qsizetype k = tokens.size() - 1; k >= 0; --k) {
            const PromqlToken &t = tokens[k];
            if (t.kind == PromqlTokenKind::Comment)
                continue;
            if (t.kind == PromqlTokenKind::Keyword)
                return text.mid(t.start, t.length);
            return {};
        }
        return {};
    }

    PromqlTokenKind classify(QStringView word, int end) const
    {
        if (inBraces)
            return PromqlTokenKind::LabelName;
        if (!parens.isEmpty() && parens.back())
            return PromqlTokenKind::LabelName;
        if (word.compare(u"inf", Qt::CaseInsensitive) == 0 || word.compare(u"nan", Qt::CaseInsensitive) == 0)
            return PromqlTokenKind::Number;
        const int next = nextNonSpace(end);
        const QChar nc = at(next);
        if (PromqlTokenizer::isAggregation(word)) {
            if (nc == u'(' || isGroupingKeyword(wordAt(next)))
                return PromqlTokenKind::Aggregation;
        }
        if (nc == u'(' && PromqlTokenizer::isFunction(word))
            return PromqlTokenKind::Function;
        if (PromqlTokenizer::isKeyword(word))
            return PromqlTokenKind::Keyword;
        return PromqlTokenKind::MetricName;
    }

    void run(bool startInBraces)
    {
        inBraces = startInBraces;
        const int n = int(text.size());
        int i = 0;
        while (i < n) {
            const QChar c = text[i];
            const int start = i;
            if (c.isSpace()) {
                ++i;
                continue;
            }
            if (c == u'#') {
                int e = start;
                while (e < n && text[e] != u'\n')
                    ++e;
                add(PromqlTokenKind::Comment, start, e);
                i = e;
                continue;
            }
            if (c == u'"' || c == u'\'' || c == u'`') {
                ++i;
                lastStringClosed = false;
                while (i < n) {
                    if (text[i] == u'\\' && c != u'`') {
                        i += 2;
                        continue;
                    }
                    if (text[i] == c) {
                        ++i;
                        lastStringClosed = true;
                        break;
                    }
                    ++i;
                }
                i = std::min(i, n);
                add(PromqlTokenKind::String, start, i);
                continue;
            }
            if (isDigit(c) || (c == u'.' && isDigit(at(i + 1)))) {
                PromqlTokenKind kind = PromqlTokenKind::Number;
                if (c == u'0' && (at(i + 1) == u'x' || at(i + 1) == u'X')) {
                    i += 2;
                    while (i < n && (isDigit(text[i]) || (text[i].toLower() >= u'a' && text[i].toLower() <= u'f')))
                        ++i;
                } else {
                    while (i < n && (isDigit(text[i]) || text[i] == u'.'))
                        ++i;
                    if (i < n && isDurationUnit(text[i])) {
                        kind = PromqlTokenKind::Duration;
                        while (i < n && (isDigit(text[i]) || text[i] == u'.' || isDurationUnit(text[i])))
                            ++i;
                    } else if (i < n && (text[i] == u'e' || text[i] == u'E') &&
                               (isDigit(at(i + 1)) || ((at(i + 1) == u'+' || at(i + 1) == u'-') && isDigit(at(i + 2))))) {
                        i += 2;
                        while (i < n && isDigit(text[i]))
                            ++i;
                    }
                }
                add(kind, start, i);
                continue;
            }
            if (isIdentStart(c) && !(c == u':' && (inBraces || bracketDepth > 0))) {
                while (i < n && isIdentChar(text[i]))
                    ++i;
                add(classify(text.mid(start, i - start), i), start, i);
                continue;
            }
            switch (c.unicode()) {
            case '(': {
                const QStringView kw = lastIdentifierBefore();
                parens.push_back(!kw.isEmpty() && isGroupingKeyword(kw));
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            }
            case ')':
                if (!parens.isEmpty())
                    parens.pop_back();
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            case '{':
                inBraces = true;
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            case '}':
                inBraces = false;
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            case '[':
                ++bracketDepth;
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            case ']':
                bracketDepth = std::max(0, bracketDepth - 1);
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            case ',':
                add(PromqlTokenKind::Bracket, start, ++i);
                continue;
            default:
                break;
            }
            static const QStringList twoChar{QStringLiteral("=="), QStringLiteral("!="), QStringLiteral("<="),
                                             QStringLiteral(">="), QStringLiteral("=~"), QStringLiteral("!~")};
            const QStringView two = text.mid(i, 2);
            bool matched = false;
            for (const QString &op : twoChar) {
                if (two == op) {
                    i += 2;
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                static const QString single = QStringLiteral("+-*/%^<>=@:!");
                if (single.contains(c)) {
                    ++i;
                    matched = true;
                }
            }
            if (matched) {
                add(PromqlTokenKind::Operator, start, i);
                continue;
            }
            ++i; // unknown character: left plain
        }
    }
};

PromqlCompletionContext contextAt(PromqlCompletionContext::Kind kind, QString prefix, int start)
{
    PromqlCompletionContext c;
    c.kind = kind;
    c.prefix = std::move(prefix);
    c.start = start;
    return c;
}

} // namespace

const QStringList &PromqlTokenizer::aggregations()
{
    static const QStringList list{
        QStringLiteral("sum"),    QStringLiteral("avg"),     QStringLiteral("count"),
        QStringLiteral("min"),    QStringLiteral("max"),     QStringLiteral("group"),
        QStringLiteral("stddev"), QStringLiteral("stdvar"),  QStringLiteral("topk"),
        QStringLiteral("bottomk"), QStringLiteral("count_values"), QStringLiteral("quantile"),
        QStringLiteral("limitk"), QStringLiteral("limit_ratio")};
    return list;
}

const QStringList &PromqlTokenizer::keywords()
{
    static const QStringList list{
        QStringLiteral("by"),     QStringLiteral("without"),    QStringLiteral("on"),
        QStringLiteral("ignoring"), QStringLiteral("group_left"), QStringLiteral("group_right"),
        QStringLiteral("offset"), QStringLiteral("bool"),       QStringLiteral("and"),
        QStringLiteral("or"),     QStringLiteral("unless"),     QStringLiteral("atan2"),
        QStringLiteral("start"),  QStringLiteral("end")};
    return list;
}

bool PromqlTokenizer::isAggregation(QStringView word)
{
    for (const QString &a : aggregations())
        if (word.compare(a, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool PromqlTokenizer::isKeyword(QStringView word)
{
    for (const QString &k : keywords())
        if (word.compare(k, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool PromqlTokenizer::isFunction(QStringView word)
{
    return query::promql::findFunction(word) != nullptr;
}

QList<PromqlToken> PromqlTokenizer::tokenize(QStringView text, bool insideBraces, bool *endsInsideBraces)
{
    Scanner s;
    s.text = text;
    s.run(insideBraces);
    if (endsInsideBraces)
        *endsInsideBraces = s.inBraces;
    return s.tokens;
}

int PromqlTokenizer::matchingBracket(QStringView text, int pos)
{
    if (pos < 0 || pos >= text.size())
        return -1;
    const QList<PromqlToken> tokens = tokenize(text);
    qsizetype index = -1;
    for (qsizetype k = 0; k < tokens.size(); ++k) {
        if (tokens[k].start == pos && tokens[k].kind == PromqlTokenKind::Bracket) {
            index = k;
            break;
        }
    }
    if (index < 0)
        return -1;
    static const QString open = QStringLiteral("([{");
    static const QString close = QStringLiteral(")]}");
    const QChar c = text[pos];
    const qsizetype o = open.indexOf(c);
    const qsizetype cl = close.indexOf(c);
    if (o < 0 && cl < 0)
        return -1; // a comma
    const QChar self = c;
    const QChar other = o >= 0 ? close[o] : open[cl];
    const int dir = o >= 0 ? 1 : -1;
    int depth = 0;
    for (qsizetype k = index; k >= 0 && k < tokens.size(); k += dir) {
        const PromqlToken &t = tokens[k];
        if (t.kind != PromqlTokenKind::Bracket)
            continue;
        const QChar tc = text[t.start];
        if (tc == self)
            ++depth;
        else if (tc == other && --depth == 0)
            return t.start;
    }
    return -1;
}

PromqlCompletionContext PromqlTokenizer::completionContext(QStringView text, int cursor)
{
    using Kind = PromqlCompletionContext::Kind;
    cursor = std::clamp(cursor, 0, int(text.size()));
    Scanner s;
    s.text = text.left(cursor);
    s.run(false);
    const bool labelList = !s.parens.isEmpty() && s.parens.back();

    const PromqlToken *last = s.tokens.isEmpty() ? nullptr : &s.tokens.back();
    const bool touching = last && last->end() == cursor;
    bool wordLike = true;
    if (touching) {
        const QStringView word = s.text.mid(last->start, last->length);
        switch (last->kind) {
        case PromqlTokenKind::Comment:
            return {};
        case PromqlTokenKind::String: {
            if (s.lastStringClosed || !s.inBraces)
                return {};
            // `label="va|`: the matcher before the string names the label.
            const qsizetype n = s.tokens.size();
            if (n >= 3 && s.tokens[n - 2].kind == PromqlTokenKind::Operator &&
                isMatcherOperator(s.text.mid(s.tokens[n - 2].start, s.tokens[n - 2].length)) &&
                s.tokens[n - 3].kind == PromqlTokenKind::LabelName) {
                PromqlCompletionContext c = contextAt(Kind::LabelValue, word.mid(1).toString(), last->start + 1);
                c.label = s.text.mid(s.tokens[n - 3].start, s.tokens[n - 3].length).toString();
                c.quote = word.left(1).toString();
                return c;
            }
            return {};
        }
        case PromqlTokenKind::Number:
        case PromqlTokenKind::Duration:
            if (s.bracketDepth > 0)
                return contextAt(Kind::Duration, word.toString(), last->start);
            if (last->kind == PromqlTokenKind::Number && isIdentStart(word.front()))
                break; // "Inf"/"NaN" prefixes of names like "info"
            return {};
        case PromqlTokenKind::Function:
        case PromqlTokenKind::Aggregation:
        case PromqlTokenKind::Keyword:
        case PromqlTokenKind::MetricName:
        case PromqlTokenKind::LabelName:
            break;
        default:
            wordLike = false;
            break;
        }
    }
    if (touching && wordLike) {
        const QStringView word = s.text.mid(last->start, last->length);
        if (s.inBraces) {
            PromqlCompletionContext c = contextAt(Kind::LabelName, word.toString(), last->start);
            c.inSelector = true;
            return c;
        }
        if (labelList)
            return contextAt(Kind::LabelName, word.toString(), last->start);
        if (s.bracketDepth > 0)
            return {};
        return contextAt(Kind::Expression, word.toString(), last->start);
    }

    if (s.inBraces) {
        const QStringView prev = last ? s.text.mid(last->start, last->length) : QStringView();
        if (last && last->kind == PromqlTokenKind::Bracket && (prev == u"{" || prev == u",")) {
            PromqlCompletionContext c = contextAt(Kind::LabelName, QString(), cursor);
            c.inSelector = true;
            return c;
        }
        const qsizetype n = s.tokens.size();
        if (last && last->kind == PromqlTokenKind::Operator && isMatcherOperator(prev) && n >= 2 &&
            s.tokens[n - 2].kind == PromqlTokenKind::LabelName) {
            PromqlCompletionContext c = contextAt(Kind::LabelValue, QString(), cursor);
            c.label = s.text.mid(s.tokens[n - 2].start, s.tokens[n - 2].length).toString();
            return c; // no quote yet: insertion adds both
        }
        return {};
    }
    if (labelList) {
        const QStringView prev = last ? s.text.mid(last->start, last->length) : QStringView();
        if (prev == u"(" || prev == u",")
            return contextAt(Kind::LabelName, QString(), cursor);
        return {};
    }
    if (s.bracketDepth > 0)
        return contextAt(Kind::Duration, QString(), cursor);
    return contextAt(Kind::Expression, QString(), cursor);
}

} // namespace spyglass::gui::widgets
