#include "core/api/loki_api.h"

#include "core/model/time_range.h"
#include "core/query/logql/engine.h"
#include "core/query/logql/parser.h"
#include "core/store/storage.h"
#include "core/model/json_string.h"

#include <QSet>

#include <chrono>
#include <cmath>
#include <thread>
#include <limits>

namespace spyglass::api {

using model::TimestampNs;
using query::logql::LogqlEngine;
using query::logql::LogqlParser;
using query::logql::LogqlQuery;
using query::logql::LogqlResult;

namespace {

constexpr std::int64_t kNsPerSec = 1'000'000'000;
constexpr qsizetype kMaxLimit = 5000; // Loki's default max_entries_limit_per_query

void appendLabels(QByteArray &out, const model::Labels &labels)
{
    out += '{';
    bool first = true;
    for (const auto &l : labels) {
        if (!first)
            out += ',';
        first = false;
        appendJsonString(out, l.name);
        out += ':';
        appendJsonString(out, l.value);
    }
    out += '}';
}

// Loki answers bad requests with the message as plain text.
HttpResponse badRequest(const QString &msg)
{
    return HttpResponse::text(400, msg.toUtf8() + '\n');
}

QByteArray formatValue(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    // Go's strconv.FormatFloat(v, 'f', -1, 64), as Loki and Prometheus print.
    return QString::number(v, 'f', QLocale::FloatingPointShortest).toUtf8();
}

// Seconds with millisecond precision, as Prometheus' model.Time marshals.
QByteArray formatSeconds(TimestampNs ns)
{
    const std::int64_t ms = ns / 1'000'000;
    if (ms % 1000 == 0)
        return QByteArray::number(ms / 1000);
    QByteArray s = QByteArray::number(double(ms) / 1000.0, 'f', 3);
    while (s.endsWith('0'))
        s.chop(1);
    return s;
}

// Loki accepts Unix nanoseconds, (fractional) seconds or RFC 3339.
Result<TimestampNs> parseLokiTime(const QString &raw, TimestampNs fallback)
{
    const QString s = raw.trimmed();
    if (s.isEmpty())
        return fallback;
    bool ok = false;
    if (!s.contains(u'.') && !s.contains(u'T')) {
        const qint64 v = s.toLongLong(&ok);
        if (ok) {
            const qsizetype digits = s.startsWith(u'-') ? s.size() - 1 : s.size();
            if (digits <= 10)
                return v * kNsPerSec;
            if (digits <= 13)
                return v * 1'000'000;
            if (digits <= 16)
                return v * 1'000;
            return v;
        }
    }
    const double d = s.toDouble(&ok);
    if (ok)
        return TimestampNs(std::llround(d * 1e9));
    auto ms = model::parseTimestamp(s);
    if (!ms)
        return fail(Error::invalid(QStringLiteral("cannot parse \"%1\" to a valid timestamp").arg(s)));
    // Keep sub-millisecond digits of RFC 3339 times when present.
    TimestampNs ns = *ms * 1'000'000;
    const qsizetype dot = s.indexOf(u'.');
    if (dot > 0) {
        qsizetype end = dot + 1;
        while (end < s.size() && s[end].isDigit())
            ++end;
        const QString frac = QString(s.mid(dot + 1, end - dot - 1) + QStringLiteral("000000000")).left(9);
        ns = (*ms / 1000) * kNsPerSec + frac.toLongLong();
    }
    return ns;
}

// Step / interval: a duration ("15s") or a number of (fractional) seconds.
Result<std::int64_t> parseStep(const QString &raw)
{
    bool ok = false;
    const double d = raw.toDouble(&ok);
    if (ok)
        return std::int64_t(std::llround(d * 1e9));
    if (auto secs = query::logql::parseGoDuration(raw))
        return std::int64_t(std::llround(*secs * 1e9));
    return fail(Error::invalid(QStringLiteral("cannot parse \"%1\" to a valid duration").arg(raw)));
}

TimestampNs nowNs()
{
    return model::nowMs() * 1'000'000;
}

QByteArray statsJson(const query::logql::LogqlStats &st)
{
    const double secs = std::max(st.execSeconds, 1e-9);
    QByteArray out = "{\"summary\":{";
    out += "\"bytesProcessedPerSecond\":" + QByteArray::number(std::int64_t(double(st.bytesScanned) / secs));
    out += ",\"linesProcessedPerSecond\":" + QByteArray::number(std::int64_t(double(st.linesScanned) / secs));
    out += ",\"totalBytesProcessed\":" + QByteArray::number(st.bytesScanned);
    out += ",\"totalLinesProcessed\":" + QByteArray::number(st.linesScanned);
    out += ",\"totalEntriesReturned\":" + QByteArray::number(st.linesReturned);
    out += ",\"execTime\":" + QByteArray::number(st.execSeconds, 'f', 6);
    out += ",\"queueTime\":0,\"subqueries\":0,\"shards\":1,\"totalPostFilterLines\":" + QByteArray::number(st.linesReturned);
    out += "}}";
    return out;
}

// [{"stream": {...}, "values": [["ns", "line", {categorized labels}], ...]}, ...]
void appendStreams(QByteArray &out, const QList<query::logql::LogStreamOut> &streams)
{
        out += '[';
        for (qsizetype i = 0; i < streams.size(); ++i) {
            if (i)
                out += ',';
            out += "{\"stream\":";
            appendLabels(out, streams[i].labels);
            out += ",\"values\":[";
            const auto &es = streams[i].entries;
            for (qsizetype j = 0; j < es.size(); ++j) {
                if (j)
                    out += ',';
                out += "[\"" + QByteArray::number(es[j].time) + "\",";
                appendJsonString(out, es[j].line);
                if (!es[j].metadata.isEmpty() || !es[j].parsed.isEmpty()) {
                    // Loki 3's categorized labels (third element).
                    out += ",{";
                    bool first = true;
                    if (!es[j].metadata.isEmpty()) {
                        out += "\"structuredMetadata\":";
                        appendLabels(out, es[j].metadata);
                        first = false;
                    }
                    if (!es[j].parsed.isEmpty()) {
                        if (!first)
                            out += ',';
                        out += "\"parsed\":";
                        appendLabels(out, es[j].parsed);
                    }
                    out += '}';
                }
                out += ']';
            }
            out += "]}";
        }
        out += ']';
}

QByteArray resultJson(const LogqlResult &r)
{
    QByteArray out = "{\"status\":\"success\",\"data\":{\"resultType\":\"";
    out += LogqlResult::typeName(r.type).toUtf8();
    out += "\",\"result\":";
    switch (r.type) {
    case LogqlResult::Type::Streams:
        appendStreams(out, r.streams);
        break;
    case LogqlResult::Type::Matrix:
        out += '[';
        for (qsizetype i = 0; i < r.series.size(); ++i) {
            if (i)
                out += ',';
            out += "{\"metric\":";
            appendLabels(out, r.series[i].labels);
            out += ",\"values\":[";
            const auto &ps = r.series[i].points;
            for (qsizetype j = 0; j < ps.size(); ++j) {
                if (j)
                    out += ',';
                out += '[' + formatSeconds(ps[j].first) + ",\"" + formatValue(ps[j].second) + "\"]";
            }
            out += "]}";
        }
        out += ']';
        break;
    case LogqlResult::Type::Vector:
        out += '[';
        for (qsizetype i = 0; i < r.series.size(); ++i) {
            if (i)
                out += ',';
            out += "{\"metric\":";
            appendLabels(out, r.series[i].labels);
            const auto &p = r.series[i].points.front();
            out += ",\"value\":[" + formatSeconds(p.first) + ",\"" + formatValue(p.second) + "\"]}";
        }
        out += ']';
        break;
    case LogqlResult::Type::Scalar:
        out += '[' + formatSeconds(r.scalarTime) + ",\"" + formatValue(r.scalar) + "\"]";
        break;
    }
    out += ",\"stats\":" + statsJson(r.stats) + "}}";
    return out;
}

HttpResponse errorResponse(const Error &e)
{
    switch (e.kind) {
    case Error::Kind::Cancelled: return HttpResponse::text(499, "context canceled\n");
    case Error::Kind::Timeout: return HttpResponse::text(504, "context deadline exceeded\n");
    case Error::Kind::Io:
    case Error::Kind::Internal:
    case Error::Kind::Unavailable: return HttpResponse::text(500, e.message.toUtf8() + '\n');
    default: return badRequest(e.message);
    }
}

Result<store::LogDirection> parseDirection(const QString &s)
{
    if (s.isEmpty() || s.compare(QLatin1String("backward"), Qt::CaseInsensitive) == 0)
        return store::LogDirection::Backward;
    if (s.compare(QLatin1String("forward"), Qt::CaseInsensitive) == 0)
        return store::LogDirection::Forward;
    return fail(Error::invalid(QStringLiteral("invalid direction \"%1\"").arg(s)));
}

Result<qsizetype> parseLimit(const QString &s)
{
    if (s.isEmpty())
        return qsizetype(100);
    bool ok = false;
    const qint64 v = s.toLongLong(&ok);
    if (!ok || v <= 0)
        return fail(Error::invalid(QStringLiteral("limit must be a positive value")));
    if (v > kMaxLimit)
        return fail(Error::invalid(QStringLiteral("max entries limit per query exceeded, limit > max_entries_limit_per_query (%1 > %2)")
                                       .arg(v).arg(kMaxLimit)));
    return qsizetype(v);
}

HttpResponse runQuery(store::Storage &storage, const HttpRequest &req, bool range)
{
    const QueryParams p = req.formParams();
    const QString expr = p.value(u"query");
    if (expr.isEmpty())
        return badRequest(QStringLiteral("query parameter is required"));
    LogqlQuery q;
    q.expr = expr;
    auto dir = parseDirection(p.value(u"direction"));
    if (!dir)
        return badRequest(dir.error().message);
    q.direction = *dir;
    auto limit = parseLimit(p.value(u"limit"));
    if (!limit)
        return badRequest(limit.error().message);
    q.limit = *limit;
    const TimestampNs now = nowNs();
    if (range) {
        auto end = parseLokiTime(p.value(u"end"), now);
        if (!end)
            return badRequest(end.error().message);
        auto start = parseLokiTime(p.value(u"start"), *end - 3600 * kNsPerSec);
        if (!start)
            return badRequest(start.error().message);
        if (*end < *start)
            return badRequest(QStringLiteral("end timestamp must not be before or equal to start time"));
        q.start = *start;
        q.end = *end;
        if (p.has(u"step") && !p.value(u"step").isEmpty()) {
            auto step = parseStep(p.value(u"step"));
            if (!step)
                return badRequest(step.error().message);
            if (*step <= 0)
                return badRequest(QStringLiteral("zero or negative query resolution step widths are not accepted. Try a positive integer"));
            q.stepNs = *step;
        } else {
            // Loki's default: about 250 points, at least 1 s.
            q.stepNs = std::max<std::int64_t>(kNsPerSec, (q.end - q.start) / 250 / kNsPerSec * kNsPerSec);
        }
        if ((q.end - q.start) / q.stepNs > 11000)
            return badRequest(QStringLiteral("exceeded maximum resolution of 11,000 points per timeseries. Try increasing the value of the step parameter"));
        if (p.has(u"interval") && !p.value(u"interval").isEmpty()) {
            auto iv = parseStep(p.value(u"interval"));
            if (!iv)
                return badRequest(iv.error().message);
            q.intervalNs = *iv;
        }
    } else {
        auto t = parseLokiTime(p.value(u"time"), now);
        if (!t)
            return badRequest(t.error().message);
        q.start = q.end = *t;
        q.instant = true;
    }
    auto parsed = LogqlParser::parse(expr);
    if (!parsed)
        return badRequest(parsed.error().message);
    if (!range && (*parsed)->isLogQuery()) {
        // An instant log query reads the lookback window ending at `time`
        // (Loki: "log queries are not supported as an instant query type";
        // recent versions answer with the lines up to `time`).
        return badRequest(QStringLiteral("log queries are not supported as an instant query type, please change your query to a range query type"));
    }
    LogqlEngine engine(storage.logs());
    auto r = engine.exec(*parsed, q, req.cancel);
    if (!r)
        return errorResponse(r.error());
    return HttpResponse::json(200, resultJson(*r));
}

struct TimeWindow
{
    TimestampNs start;
    TimestampNs end;
};

Result<TimeWindow> labelWindow(const QueryParams &p)
{
    const TimestampNs now = nowNs();
    auto end = parseLokiTime(p.value(u"end"), now);
    if (!end)
        return fail(end.error());
    // Loki's default for label look-ups: the last 6 hours.
    auto start = parseLokiTime(p.value(u"start"), *end - 6 * 3600 * kNsPerSec);
    if (!start)
        return fail(start.error());
    if (p.has(u"since") && !p.has(u"start")) {
        auto since = parseStep(p.value(u"since"));
        if (!since)
            return fail(since.error());
        *start = *end - *since;
    }
    return TimeWindow{*start, *end};
}

HttpResponse stringList(const QStringList &values)
{
    QByteArray out = "{\"status\":\"success\",\"data\":[";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, values[i]);
    }
    out += "]}";
    return HttpResponse::json(200, out);
}

HttpResponse handleLabels(store::Storage &storage, const HttpRequest &req)
{
    auto w = labelWindow(req.formParams());
    if (!w)
        return badRequest(w.error().message);
    auto names = storage.logs().labelNames(w->start, w->end);
    if (!names)
        return errorResponse(names.error());
    return stringList(*names);
}

HttpResponse handleLabelValues(store::Storage &storage, const HttpRequest &req)
{
    const QueryParams p = req.formParams();
    auto w = labelWindow(p);
    if (!w)
        return badRequest(w.error().message);
    model::LabelMatchers matchers;
    if (!p.value(u"query").isEmpty()) {
        auto m = LogqlParser::parseSelector(p.value(u"query"));
        if (!m)
            return badRequest(m.error().message);
        matchers = *m;
    }
    auto values = storage.logs().labelValues(req.pathParams.value(QStringLiteral("name")), w->start, w->end, matchers);
    if (!values)
        return errorResponse(values.error());
    return stringList(*values);
}

HttpResponse handleSeries(store::Storage &storage, const HttpRequest &req)
{
    const QueryParams p = req.formParams();
    auto w = labelWindow(p);
    if (!w)
        return badRequest(w.error().message);
    QStringList selectors = p.values(u"match[]");
    selectors += p.values(u"match");
    if (selectors.isEmpty())
        return badRequest(QStringLiteral("at least one match[] argument must be provided"));
    QSet<model::Labels> seen;
    QList<model::Labels> out;
    for (const auto &sel : selectors) {
        auto m = LogqlParser::parseSelector(sel);
        if (!m)
            return badRequest(m.error().message);
        auto refs = storage.logs().streams(*m, w->start, w->end);
        if (!refs)
            return errorResponse(refs.error());
        for (const auto &r : *refs)
            if (!seen.contains(r.labels)) {
                seen.insert(r.labels);
                out.append(r.labels);
            }
    }
    std::sort(out.begin(), out.end());
    QByteArray body = "{\"status\":\"success\",\"data\":[";
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (i)
            body += ',';
        appendLabels(body, out[i]);
    }
    body += "]}";
    return HttpResponse::json(200, body);
}

// Log volume for the histogram: lines per stream (or per `aggregateBy`
// labels) over the window, as Loki's /index/volume "vector" answer.
HttpResponse handleVolume(store::Storage &storage, const HttpRequest &req, bool range)
{
    const QueryParams p = req.formParams();
    auto w = labelWindow(p);
    if (!w)
        return badRequest(w.error().message);
    auto m = LogqlParser::parseSelector(p.value(u"query"));
    if (!m)
        return badRequest(m.error().message);
    QStringList targets;
    for (const auto &t : p.value(u"targetLabels").split(u',', Qt::SkipEmptyParts))
        targets << t.trimmed();
    LogqlQuery q;
    q.start = w->start;
    q.end = w->end;
    // count_over_time over the window (instant) or per step (range), grouped.
    QString grouping;
    if (!targets.isEmpty())
        grouping = QStringLiteral("by (%1)").arg(targets.join(u','));
    QString sel = QStringLiteral("{");
    for (qsizetype i = 0; i < m->size(); ++i)
        sel += (i ? QStringLiteral(",") : QString()) + m->at(i).toString();
    sel += u'}';
    auto parsedSel = LogqlParser::parse(sel);
    if (!parsedSel)
        return badRequest(parsedSel.error().message);
    std::int64_t rangeNs = std::max<std::int64_t>(w->end - w->start, kNsPerSec);
    if (range) {
        auto step = parseStep(p.value(u"step").isEmpty() ? QStringLiteral("60") : p.value(u"step"));
        if (!step || *step <= 0)
            return badRequest(QStringLiteral("invalid step"));
        q.stepNs = *step;
        rangeNs = *step;
    } else {
        q.instant = true;
        q.start = q.end;
    }
    const QString rangeText = QString::number(double(rangeNs) / 1e9, 'f', 3);
    // Without target labels every stream is its own series: sum without ().
    q.expr = QStringLiteral("sum %1 (count_over_time(%2[%3s]))")
                 .arg(grouping.isEmpty() ? QStringLiteral("without ()") : grouping, sel, rangeText);
    LogqlEngine engine(storage.logs());
    auto r = engine.exec(q, req.cancel);
    if (!r)
        return errorResponse(r.error());
    return HttpResponse::json(200, resultJson(*r));
}

// How often a tail looks for new lines. Loki's ingesters push; the store
// is polled, which costs one indexed stream look-up per poll.
constexpr int kTailPollMs = 200;
constexpr int kMaxDelayForSeconds = 5; // as Loki

void closeWithError(WebSocketConnection &ws, const QString &message)
{
    // Close reasons are limited to 123 bytes by RFC 6455.
    ws.close(1008, message.toUtf8().left(123));
}

// /loki/api/v1/tail: lines of `query` from `start` (default an hour ago),
// first at most `limit`, then every new line as it is stored, each batch
// as {"streams": [...], "dropped_entries": null}. Lines are never dropped
// here: a burst larger than `limit` goes out in several batches.
void runTail(store::Storage &storage, const HttpRequest &req, WebSocketConnection &ws)
{
    const QueryParams p = req.formParams();
    const QString expr = p.value(u"query");
    if (expr.isEmpty())
        return closeWithError(ws, QStringLiteral("query parameter is required"));
    auto parsed = LogqlParser::parse(expr);
    if (!parsed)
        return closeWithError(ws, parsed.error().message);
    if (!(*parsed)->isLogQuery())
        return closeWithError(ws, QStringLiteral("tail only supports log queries, not metric queries"));
    auto limit = parseLimit(p.value(u"limit"));
    if (!limit)
        return closeWithError(ws, limit.error().message);
    std::int64_t delayNs = 0;
    if (!p.value(u"delay_for").isEmpty()) {
        bool ok = false;
        const int d = p.value(u"delay_for").toInt(&ok);
        if (!ok || d < 0)
            return closeWithError(ws, QStringLiteral("delay_for must be a number of seconds"));
        if (d > kMaxDelayForSeconds)
            return closeWithError(ws, QStringLiteral("delay_for can't be greater than %1").arg(kMaxDelayForSeconds));
        delayNs = d * kNsPerSec;
    }
    auto start = parseLokiTime(p.value(u"start"), nowNs() - 3600 * kNsPerSec);
    if (!start)
        return closeWithError(ws, start.error().message);

    const LogqlEngine engine(storage.logs());
    TimestampNs cursor = *start;
    // Lines already sent at exactly `cursor` (the next poll reads it again).
    QSet<QByteArray> sentAtCursor;
    const CancelToken &closed = ws.closed();
    while (!closed.isCancelled()) {
        const TimestampNs end = nowNs() - delayNs + 1; // Loki's end is exclusive
        bool more = false;
        if (end > cursor) {
            LogqlQuery q;
            q.expr = expr;
            q.start = cursor;
            q.end = end;
            q.direction = store::LogDirection::Forward;
            q.limit = *limit;
            auto r = engine.exec(*parsed, q, closed);
            if (!r) {
                if (r.error().kind != Error::Kind::Cancelled)
                    closeWithError(ws, r.error().message);
                return;
            }
            qsizetype total = 0;
            TimestampNs newest = cursor;
            QSet<QByteArray> atNewest;
            for (auto &stream : r->streams) {
                QByteArray streamKey;
                appendLabels(streamKey, stream.labels);
                stream.entries.removeIf([&](const query::logql::LogEntryOut &e) {
                    return e.time == cursor && sentAtCursor.contains(streamKey + e.line.toUtf8());
                });
                for (const auto &e : stream.entries) {
                    if (e.time > newest) {
                        newest = e.time;
                        atNewest.clear();
                    }
                    if (e.time == newest)
                        atNewest.insert(streamKey + e.line.toUtf8());
                }
                total += stream.entries.size();
            }
            r->streams.removeIf([](const auto &s) { return s.entries.isEmpty(); });
            if (total > 0) {
                QByteArray msg = "{\"streams\":";
                appendStreams(msg, r->streams);
                msg += ",\"dropped_entries\":null}";
                if (!ws.sendText(msg))
                    return;
                if (newest == cursor)
                    sentAtCursor += atNewest;
                else
                    sentAtCursor = std::move(atNewest);
                cursor = newest;
            }
            // A full batch means more lines are waiting; read them at once.
            more = r->stats.linesReturned >= *limit && total > 0;
        }
        for (int waited = 0; !more && waited < kTailPollMs && !closed.isCancelled(); waited += 20)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace

void LokiApi::registerRoutes(Router &router, store::Storage &storage)
{
    store::Storage *s = &storage;
    const QByteArrayList getPost{"GET", "POST"};
    router.add(getPost, QStringLiteral("/loki/api/v1/query"), [s](const HttpRequest &r) { return runQuery(*s, r, false); });
    router.add(getPost, QStringLiteral("/loki/api/v1/query_range"), [s](const HttpRequest &r) { return runQuery(*s, r, true); });
    router.add(getPost, QStringLiteral("/loki/api/v1/labels"), [s](const HttpRequest &r) { return handleLabels(*s, r); });
    router.add(getPost, QStringLiteral("/loki/api/v1/label"), [s](const HttpRequest &r) { return handleLabels(*s, r); });
    router.add("GET", QStringLiteral("/loki/api/v1/label/{name}/values"), [s](const HttpRequest &r) { return handleLabelValues(*s, r); });
    router.add(getPost, QStringLiteral("/loki/api/v1/series"), [s](const HttpRequest &r) { return handleSeries(*s, r); });
    router.add(getPost, QStringLiteral("/loki/api/v1/index/volume"), [s](const HttpRequest &r) { return handleVolume(*s, r, false); });
    router.add(getPost, QStringLiteral("/loki/api/v1/index/volume_range"), [s](const HttpRequest &r) { return handleVolume(*s, r, true); });
    RouteOptions probe;
    probe.maxBodyBytes = 0;
    probe.requiresAuth = false;
    router.addWebSocket(QStringLiteral("/loki/api/v1/tail"), [s](const HttpRequest &r, WebSocketConnection &ws) { runTail(*s, r, ws); });
    router.add("GET", QStringLiteral("/ready"), [](const HttpRequest &) { return HttpResponse::text(200, "ready\n"); }, probe);
}

} // namespace spyglass::api
