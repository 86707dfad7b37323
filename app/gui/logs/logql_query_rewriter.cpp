#include "app/gui/logs/logql_query_rewriter.h"

namespace spyglass::gui::logs {

namespace {

// Skips a string literal starting at i ("...", `...`); returns the index after it.
qsizetype skipString(const QString &q, qsizetype i)
{
    const QChar quote = q[i];
    ++i;
    while (i < q.size() && q[i] != quote) {
        if (quote == u'"' && q[i] == u'\\')
            ++i;
        ++i;
    }
    return std::min(i + 1, q.size());
}

qsizetype skipComment(const QString &q, qsizetype i)
{
    while (i < q.size() && q[i] != u'\n')
        ++i;
    return i;
}

} // namespace

QString LogqlQueryRewriter::quote(const QString &value)
{
    QString out;
    out.reserve(value.size() + 2);
    out.append(u'"');
    for (QChar c : value) {
        if (c == u'\\' || c == u'"')
            out.append(u'\\');
        if (c == u'\n') {
            out.append(QStringLiteral("\\n"));
            continue;
        }
        out.append(c);
    }
    out.append(u'"');
    return out;
}

QString LogqlQueryRewriter::selectorFor(const model::Labels &labels)
{
    QStringList parts;
    for (const auto &l : labels)
        parts.append(l.name + u'=' + quote(l.value));
    return u'{' + parts.join(QStringLiteral(", ")) + u'}';
}

bool LogqlQueryRewriter::locate(const QString &q, qsizetype *open, qsizetype *close, qsizetype *pipelineEnd)
{
    qsizetype i = 0;
    qsizetype o = -1;
    while (i < q.size()) {
        const QChar c = q[i];
        if (c == u'"' || c == u'`') {
            i = skipString(q, i);
            continue;
        }
        if (c == u'#') {
            i = skipComment(q, i);
            continue;
        }
        if (c == u'{') {
            o = i;
            break;
        }
        ++i;
    }
    if (o < 0)
        return false;
    i = o + 1;
    qsizetype cl = -1;
    while (i < q.size()) {
        const QChar c = q[i];
        if (c == u'"' || c == u'`') {
            i = skipString(q, i);
            continue;
        }
        if (c == u'}') {
            cl = i;
            break;
        }
        ++i;
    }
    if (cl < 0)
        return false;
    // The pipeline runs until a `[range]`, an unmatched `)` or the end.
    i = cl + 1;
    int depth = 0;
    qsizetype end = q.size();
    while (i < q.size()) {
        const QChar c = q[i];
        if (c == u'"' || c == u'`') {
            i = skipString(q, i);
            continue;
        }
        if (c == u'#') {
            end = i;
            break;
        }
        if (c == u'(')
            ++depth;
        else if (c == u')' && --depth < 0) {
            end = i;
            break;
        } else if (c == u'[' && depth == 0) {
            end = i;
            break;
        }
        ++i;
    }
    while (end > cl + 1 && q[end - 1].isSpace())
        --end;
    if (open)
        *open = o;
    if (close)
        *close = cl;
    if (pipelineEnd)
        *pipelineEnd = end;
    return true;
}

QString LogqlQueryRewriter::addLabelFilter(const QString &query, const QString &label, const QString &value,
                                           bool include, bool streamScope)
{
    const QString matcher = label + (include ? QStringLiteral("=") : QStringLiteral("!=")) + quote(value);
    const QString opposite = label + (include ? QStringLiteral("!=") : QStringLiteral("=")) + quote(value);
    qsizetype open = 0, close = 0, end = 0;
    if (!locate(query, &open, &close, &end))
        return query.trimmed().isEmpty() ? u'{' + matcher + u'}' : query;
    QString q = query;
    if (streamScope) {
        const QString inside = q.mid(open + 1, close - open - 1);
        if (inside.contains(matcher))
            return q;
        if (const qsizetype at = inside.indexOf(opposite); at >= 0)
            return q.replace(open + 1 + at, opposite.size(), matcher);
        const bool empty = inside.trimmed().isEmpty();
        return q.insert(close, (empty ? QString() : QStringLiteral(", ")) + matcher);
    }
    const QString pipeline = q.mid(close + 1, end - close - 1);
    const QString stage = QStringLiteral(" | ") + matcher;
    if (pipeline.contains(stage))
        return q;
    if (const qsizetype at = pipeline.indexOf(QStringLiteral(" | ") + opposite); at >= 0)
        return q.replace(close + 1 + at, opposite.size() + 3, stage);
    return q.insert(end, stage);
}

QString LogqlQueryRewriter::addLineFilter(const QString &query, const QString &text, bool include)
{
    qsizetype close = 0, end = 0;
    if (!locate(query, nullptr, &close, &end))
        return query;
    const QString stage = (include ? QStringLiteral(" |= ") : QStringLiteral(" != ")) + quote(text);
    if (query.mid(close + 1, end - close - 1).contains(stage))
        return query;
    QString q = query;
    return q.insert(end, stage);
}

QStringList LogqlQueryRewriter::lineFilterTerms(const QString &query)
{
    QStringList out;
    qsizetype i = 0;
    while (i < query.size()) {
        const QChar c = query[i];
        if (c == u'"' || c == u'`') {
            i = skipString(query, i);
            continue;
        }
        const bool contains = query.mid(i, 2) == u"|=";
        const bool regex = query.mid(i, 2) == u"|~";
        if (!contains && !regex) {
            ++i;
            continue;
        }
        i += 2;
        // `|= "a" or "b"`: every alternative counts.
        while (true) {
            while (i < query.size() && query[i].isSpace())
                ++i;
            if (i >= query.size() || (query[i] != u'"' && query[i] != u'`'))
                break;
            const qsizetype s = i;
            i = skipString(query, i);
            QString lit = query.mid(s + 1, i - s - 2);
            if (query[s] == u'"')
                lit.replace(QStringLiteral("\\\""), QStringLiteral("\"")).replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
            static const QString meta = QStringLiteral(".*+?()[]{}|^$\\");
            bool plain = true;
            if (regex)
                for (QChar m : lit)
                    if (meta.contains(m))
                        plain = false;
            if (!lit.isEmpty() && plain)
                out.append(lit);
            while (i < query.size() && query[i].isSpace())
                ++i;
            if (query.mid(i, 2) == u"or" && (i + 2 >= query.size() || !query[i + 2].isLetterOrNumber()))
                i += 2;
            else
                break;
        }
    }
    return out;
}

} // namespace spyglass::gui::logs
