#include "core/query/promql/promql_test_runner.h"

#include "core/model/time_range.h"
#include "core/query/promql/ast.h"
#include "core/query/promql/lexer.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <cmath>
#include <optional>

namespace spyglass::query::promql {

namespace {

using model::Labels;
using model::Sample;
using model::TimestampMs;

struct SeqValue
{
    bool omitted = false;
    double v = 0;
};

struct SeriesDesc
{
    Labels labels;
    QList<SeqValue> values;
    bool unsupported = false; // native histogram notation
};

Result<double> parseNumber(const QString &s)
{
    const QString l = s.toLower();
    if (l == u"inf" || l == u"+inf")
        return INFINITY;
    if (l == u"-inf")
        return -INFINITY;
    if (l == u"nan" || l == u"+nan" || l == u"-nan")
        return std::nan("");
    if (l == u"stale")
        return model::staleNaN();
    bool ok = false;
    double v = s.toDouble(&ok);
    if (!ok && (l.startsWith(u"0x") || l.startsWith(u"-0x") || l.startsWith(u"+0x"))) {
        const bool neg = l.startsWith(u'-');
        v = double(l.mid(l.indexOf(u'x') + 1).toULongLong(&ok, 16));
        if (neg)
            v = -v;
    }
    if (!ok)
        return fail(Error::invalid(QStringLiteral("invalid number \"%1\"").arg(s)));
    return v;
}

Result<QList<SeqValue>> parseValues(const QString &text)
{
    static const QRegularExpression item(QStringLiteral(
        R"(^([+-]?(?:\d*\.?\d+(?:[eE][+-]?\d+)?|\d+\.|[Ii]nf|NaN|nan))(?:([+-](?:\d*\.?\d+(?:[eE][+-]?\d+)?|[Ii]nf))?x(\d+))?$)"));
    static const QRegularExpression blank(QStringLiteral(R"(^_(?:x(\d+))?$)"));
    QList<SeqValue> out;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    for (const auto &p : parts) {
        if (p == u"stale") {
            out.push_back({false, model::staleNaN()});
            continue;
        }
        if (auto m = blank.match(p); m.hasMatch()) {
            const int n = m.captured(1).isEmpty() ? 1 : m.captured(1).toInt();
            for (int i = 0; i < n; ++i)
                out.push_back({true, 0});
            continue;
        }
        auto m = item.match(p);
        if (!m.hasMatch())
            return fail(Error::invalid(QStringLiteral("invalid series value \"%1\"").arg(p)));
        auto start = parseNumber(m.captured(1));
        if (!start)
            return fail(start.error());
        if (m.captured(3).isEmpty()) {
            out.push_back({false, *start});
            continue;
        }
        double inc = 0;
        if (!m.captured(2).isEmpty()) {
            auto i = parseNumber(m.captured(2));
            if (!i)
                return fail(i.error());
            inc = *i;
        }
        const int n = m.captured(3).toInt();
        double v = *start;
        for (int i = 0; i <= n; ++i) {
            out.push_back({false, v});
            v += inc;
        }
    }
    return out;
}

// `metric{a="b"}` or `{a="b"}` or `metric` at the start of `line`; returns
// the labels and the index where the values begin.
Result<std::pair<Labels, qsizetype>> parseMetric(const QString &line)
{
    qsizetype i = 0;
    QList<model::Label> pairs;
    while (i < line.size() && !line[i].isSpace() && line[i] != u'{')
        ++i;
    const QString name = line.left(i);
    if (!name.isEmpty())
        pairs.push_back({QStringLiteral("__name__"), name});
    if (i < line.size() && line[i] == u'{') {
        // find the closing brace outside quotes
        qsizetype j = i + 1;
        QChar quote;
        for (; j < line.size(); ++j) {
            const QChar c = line[j];
            if (!quote.isNull()) {
                if (c == u'\\')
                    ++j;
                else if (c == quote)
                    quote = QChar();
            } else if (c == u'"' || c == u'\'' || c == u'`') {
                quote = c;
            } else if (c == u'}') {
                break;
            }
        }
        if (j >= line.size())
            return fail(Error::invalid(QStringLiteral("unclosed '{' in series")));
        auto toks = Lexer::tokenize(line.mid(i, j - i + 1));
        if (!toks)
            return fail(toks.error());
        const auto &t = *toks;
        qsizetype k = 1;
        while (k < t.size() && t[k].type != TokenType::RightBrace) {
            if (t[k].type == TokenType::Comma) {
                ++k;
                continue;
            }
            if (t[k].type == TokenType::String && k + 1 < t.size() &&
                (t[k + 1].type == TokenType::Comma || t[k + 1].type == TokenType::RightBrace)) {
                pairs.push_back({QStringLiteral("__name__"), t[k].str});
                ++k;
                continue;
            }
            if (k + 2 >= t.size() || t[k + 1].type != TokenType::Assign || t[k + 2].type != TokenType::String)
                return fail(Error::invalid(QStringLiteral("invalid label set in \"%1\"").arg(line)));
            pairs.push_back({t[k].type == TokenType::String ? t[k].str : t[k].text, t[k + 2].str});
            k += 3;
        }
        i = j + 1;
    }
    return std::pair<Labels, qsizetype>{Labels(pairs), i};
}

Result<SeriesDesc> parseSeriesLine(const QString &line)
{
    SeriesDesc d;
    auto m = parseMetric(line);
    if (!m)
        return fail(m.error());
    d.labels = m->first;
    QString rest = line.mid(m->second);
    if (rest.contains(QStringLiteral("{{"))) {
        // Native histogram samples: not supported; they count as missing
        // so the series' float samples still load.
        d.unsupported = true;
        static const QRegularExpression hist(QStringLiteral(R"(\{\{[^}]*\}\}(x\d+)?)"));
        rest.replace(hist, QStringLiteral("_"));
    }
    auto v = parseValues(rest);
    if (!v)
        return fail(v.error());
    d.values = *v;
    return d;
}

bool almostEqual(double a, double b)
{
    if (std::isnan(a) && std::isnan(b))
        return true;
    if (a == b)
        return true;
    const double eps = 0.000001, minNormal = 2.2250738585072014e-308;
    const double absSum = std::abs(a) + std::abs(b);
    const double diff = std::abs(a - b);
    if (a == 0 || b == 0 || absSum < minNormal)
        return diff < eps * minNormal;
    return diff / std::min(absSum, std::numeric_limits<double>::max()) < eps;
}

Result<TimestampMs> parseTime(const QString &s)
{
    auto d = model::parseDuration(s.trimmed());
    if (!d)
        return fail(Error::invalid(QStringLiteral("invalid time \"%1\"").arg(s)));
    return *d;
}

QString fmt(double v) { return formatFloat(v); }

struct Expectations
{
    bool fail = false;
    QString failMsg;
    QString failRegex;
    bool ordered = false;
    QList<std::pair<QString, QString>> warn; // (kind msg|regex|"", text)
    QList<std::pair<QString, QString>> info;
    bool noWarn = false;
    bool noInfo = false;
    std::optional<QString> string;
    bool rangeVector = false;
    TimestampMs rvStart = 0, rvEnd = 0, rvStep = 0;
    bool scalar = false;
    double scalarValue = 0;
    QList<SeriesDesc> series;
    bool unsupported = false;
};

bool annotationMatches(const std::pair<QString, QString> &exp, const QString &actual)
{
    if (exp.first.isEmpty())
        return true;
    if (exp.first == u"msg")
        return actual == exp.second;
    return QRegularExpression(exp.second).match(actual).hasMatch();
}

QString checkAnnotations(const QList<std::pair<QString, QString>> &exp, bool none, const QStringList &actual,
                         const QString &what)
{
    if (none && !actual.isEmpty())
        return QStringLiteral("unexpected %1 annotation: %2").arg(what, actual.first());
    if (exp.isEmpty())
        return {};
    for (const auto &e : exp) {
        bool any = false;
        for (const auto &a : actual)
            any = any || annotationMatches(e, a);
        if (!any)
            return QStringLiteral("expected %1 annotation \"%2\" not found (got: %3)")
                .arg(what, e.second, actual.join(QStringLiteral("; ")));
    }
    for (const auto &a : actual) {
        bool any = false;
        for (const auto &e : exp)
            any = any || annotationMatches(e, a);
        if (!any)
            return QStringLiteral("unexpected %1 annotation: %2").arg(what, a);
    }
    return {};
}

} // namespace

PromqlTestRunner::PromqlTestRunner(EngineOptions opts) : m_opts(opts) {}

PromqlTestRunner::FileResult PromqlTestRunner::runFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        FileResult r;
        r.file = path;
        r.failed = 1;
        r.cases.push_back({path, 0, QString(), false, QStringLiteral("cannot open %1: %2").arg(path, f.errorString())});
        return r;
    }
    return runScript(QString::fromUtf8(f.readAll()), QFileInfo(path).fileName());
}

PromqlTestRunner::FileResult PromqlTestRunner::runScript(const QString &script, const QString &name)
{
    FileResult result;
    result.file = name;
    QStringList lines = script.split(u'\n');
    for (auto &l : lines) {
        l = l.trimmed();
        if (l.startsWith(u'#'))
            l.clear();
    }
    MemoryQueryable store;
    Engine engine(m_opts);
    static const QRegularExpression patLoad(QStringLiteral(R"(^load(?:_(with_nhcb))?\s+(.+?)$)"));
    static const QRegularExpression patInstant(QStringLiteral(R"(^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$)"));
    static const QRegularExpression patRange(QStringLiteral(R"(^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$)"));
    static const QRegularExpression patExpect(QStringLiteral(R"(^expect\s+(fail|warn|info|no_warn|no_info|ordered|string|range\s+vector)\s*(?:(msg|regex)\s*:\s*(.*))?$)"));
    static const QRegularExpression patRangeVec(QStringLiteral(R"(^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$)"));

    auto failCase = [&](int line, const QString &cmd, const QString &msg) {
        result.cases.push_back({name, line, cmd, false, msg});
        ++result.failed;
    };

    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &l = lines[i];
        if (l.isEmpty())
            continue;
        const int lineNo = int(i + 1);
        if (l == u"clear") {
            store.clear();
            continue;
        }
        if (auto m = patLoad.match(l); m.hasMatch()) {
            auto interval = model::parseDuration(m.captured(2));
            while (i + 1 < lines.size() && !lines[i + 1].isEmpty()) {
                ++i;
                if (!interval)
                    continue;
                auto d = parseSeriesLine(lines[i]);
                if (!d)
                    continue;
                QList<Sample> samples;
                for (qsizetype k = 0; k < d->values.size(); ++k)
                    if (!d->values[k].omitted)
                        samples.push_back({TimestampMs(k) * *interval, d->values[k].v});
                store.add(d->labels, samples);
            }
            continue;
        }
        auto mi = patInstant.match(l);
        auto mr = patRange.match(l);
        if (!mi.hasMatch() && !mr.hasMatch()) {
            if (l.startsWith(u"eval"))
                failCase(lineNo, l, QStringLiteral("unsupported eval syntax"));
            continue;
        }
        const bool instant = mi.hasMatch();
        const QString mod = instant ? mi.captured(1) : mr.captured(1);
        const QString expr = instant ? mi.captured(3) : mr.captured(5);
        Expectations ex;
        if (mod == u"fail")
            ex.fail = true;
        else if (mod == u"ordered")
            ex.ordered = true;
        else if (mod == u"warn")
            ex.warn.push_back({QString(), QString()});
        else if (mod == u"info")
            ex.info.push_back({QString(), QString()});
        QString bodyError;
        while (i + 1 < lines.size() && !lines[i + 1].isEmpty()) {
            ++i;
            const QString &b = lines[i];
            if (b.startsWith(QStringLiteral("expected_fail_message"))) {
                ex.fail = true;
                ex.failMsg = b.mid(21).trimmed();
                continue;
            }
            if (b.startsWith(QStringLiteral("expected_fail_regexp"))) {
                ex.fail = true;
                ex.failRegex = b.mid(20).trimmed();
                continue;
            }
            if (b.startsWith(QStringLiteral("expect "))) {
                if (auto rv = patRangeVec.match(b); rv.hasMatch()) {
                    auto s = parseTime(rv.captured(1)), e = parseTime(rv.captured(2)), st = parseTime(rv.captured(3));
                    if (!s || !e || !st) {
                        bodyError = QStringLiteral("bad expect range vector line");
                        continue;
                    }
                    ex.rangeVector = true;
                    ex.rvStart = *s;
                    ex.rvEnd = *e;
                    ex.rvStep = *st;
                    continue;
                }
                if (b.startsWith(QStringLiteral("expect string"))) {
                    QString s = b.mid(13).trimmed();
                    if (s.size() >= 2)
                        s = s.mid(1, s.size() - 2);
                    ex.string = s;
                    continue;
                }
                auto em = patExpect.match(b);
                if (!em.hasMatch()) {
                    bodyError = QStringLiteral("unsupported expect line: ") + b;
                    continue;
                }
                const QString kind = em.captured(1);
                QString text = em.captured(3).trimmed();
                if (text.size() >= 2 && text.startsWith(u'"') && text.endsWith(u'"'))
                    text = text.mid(1, text.size() - 2);
                if (kind == u"fail") {
                    ex.fail = true;
                    if (em.captured(2) == u"msg")
                        ex.failMsg = text;
                    else if (em.captured(2) == u"regex")
                        ex.failRegex = text;
                } else if (kind == u"ordered") {
                    ex.ordered = true;
                } else if (kind == u"warn") {
                    ex.warn.push_back({em.captured(2), text});
                } else if (kind == u"info") {
                    ex.info.push_back({em.captured(2), text});
                } else if (kind == u"no_warn") {
                    ex.noWarn = true;
                } else if (kind == u"no_info") {
                    ex.noInfo = true;
                }
                continue;
            }
            // A lone number is a scalar expectation.
            if (!b.contains(u' ') && !b.contains(u'\t') && !b.contains(u'{')) {
                if (auto v = parseNumber(b); v) {
                    ex.scalar = true;
                    ex.scalarValue = *v;
                    continue;
                }
            }
            auto d = parseSeriesLine(b);
            if (!d) {
                bodyError = QStringLiteral("cannot parse expected series \"%1\": %2").arg(b, d.error().message);
                continue;
            }
            if (d->unsupported)
                ex.unsupported = true;
            ex.series.push_back(*d);
        }
        if (!bodyError.isEmpty()) {
            failCase(lineNo, l, bodyError);
            continue;
        }
        if (ex.unsupported) {
            failCase(lineNo, l, QStringLiteral("native histogram samples are not supported"));
            continue;
        }

        Result<QueryResult> res;
        TimestampMs start = 0, end = 0, step = 0;
        if (instant) {
            auto t = parseTime(mi.captured(2).isEmpty() ? QStringLiteral("0") : mi.captured(2));
            if (!t) {
                failCase(lineNo, l, t.error().message);
                continue;
            }
            start = end = *t;
            res = engine.instantQuery(store, expr, *t);
        } else {
            auto s = parseTime(mr.captured(2)), e = parseTime(mr.captured(3)), st = parseTime(mr.captured(4));
            if (!s || !e || !st) {
                failCase(lineNo, l, QStringLiteral("invalid range"));
                continue;
            }
            start = *s;
            end = *e;
            step = *st;
            res = engine.rangeQuery(store, expr, start, end, step);
        }

        auto check = [&]() -> QString {
            if (ex.fail) {
                if (res)
                    return QStringLiteral("expected error, got success");
                const QString msg = res.error().toString();
                if (!ex.failMsg.isEmpty() && msg != ex.failMsg && res.error().message != ex.failMsg)
                    return QStringLiteral("expected error \"%1\", got \"%2\"").arg(ex.failMsg, msg);
                if (!ex.failRegex.isEmpty() && !QRegularExpression(ex.failRegex).match(msg).hasMatch())
                    return QStringLiteral("expected error matching \"%1\", got \"%2\"").arg(ex.failRegex, msg);
                return {};
            }
            if (!res)
                return QStringLiteral("unexpected error: ") + res.error().toString();
            QStringList warns, infos;
            for (const auto &w : res->warnings)
                (w.startsWith(QStringLiteral("PromQL info")) ? infos : warns) << w;
            if (auto a = checkAnnotations(ex.warn, ex.noWarn, warns, QStringLiteral("warn")); !a.isEmpty())
                return a;
            if (auto a = checkAnnotations(ex.info, ex.noInfo, infos, QStringLiteral("info")); !a.isEmpty())
                return a;
            const QueryResult &r = *res;
            if (ex.string) {
                if (r.type != ValueType::String)
                    return QStringLiteral("expected string result, got %1").arg(valueTypeName(r.type));
                return r.string == *ex.string ? QString() : QStringLiteral("expected string \"%1\", got \"%2\"").arg(*ex.string, r.string);
            }
            if (r.type == ValueType::Scalar) {
                if (!ex.scalar)
                    return QStringLiteral("unexpected scalar result %1").arg(fmt(r.scalar));
                return almostEqual(ex.scalarValue, r.scalar) ? QString()
                       : QStringLiteral("expected scalar %1, got %2").arg(fmt(ex.scalarValue), fmt(r.scalar));
            }
            if (ex.scalar)
                return QStringLiteral("expected scalar result, got %1").arg(valueTypeName(r.type));
            QHash<Labels, qsizetype> expIdx;
            for (qsizetype k = 0; k < ex.series.size(); ++k)
                expIdx.insert(ex.series[k].labels, k);
            if (r.type == ValueType::Vector) {
                QSet<Labels> seen;
                for (qsizetype pos = 0; pos < r.vector.size(); ++pos) {
                    const auto &s = r.vector[pos];
                    auto it = expIdx.constFind(s.labels);
                    if (it == expIdx.constEnd())
                        return QStringLiteral("unexpected metric %1 in result, has value %2").arg(s.labels.toString(), fmt(s.v));
                    if (ex.ordered && *it != pos)
                        return QStringLiteral("expected metric %1 at position %2 but was at %3").arg(s.labels.toString()).arg(*it + 1).arg(pos + 1);
                    const auto &vals = ex.series[*it].values;
                    if (vals.isEmpty() || vals[0].omitted)
                        return QStringLiteral("expected no value for %1").arg(s.labels.toString());
                    if (!almostEqual(vals[0].v, s.v))
                        return QStringLiteral("expected %1 for %2 but got %3").arg(fmt(vals[0].v), s.labels.toString(), fmt(s.v));
                    seen.insert(s.labels);
                }
                for (const auto &e : ex.series)
                    if (!seen.contains(e.labels))
                        return QStringLiteral("expected metric %1 not found").arg(e.labels.toString());
                return {};
            }
            // Matrix
            if (ex.ordered)
                return QStringLiteral("expected ordered result, but query returned a matrix");
            TimestampMs ms = start, mstep = step, mend = end;
            if (instant) {
                if (!ex.rangeVector && !ex.series.isEmpty())
                    return QStringLiteral("query returned a range vector; missing 'expect range vector'");
                ms = ex.rvStart;
                mstep = ex.rvStep;
                mend = ex.rvEnd;
            }
            QSet<Labels> seen;
            for (const auto &s : r.matrix) {
                auto it = expIdx.constFind(s.labels);
                if (it == expIdx.constEnd())
                    return QStringLiteral("unexpected metric %1 in result").arg(s.labels.toString());
                seen.insert(s.labels);
                QList<Sample> expected;
                const auto &vals = ex.series[*it].values;
                for (qsizetype k = 0; k < vals.size(); ++k) {
                    const TimestampMs t = ms + k * mstep;
                    if (t > mend)
                        return QStringLiteral("expected %1 points for %2, but query time range cannot return this many points").arg(vals.size()).arg(s.labels.toString());
                    if (!vals[k].omitted)
                        expected.push_back({t, vals[k].v});
                }
                if (expected.size() != s.samples.size()) {
                    QStringList got;
                    for (const auto &p : s.samples)
                        got << QStringLiteral("%1@%2").arg(fmt(p.v)).arg(p.t);
                    return QStringLiteral("expected %1 points for %2, got %3: %4").arg(expected.size()).arg(s.labels.toString()).arg(s.samples.size()).arg(got.join(u' '));
                }
                for (qsizetype k = 0; k < expected.size(); ++k) {
                    if (expected[k].t != s.samples[k].t)
                        return QStringLiteral("expected timestamp %1 for %2, got %3").arg(expected[k].t).arg(s.labels.toString()).arg(s.samples[k].t);
                    if (!almostEqual(expected[k].v, s.samples[k].v))
                        return QStringLiteral("expected %1 at %2 for %3, got %4").arg(fmt(expected[k].v)).arg(expected[k].t).arg(s.labels.toString(), fmt(s.samples[k].v));
                }
            }
            for (const auto &e : ex.series)
                if (!seen.contains(e.labels))
                    return QStringLiteral("expected metric %1 not found").arg(e.labels.toString());
            return {};
        };
        QString why = check();
        // Like Prometheus's promqltest: an instant query must give the same
        // answer as the middle step of a range query around it.
        // step(), range(), start() and end() depend on the query's shape by design.
        static const QRegularExpression queryShapeFns(QStringLiteral(R"(\b(step|range|start|end)\s*\()"));
        if (why.isEmpty() && instant && res && !ex.fail && !queryShapeFns.match(expr).hasMatch() &&
            (res->type == ValueType::Vector || res->type == ValueType::Scalar)) {
            auto rr = engine.rangeQuery(store, expr, start - 60'000, start + 60'000, 60'000);
            if (!rr) {
                why = QStringLiteral("range mode failed: ") + rr.error().toString();
            } else {
                QHash<Labels, double> mid;
                for (const auto &s : rr->matrix)
                    for (const auto &p : s.samples)
                        if (p.t == start)
                            mid.insert(s.labels, p.v);
                if (res->type == ValueType::Scalar) {
                    if (mid.size() != 1 || !almostEqual(mid.begin().value(), res->scalar))
                        why = QStringLiteral("range mode gives a different scalar");
                } else {
                    if (mid.size() != res->vector.size())
                        why = QStringLiteral("range mode gives %1 series at the instant, instant query %2")
                                  .arg(mid.size())
                                  .arg(res->vector.size());
                    for (const auto &smp : res->vector) {
                        auto it = mid.constFind(smp.labels);
                        if (it == mid.constEnd() || !almostEqual(*it, smp.v)) {
                            why = QStringLiteral("range mode differs for %1: %2 vs %3")
                                      .arg(smp.labels.toString(), it == mid.constEnd() ? QStringLiteral("missing") : fmt(*it), fmt(smp.v));
                            break;
                        }
                    }
                }
            }
        }
        if (why.isEmpty()) {
            result.cases.push_back({name, lineNo, l, true, {}});
            ++result.passed;
        } else {
            failCase(lineNo, l, why);
        }
    }
    return result;
}

} // namespace spyglass::query::promql
