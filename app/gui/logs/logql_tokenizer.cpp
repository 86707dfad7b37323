#include "app/gui/logs/logql_tokenizer.h"

namespace spyglass::gui::logs {

const QStringList &LogqlTokenizer::functions()
{
    static const QStringList f{
        QStringLiteral("rate"),           QStringLiteral("count_over_time"),   QStringLiteral("bytes_rate"),
        QStringLiteral("bytes_over_time"), QStringLiteral("absent_over_time"), QStringLiteral("sum_over_time"),
        QStringLiteral("avg_over_time"),  QStringLiteral("max_over_time"),     QStringLiteral("min_over_time"),
        QStringLiteral("first_over_time"), QStringLiteral("last_over_time"),   QStringLiteral("stdvar_over_time"),
        QStringLiteral("stddev_over_time"), QStringLiteral("quantile_over_time"), QStringLiteral("rate_counter"),
        QStringLiteral("label_replace"),  QStringLiteral("vector")};
    return f;
}

const QStringList &LogqlTokenizer::aggregations()
{
    static const QStringList a{QStringLiteral("sum"),    QStringLiteral("avg"),     QStringLiteral("min"),
                               QStringLiteral("max"),    QStringLiteral("count"),   QStringLiteral("stddev"),
                               QStringLiteral("stdvar"), QStringLiteral("topk"),    QStringLiteral("bottomk"),
                               QStringLiteral("sort"),   QStringLiteral("sort_desc")};
    return a;
}

const QStringList &LogqlTokenizer::stages()
{
    static const QStringList s{QStringLiteral("json"),         QStringLiteral("logfmt"),
                               QStringLiteral("regexp"),       QStringLiteral("pattern"),
                               QStringLiteral("unpack"),       QStringLiteral("line_format"),
                               QStringLiteral("label_format"), QStringLiteral("drop"),
                               QStringLiteral("keep"),         QStringLiteral("decolorize"),
                               QStringLiteral("unwrap")};
    return s;
}

const QStringList &LogqlTokenizer::keywords()
{
    static const QStringList k{QStringLiteral("by"),       QStringLiteral("without"),  QStringLiteral("on"),
                               QStringLiteral("ignoring"), QStringLiteral("group_left"), QStringLiteral("group_right"),
                               QStringLiteral("offset"),   QStringLiteral("bool"),     QStringLiteral("and"),
                               QStringLiteral("or"),       QStringLiteral("unless"),   QStringLiteral("ip"),
                               QStringLiteral("duration"), QStringLiteral("duration_seconds"), QStringLiteral("bytes")};
    return k;
}

namespace {

bool identStart(QChar c) { return c.isLetter() || c == u'_'; }
bool identChar(QChar c) { return c.isLetterOrNumber() || c == u'_'; }

bool isDurationUnit(QStringView s, qsizetype i)
{
    if (i >= s.size())
        return false;
    const QChar c = s[i];
    return c == u's' || c == u'm' || c == u'h' || c == u'd' || c == u'w' || c == u'y' || c == u'n' || c == u'u'
           || c == u'µ';
}

} // namespace

QList<LogqlToken> LogqlTokenizer::tokenize(QStringView s)
{
    QList<LogqlToken> out;
    const int n = int(s.size());
    int braces = 0;          // inside {...}
    int groupingParen = -1;  // paren depth of an open by(...) list
    int parens = 0;
    bool afterPipe = false;  // the previous significant token was `|`
    bool pendingGrouping = false;
    int i = 0;
    auto push = [&](LogqlTokenKind k, int start, int end) { out.append({k, start, end - start}); };
    while (i < n) {
        const QChar c = s[i];
        const int start = i;
        if (c.isSpace()) {
            while (i < n && s[i].isSpace())
                ++i;
            continue;
        }
        if (c == u'#') {
            while (i < n && s[i] != u'\n')
                ++i;
            push(LogqlTokenKind::Comment, start, i);
            continue;
        }
        if (c == u'"' || c == u'`') {
            ++i;
            while (i < n && s[i] != c) {
                if (c == u'"' && s[i] == u'\\')
                    ++i;
                ++i;
            }
            i = std::min(i + 1, n);
            push(LogqlTokenKind::String, start, i);
            afterPipe = false;
            continue;
        }
        if (c.isDigit() || (c == u'.' && i + 1 < n && s[i + 1].isDigit())) {
            while (i < n && (s[i].isDigit() || s[i] == u'.'))
                ++i;
            bool duration = false;
            // 1h30m, 250ms, 1.5s
            while (isDurationUnit(s, i)) {
                duration = true;
                while (i < n && s[i].isLetter())
                    ++i;
                while (i < n && (s[i].isDigit() || s[i] == u'.'))
                    ++i;
            }
            if (!duration)
                while (i < n && (identChar(s[i])))
                    ++i; // 10KB, 1e3
            push(duration ? LogqlTokenKind::Duration : LogqlTokenKind::Number, start, i);
            afterPipe = false;
            continue;
        }
        if (identStart(c)) {
            while (i < n && identChar(s[i]))
                ++i;
            const QStringView w = s.mid(start, i - start);
            int j = i;
            while (j < n && s[j].isSpace())
                ++j;
            const bool call = j < n && s[j] == u'(';
            LogqlTokenKind k = LogqlTokenKind::LabelName;
            if (braces > 0 || groupingParen >= 0)
                k = LogqlTokenKind::LabelName;
            else if (stages().contains(w.toString()))
                k = LogqlTokenKind::Stage;
            else if (keywords().contains(w.toString()))
                k = LogqlTokenKind::Keyword;
            else if (aggregations().contains(w.toString()) && !afterPipe)
                k = LogqlTokenKind::Aggregation;
            else if (functions().contains(w.toString()) && call)
                k = LogqlTokenKind::Function;
            if (k == LogqlTokenKind::Keyword && (w == u"by" || w == u"without" || w == u"on" || w == u"ignoring"
                                                 || w == u"group_left" || w == u"group_right"))
                pendingGrouping = true;
            push(k, start, i);
            afterPipe = false;
            continue;
        }
        if (c == u'{' || c == u'}' || c == u'(' || c == u')' || c == u'[' || c == u']' || c == u',') {
            if (c == u'{')
                ++braces;
            else if (c == u'}')
                braces = std::max(0, braces - 1);
            else if (c == u'(') {
                ++parens;
                if (pendingGrouping)
                    groupingParen = parens;
                pendingGrouping = false;
            } else if (c == u')') {
                if (groupingParen == parens)
                    groupingParen = -1;
                parens = std::max(0, parens - 1);
            }
            ++i;
            push(LogqlTokenKind::Bracket, start, i);
            afterPipe = false;
            continue;
        }
        // Operators, longest first.
        static const QStringList ops{QStringLiteral("|="), QStringLiteral("|~"), QStringLiteral("|>"),
                                     QStringLiteral("!="), QStringLiteral("!~"), QStringLiteral("!>"),
                                     QStringLiteral("=~"), QStringLiteral("=="), QStringLiteral("<="),
                                     QStringLiteral(">="), QStringLiteral("--")};
        int len = 1;
        for (const auto &op : ops)
            if (s.mid(i, 2) == op) {
                len = 2;
                break;
            }
        i += len;
        push(LogqlTokenKind::Operator, start, i);
        afterPipe = len == 1 && c == u'|';
    }
    return out;
}

int LogqlTokenizer::matchingBracket(QStringView text, int pos)
{
    if (pos < 0 || pos >= text.size())
        return -1;
    static const QString open = QStringLiteral("([{"), close = QStringLiteral(")]}");
    const QChar c = text[pos];
    const qsizetype o = open.indexOf(c), cl = close.indexOf(c);
    if (o < 0 && cl < 0)
        return -1;
    const auto tokens = tokenize(text);
    QList<int> brackets;
    for (const auto &t : tokens)
        if (t.kind == LogqlTokenKind::Bracket && text[t.start] != u',')
            brackets.append(t.start);
    const qsizetype idx = brackets.indexOf(pos);
    if (idx < 0)
        return -1;
    int depth = 0;
    if (o >= 0) {
        for (qsizetype k = idx; k < brackets.size(); ++k) {
            const QChar b = text[brackets[k]];
            if (b == open[o])
                ++depth;
            else if (b == close[o] && --depth == 0)
                return brackets[k];
        }
    } else {
        for (qsizetype k = idx; k >= 0; --k) {
            const QChar b = text[brackets[k]];
            if (b == close[cl])
                ++depth;
            else if (b == open[cl] && --depth == 0)
                return brackets[k];
        }
    }
    return -1;
}

LogqlCompletionContext LogqlTokenizer::completionContext(QStringView text, int cursor)
{
    using Kind = LogqlCompletionContext::Kind;
    LogqlCompletionContext ctx;
    cursor = std::clamp(cursor, 0, int(text.size()));
    const QStringView before = text.left(cursor);
    const auto tokens = tokenize(before);
    // Inside a string (possibly unterminated) or comment?
    if (!tokens.isEmpty()) {
        const LogqlToken &t = tokens.back();
        const bool touching = t.end() == cursor;
        const bool openString = t.kind == LogqlTokenKind::String
                                && (t.length < 2 || before[t.end() - 1] != before[t.start]
                                    || (before[t.start] == u'"' && t.length >= 2 && before[t.end() - 2] == u'\\'));
        if (t.kind == LogqlTokenKind::Comment && touching)
            return ctx;
        if (t.kind == LogqlTokenKind::String && touching && openString) {
            // label="va| inside a selector
            if (tokens.size() >= 3 && tokens[tokens.size() - 2].kind == LogqlTokenKind::Operator
                && tokens[tokens.size() - 3].kind == LogqlTokenKind::LabelName) {
                ctx.kind = Kind::LabelValue;
                ctx.label = before.mid(tokens[tokens.size() - 3].start, tokens[tokens.size() - 3].length).toString();
                ctx.quote = before.mid(t.start, 1).toString();
                ctx.start = t.start + 1;
                ctx.prefix = before.mid(t.start + 1).toString();
            }
            return ctx;
        }
        if ((t.kind == LogqlTokenKind::Number || t.kind == LogqlTokenKind::Duration) && touching) {
            // Inside [..] a duration is being typed.
        }
    }
    // The word being typed.
    int ws = cursor;
    while (ws > 0 && identChar(text[ws - 1]))
        --ws;
    ctx.start = ws;
    ctx.prefix = text.mid(ws, cursor - ws).toString();
    // Structure before the word.
    int braces = 0, squares = 0;
    QList<int> parenStack; // token index of each open paren
    for (int k = 0; k < tokens.size(); ++k) {
        const auto &t = tokens[k];
        if (t.start >= ws)
            break;
        if (t.kind != LogqlTokenKind::Bracket)
            continue;
        const QChar c = text[t.start];
        if (c == u'{')
            ++braces;
        else if (c == u'}')
            braces = std::max(0, braces - 1);
        else if (c == u'[')
            ++squares;
        else if (c == u']')
            squares = std::max(0, squares - 1);
        else if (c == u'(')
            parenStack.append(k);
        else if (c == u')' && !parenStack.isEmpty())
            parenStack.removeLast();
    }
    // The last significant token before the word.
    int prev = -1;
    for (int k = int(tokens.size()) - 1; k >= 0; --k)
        if (tokens[k].start < ws && tokens[k].kind != LogqlTokenKind::Comment) {
            prev = k;
            break;
        }
    const QStringView prevText = prev >= 0 ? text.mid(tokens[prev].start, tokens[prev].length) : QStringView();
    if (!ctx.prefix.isEmpty() && ctx.prefix.front().isDigit()) {
        ctx.kind = squares > 0 ? Kind::Duration : Kind::None;
        return ctx;
    }
    if (squares > 0) {
        ctx.kind = Kind::Duration;
        return ctx;
    }
    if (braces > 0) {
        if (prev >= 0 && tokens[prev].kind == LogqlTokenKind::Operator) {
            // label=| (no quote yet)
            if (prev >= 1 && tokens[prev - 1].kind == LogqlTokenKind::LabelName) {
                ctx.kind = Kind::LabelValue;
                ctx.label = text.mid(tokens[prev - 1].start, tokens[prev - 1].length).toString();
            }
            return ctx;
        }
        ctx.kind = Kind::LabelName;
        ctx.inSelector = true;
        return ctx;
    }
    if (!parenStack.isEmpty()) {
        const int open = parenStack.back();
        if (open >= 1) {
            const QStringView kw = text.mid(tokens[open - 1].start, tokens[open - 1].length);
            if (kw == u"by" || kw == u"without" || kw == u"on" || kw == u"ignoring" || kw == u"group_left"
                || kw == u"group_right") {
                ctx.kind = Kind::LabelName;
                return ctx;
            }
        }
    }
    if (prevText == u"|") {
        ctx.kind = Kind::Pipeline;
        return ctx;
    }
    if (prev >= 0 && (tokens[prev].kind == LogqlTokenKind::String || tokens[prev].kind == LogqlTokenKind::Operator)
        && !(prevText == u"(" || prevText == u",")) {
        // After a line filter string or an operator inside a pipeline: nothing sensible.
        bool inPipeline = false;
        for (int k = prev; k >= 0; --k) {
            const QStringView t = text.mid(tokens[k].start, tokens[k].length);
            if (t == u"}") {
                inPipeline = true;
                break;
            }
            if (t == u"(" || t == u"[")
                break;
        }
        if (inPipeline && tokens[prev].kind == LogqlTokenKind::String) {
            ctx.kind = Kind::None;
            return ctx;
        }
    }
    ctx.kind = Kind::Expression;
    return ctx;
}

} // namespace spyglass::gui::logs
