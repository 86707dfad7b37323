#include "core/query/promql/promql_test_runner.h"

#include "core/model/time_range.h"
#include "core/query/promql/ast.h"
#include "core/query/promql/float_histogram.h"
#include "core/query/promql/lexer.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <map>
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
    HistogramPtr h;        // a native histogram value
    bool hintSet = false;  // counter_reset_hint written explicitly
};

struct SeriesDesc
{
    Labels labels;
    QList<SeqValue> values;
    bool unsupported = false;
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

Result<double> parseNumber(const QString &s);

// `{{schema:0 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2] offset:1
// n_buckets:[1] n_offset:0 custom_values:[1 2] counter_reset_hint:gauge}}`
// (the braces stripped).
Result<std::pair<std::shared_ptr<FloatHistogram>, bool>> parseHistogram(const QString &body)
{
    auto h = std::make_shared<FloatHistogram>();
    bool hintSet = false;
    QList<double> buckets, nbuckets;
    int offset = 0, noffset = 0;
    qsizetype i = 0;
    auto bad = [&](const QString &why) {
        return fail(Error::invalid(QStringLiteral("invalid histogram \"{{%1}}\": %2").arg(body, why)));
    };
    while (i < body.size()) {
        while (i < body.size() && body[i].isSpace())
            ++i;
        if (i >= body.size())
            break;
        const qsizetype colon = body.indexOf(u':', i);
        if (colon < 0)
            return bad(QStringLiteral("missing ':'"));
        const QString key = body.mid(i, colon - i).trimmed();
        i = colon + 1;
        while (i < body.size() && body[i].isSpace())
            ++i;
        QString val;
        if (i < body.size() && body[i] == u'[') {
            const qsizetype close = body.indexOf(u']', i);
            if (close < 0)
                return bad(QStringLiteral("missing ']'"));
            val = body.mid(i + 1, close - i - 1);
            i = close + 1;
        } else {
            qsizetype j = i;
            while (j < body.size() && !body[j].isSpace())
                ++j;
            val = body.mid(i, j - i);
            i = j;
        }
        auto list = [&](QList<double> &out) -> Result<void> {
            for (const auto &p : val.split(u' ', Qt::SkipEmptyParts)) {
                auto n = parseNumber(p);
                if (!n)
                    return fail(n.error());
                out.push_back(*n);
            }
            return {};
        };
        if (key == u"buckets" || key == u"n_buckets" || key == u"custom_values") {
            auto r = list(key == u"buckets" ? buckets : key == u"n_buckets" ? nbuckets : h->customValues);
            if (!r)
                return fail(r.error());
            continue;
        }
        if (key == u"counter_reset_hint") {
            hintSet = true;
            if (val == u"unknown")
                h->hint = CounterResetHint::Unknown;
            else if (val == u"reset")
                h->hint = CounterResetHint::CounterReset;
            else if (val == u"not_reset")
                h->hint = CounterResetHint::NotCounterReset;
            else if (val == u"gauge")
                h->hint = CounterResetHint::Gauge;
            else
                return bad(QStringLiteral("unknown counter_reset_hint"));
            continue;
        }
        auto n = parseNumber(val);
        if (!n)
            return bad(n.error().message);
        if (key == u"schema")
            h->schema = int(*n);
        else if (key == u"sum")
            h->sum = *n;
        else if (key == u"count")
            h->count = *n;
        else if (key == u"z_bucket")
            h->zeroCount = *n;
        else if (key == u"z_bucket_w")
            h->zeroThreshold = *n;
        else if (key == u"offset")
            offset = int(*n);
        else if (key == u"n_offset")
            noffset = int(*n);
        else
            return bad(QStringLiteral("unknown key \"%1\"").arg(key));
    }
    for (qsizetype k = 0; k < buckets.size(); ++k)
        h->positive.push_back({std::int32_t(offset + k), buckets[k]});
    for (qsizetype k = 0; k < nbuckets.size(); ++k)
        h->negative.push_back({std::int32_t(noffset + k), nbuckets[k]});
    return std::pair<std::shared_ptr<FloatHistogram>, bool>{h, hintSet};
}

Result<QList<SeqValue>> parseValues(const QString &text);

// Values that may contain `{{...}}` histograms with `x3`, `+{{..}}x3`, `-{{..}}x3`.
Result<QList<SeqValue>> parseValuesWithHistograms(const QString &text)
{
    QList<SeqValue> out;
    qsizetype i = 0;
    static const QRegularExpression times(QStringLiteral(R"(^x(\d+))"));
    while (i < text.size()) {
        if (text[i].isSpace()) {
            ++i;
            continue;
        }
        if (text.mid(i, 2) != u"{{") {
            qsizetype j = i;
            while (j < text.size() && !text[j].isSpace())
                ++j;
            auto v = parseValues(text.mid(i, j - i));
            if (!v)
                return fail(v.error());
            out.append(*v);
            i = j;
            continue;
        }
        auto readHist = [&](qsizetype &pos) -> Result<std::pair<std::shared_ptr<FloatHistogram>, bool>> {
            const qsizetype close = text.indexOf(QStringLiteral("}}"), pos);
            if (close < 0)
                return fail(Error::invalid(QStringLiteral("unclosed '{{' in series values")));
            auto h = parseHistogram(text.mid(pos + 2, close - pos - 2));
            pos = close + 2;
            return h;
        };
        auto base = readHist(i);
        if (!base)
            return fail(base.error());
        std::shared_ptr<FloatHistogram> inc;
        bool negate = false;
        if (i < text.size() && (text[i] == u'+' || text[i] == u'-') && text.mid(i + 1, 2) == u"{{") {
            negate = text[i] == u'-';
            ++i;
            auto h = readHist(i);
            if (!h)
                return fail(h.error());
            inc = h->first;
        }
        int n = 0;
        if (auto m = times.match(text.mid(i, 12)); m.hasMatch()) {
            n = m.captured(1).toInt();
            i += m.capturedLength(0);
        }
        std::shared_ptr<FloatHistogram> cur = base->first;
        out.push_back({false, 0, cur, base->second});
        for (int k = 0; k < n; ++k) {
            if (inc) {
                auto next = std::make_shared<FloatHistogram>(*cur);
                next->add(*inc, negate);
                cur = next;
            }
            out.push_back({false, 0, cur, base->second});
        }
    }
    return out;
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
            out.push_back({false, model::staleNaN(), {}, false});
            continue;
        }
        if (auto m = blank.match(p); m.hasMatch()) {
            const int n = m.captured(1).isEmpty() ? 1 : m.captured(1).toInt();
            for (int i = 0; i < n; ++i)
                out.push_back({true, 0, {}, false});
            continue;
        }
        auto m = item.match(p);
        if (!m.hasMatch())
            return fail(Error::invalid(QStringLiteral("invalid series value \"%1\"").arg(p)));
        auto start = parseNumber(m.captured(1));
        if (!start)
            return fail(start.error());
        if (m.captured(3).isEmpty()) {
            out.push_back({false, *start, {}, false});
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
            out.push_back({false, v, {}, false});
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
    const QString rest = line.mid(m->second);
    auto v = rest.contains(QStringLiteral("{{")) ? parseValuesWithHistograms(rest) : parseValues(rest);
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

// What the TSDB does to counter histograms as it cuts chunks: the first
// histogram after a float (or at the start) has an unknown counter reset
// hint, later ones "reset" or "not_reset" depending on reset detection.
// Gauge histograms and explicit hints stay as written.
QList<HistogramSample> assignCounterResetHints(QList<HistogramSample> hs, const QList<Sample> &floats)
{
    HistogramPtr prev;
    TimestampMs prevT = 0;
    qsizetype f = 0;
    for (auto &s : hs) {
        bool floatBetween = false;
        while (f < floats.size() && floats[f].t < s.t) {
            if (prev && floats[f].t > prevT && !model::isStaleNaN(floats[f].v))
                floatBetween = true;
            ++f;
        }
        if (floatBetween)
            prev.reset();
        if (s.h->hint == CounterResetHint::Gauge) {
            prev = s.h;
            prevT = s.t;
            continue;
        }
        auto h = std::make_shared<FloatHistogram>(*s.h);
        if (!prev || prev->hint == CounterResetHint::Gauge) {
            if (h->hint != CounterResetHint::CounterReset)
                h->hint = CounterResetHint::Unknown;
        } else {
            h->hint = h->detectReset(*prev) ? CounterResetHint::CounterReset : CounterResetHint::NotCounterReset;
        }
        s.h = h;
        prev = s.h;
        prevT = s.t;
    }
    return hs;
}

// load_with_nhcb: classic histogram series (x_bucket{le=...}, x_count,
// x_sum) also loaded as native histograms with custom buckets named x.
class NhcbCollector
{
public:
    void add(const Labels &labels, const QList<Sample> &samples)
    {
        const QString name = labels.metricName();
        int kind = -1;
        QString base;
        for (const auto &[suffix, k] : {std::pair{QStringLiteral("_bucket"), 0}, std::pair{QStringLiteral("_count"), 1},
                                        std::pair{QStringLiteral("_sum"), 2}}) {
            if (name.endsWith(suffix)) {
                kind = k;
                base = name.left(name.size() - suffix.size());
                break;
            }
        }
        if (kind < 0)
            return;
        double le = 0;
        if (kind == 0) {
            if (!labels.has(u"le"))
                return;
            const QString l = labels.value(u"le").trimmed();
            bool ok = false;
            le = l.toDouble(&ok);
            if (!ok) {
                if (l.compare(u"+inf", Qt::CaseInsensitive) == 0 || l.compare(u"inf", Qt::CaseInsensitive) == 0)
                    le = INFINITY;
                else
                    return;
            }
            if (std::isnan(le))
                return;
        }
        const Labels key = labels.without(u"le").with(QStringLiteral("__name__"), base);
        auto &byTime = m_hists[key];
        for (const auto &s : samples) {
            auto &t = byTime[s.t];
            if (kind == 0)
                t.buckets.push_back({le, s.v});
            else if (kind == 1) {
                t.count = s.v;
                t.hasCount = true;
            } else {
                t.sum = s.v;
            }
        }
    }

    QList<std::pair<Labels, QList<HistogramSample>>> convert() const
    {
        QList<std::pair<Labels, QList<HistogramSample>>> out;
        for (auto it = m_hists.begin(); it != m_hists.end(); ++it) {
            QList<HistogramSample> hs;
            for (auto t = it->begin(); t != it->end(); ++t) {
                Temp tmp = t->second;
                std::sort(tmp.buckets.begin(), tmp.buckets.end());
                if (tmp.buckets.isEmpty() || !std::isinf(tmp.buckets.back().first)) {
                    if (!tmp.hasCount && !tmp.buckets.isEmpty())
                        tmp.count = tmp.buckets.back().second;
                    tmp.buckets.push_back({INFINITY, tmp.count});
                }
                if (!tmp.hasCount)
                    tmp.count = tmp.buckets.back().second;
                auto h = std::make_shared<FloatHistogram>();
                h->schema = FloatHistogram::kCustomBucketsSchema;
                h->count = tmp.count;
                h->sum = tmp.sum;
                double prev = 0;
                for (qsizetype k = 0; k < tmp.buckets.size(); ++k) {
                    if (k + 1 < tmp.buckets.size())
                        h->customValues.push_back(tmp.buckets[k].first);
                    h->positive.push_back({std::int32_t(k), tmp.buckets[k].second - prev});
                    prev = tmp.buckets[k].second;
                }
                hs.push_back({t->first, h});
            }
            out.push_back({it.key(), hs});
        }
        return out;
    }

private:
    struct Temp
    {
        QList<std::pair<double, double>> buckets; // (le, cumulative count)
        double count = 0;
        double sum = 0;
        bool hasCount = false;
    };
    QHash<Labels, std::map<TimestampMs, Temp>> m_hists;
};

bool histogramsMatch(const FloatHistogram &expIn, const FloatHistogram &curIn, bool hintSet)
{
    FloatHistogram exp = expIn, cur = curIn;
    exp.compact();
    cur.compact();
    if (exp.schema != cur.schema || !almostEqual(exp.count, cur.count) || !almostEqual(exp.sum, cur.sum))
        return false;
    if (exp.usesCustomBuckets() && !customBoundsMatch(exp.customValues, cur.customValues))
        return false;
    if (exp.zeroThreshold != cur.zeroThreshold || !almostEqual(exp.zeroCount, cur.zeroCount))
        return false;
    auto same = [](const QList<HistogramBucket> &a, const QList<HistogramBucket> &b) {
        if (a.size() != b.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i)
            if (a[i].index != b[i].index || !almostEqual(a[i].count, b[i].count))
                return false;
        return true;
    };
    if (!same(exp.positive, cur.positive) || !same(exp.negative, cur.negative))
        return false;
    return !hintSet || exp.hint == cur.hint;
}

// Compares one expected value with one result value (float or histogram).
QString compareValue(const SeqValue &e, double v, const HistogramPtr &h, const QString &what)
{
    if (e.h && !h)
        return QStringLiteral("expected histogram %1 for %2 but got float value %3").arg(e.h->testExpression(), what, fmt(v));
    if (!e.h && h)
        return QStringLiteral("expected float value %1 for %2 but got histogram %3").arg(fmt(e.v), what, h->testExpression());
    if (e.h) {
        if (!histogramsMatch(*e.h, *h, e.hintSet))
            return QStringLiteral("expected %1 for %2 but got %3").arg(e.h->testExpression(), what, h->testExpression());
        return {};
    }
    if (!almostEqual(e.v, v))
        return QStringLiteral("expected %1 for %2 but got %3").arg(fmt(e.v), what, fmt(v));
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
            const bool withNhcb = m.captured(1) == u"with_nhcb";
            NhcbCollector nhcb;
            while (i + 1 < lines.size() && !lines[i + 1].isEmpty()) {
                ++i;
                if (!interval)
                    continue;
                auto d = parseSeriesLine(lines[i]);
                if (!d)
                    continue;
                QList<Sample> samples;
                QList<HistogramSample> hists;
                for (qsizetype k = 0; k < d->values.size(); ++k) {
                    const auto &v = d->values[k];
                    if (v.omitted)
                        continue;
                    if (v.h)
                        hists.push_back({TimestampMs(k) * *interval, v.h});
                    else
                        samples.push_back({TimestampMs(k) * *interval, v.v});
                }
                store.add(d->labels, samples);
                if (!hists.isEmpty())
                    store.addHistograms(d->labels, assignCounterResetHints(hists, samples));
                if (withNhcb)
                    nhcb.add(d->labels, samples);
            }
            if (withNhcb)
                for (const auto &[labels, hs] : nhcb.convert())
                    store.addHistograms(labels, assignCounterResetHints(hs, {}));
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
                    if (auto c = compareValue(vals[0], s.v, s.h, s.labels.toString()); !c.isEmpty())
                        return c;
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
            for (qsizetype mi = 0; mi < r.matrix.size(); ++mi) {
                const auto &s = r.matrix[mi];
                static const QList<HistogramPoint> noHists;
                const auto &hs = mi < r.matrixHistograms.size() ? r.matrixHistograms[mi] : noHists;
                auto it = expIdx.constFind(s.labels);
                if (it == expIdx.constEnd())
                    return QStringLiteral("unexpected metric %1 in result").arg(s.labels.toString());
                seen.insert(s.labels);
                QList<std::pair<TimestampMs, SeqValue>> expFloats, expHists;
                const auto &vals = ex.series[*it].values;
                for (qsizetype k = 0; k < vals.size(); ++k) {
                    const TimestampMs t = ms + k * mstep;
                    if (t > mend)
                        return QStringLiteral("expected %1 points for %2, but query time range cannot return this many points").arg(vals.size()).arg(s.labels.toString());
                    if (vals[k].h)
                        expHists.push_back({t, vals[k]});
                    else if (!vals[k].omitted)
                        expFloats.push_back({t, vals[k]});
                }
                if (expFloats.size() != s.samples.size() || expHists.size() != hs.size()) {
                    QStringList got;
                    for (const auto &p : s.samples)
                        got << QStringLiteral("%1@%2").arg(fmt(p.v)).arg(p.t);
                    for (const auto &p : hs)
                        got << QStringLiteral("%1@%2").arg(p.h->testExpression()).arg(p.t);
                    return QStringLiteral("expected %1 float and %2 histogram points for %3, got %4 and %5: %6")
                        .arg(expFloats.size()).arg(expHists.size()).arg(s.labels.toString())
                        .arg(s.samples.size()).arg(hs.size()).arg(got.join(u' '));
                }
                for (qsizetype k = 0; k < expFloats.size(); ++k) {
                    if (expFloats[k].first != s.samples[k].t)
                        return QStringLiteral("expected timestamp %1 for %2, got %3").arg(expFloats[k].first).arg(s.labels.toString()).arg(s.samples[k].t);
                    if (auto c = compareValue(expFloats[k].second, s.samples[k].v, {}, s.labels.toString()); !c.isEmpty())
                        return c + QStringLiteral(" at %1").arg(s.samples[k].t);
                }
                for (qsizetype k = 0; k < expHists.size(); ++k) {
                    if (expHists[k].first != hs[k].t)
                        return QStringLiteral("expected histogram timestamp %1 for %2, got %3").arg(expHists[k].first).arg(s.labels.toString()).arg(hs[k].t);
                    if (auto c = compareValue(expHists[k].second, 0, hs[k].h, s.labels.toString()); !c.isEmpty())
                        return c + QStringLiteral(" at %1").arg(hs[k].t);
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
                QHash<Labels, std::pair<double, HistogramPtr>> mid;
                for (qsizetype mi = 0; mi < rr->matrix.size(); ++mi) {
                    const auto &s = rr->matrix[mi];
                    for (const auto &p : s.samples)
                        if (p.t == start)
                            mid.insert(s.labels, {p.v, {}});
                    if (mi < rr->matrixHistograms.size())
                        for (const auto &p : rr->matrixHistograms[mi])
                            if (p.t == start)
                                mid.insert(s.labels, {0, p.h});
                }
                if (res->type == ValueType::Scalar) {
                    if (mid.size() != 1 || !almostEqual(mid.begin().value().first, res->scalar))
                        why = QStringLiteral("range mode gives a different scalar");
                } else {
                    if (mid.size() != res->vector.size())
                        why = QStringLiteral("range mode gives %1 series at the instant, instant query %2")
                                  .arg(mid.size())
                                  .arg(res->vector.size());
                    for (const auto &smp : res->vector) {
                        auto it = mid.constFind(smp.labels);
                        if (it == mid.constEnd()) {
                            why = QStringLiteral("range mode misses %1").arg(smp.labels.toString());
                            break;
                        }
                        SeqValue asExpected{false, smp.v, smp.h, false};
                        if (auto c = compareValue(asExpected, it->first, it->second, smp.labels.toString()); !c.isEmpty()) {
                            why = QStringLiteral("range mode differs: ") + c;
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
