#include "core/api/prometheus_api.h"

#include "core/api/logging.h"
#include "core/model/time_range.h"
#include "core/query/promql/ast.h"
#include "core/query/promql/parser.h"
#include "core/query/queryable.h"
#include "core/store/storage.h"
#include "core/model/json_string.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#ifndef SPYGLASS_VERSION
#define SPYGLASS_VERSION "0.0.0"
#endif

namespace spyglass::api {

using model::TimestampMs;
using query::promql::Engine;
using query::promql::PromqlParser;
using query::promql::QueryResult;

namespace {

// Prometheus's unbounded ends for series/labels (its MinTime/MaxTime);
// halved so arithmetic on them cannot overflow.
constexpr TimestampMs kMinTime = std::numeric_limits<TimestampMs>::min() / 2;
constexpr TimestampMs kMaxTime = std::numeric_limits<TimestampMs>::max() / 2;

// The values Prometheus's own Go client sends for "no bound".
const QString kMinTimeFormatted = QStringLiteral("-292275055-05-16T16:47:04.192Z");
const QString kMaxTimeFormatted = QStringLiteral("292277025-08-18T07:12:54.999999999Z");

// Prometheus's errorType values and the HTTP status each gets.
enum class ErrorType { BadData, Execution, Timeout, Canceled, Internal, Unavailable, NotFound };

const char *errorTypeName(ErrorType t)
{
    switch (t) {
    case ErrorType::BadData: return "bad_data";
    case ErrorType::Execution: return "execution";
    case ErrorType::Timeout: return "timeout";
    case ErrorType::Canceled: return "canceled";
    case ErrorType::Internal: return "internal";
    case ErrorType::Unavailable: return "unavailable";
    case ErrorType::NotFound: return "not_found";
    }
    return "internal";
}

int errorStatus(ErrorType t)
{
    switch (t) {
    case ErrorType::BadData: return 400;
    case ErrorType::Execution: return 422;
    case ErrorType::Timeout: return 503;
    case ErrorType::Canceled: return 499; // nginx's "client closed request", as Prometheus
    case ErrorType::Internal: return 500;
    case ErrorType::Unavailable: return 503;
    case ErrorType::NotFound: return 404;
    }
    return 500;
}

HttpResponse apiError(ErrorType type, const QString &message)
{
    QByteArray body = "{\"status\":\"error\",\"errorType\":\"";
    body += errorTypeName(type);
    body += "\",\"error\":";
    appendJsonString(body, message);
    body += '}';
    return HttpResponse::json(errorStatus(type), body);
}

HttpResponse invalidParam(const QString &param, const QString &why)
{
    return apiError(ErrorType::BadData, QStringLiteral("invalid parameter \"%1\": %2").arg(param, why));
}

// `data` is already JSON.
HttpResponse apiSuccess(const QByteArray &data, const QStringList &warnings = {})
{
    QByteArray body = "{\"status\":\"success\",\"data\":" + data;
    if (!warnings.isEmpty()) {
        body += ",\"warnings\":[";
        for (qsizetype i = 0; i < warnings.size(); ++i) {
            if (i)
                body += ',';
            appendJsonString(body, warnings[i]);
        }
        body += ']';
    }
    body += '}';
    return HttpResponse::json(200, body);
}

QByteArray jsonStringArray(const QStringList &values)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < values.size(); ++i) {
        if (i)
            out += ',';
        appendJsonString(out, values[i]);
    }
    out += ']';
    return out;
}

void appendLabelsObject(QByteArray &out, const model::Labels &labels)
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

// Prometheus's parseTime: float Unix seconds or RFC 3339.
Result<TimestampMs> parseTime(const QString &s)
{
    if (s == kMinTimeFormatted)
        return kMinTime;
    if (s == kMaxTimeFormatted)
        return kMaxTime;
    auto t = s.trimmed().isEmpty() ? Result<TimestampMs>(fail(Error::invalid({}))) : model::parseTimestamp(s);
    if (!t)
        return fail(Error::badData(QStringLiteral("cannot parse \"%1\" to a valid timestamp").arg(s)));
    return *t;
}

Result<TimestampMs> parseTimeParam(const QueryParams &form, QStringView name, TimestampMs fallback)
{
    const QString v = form.value(name);
    if (v.isEmpty())
        return fallback;
    auto t = parseTime(v);
    if (!t)
        return fail(Error::badData(QStringLiteral("Invalid time value for '%1': %2").arg(name, t.error().message)));
    return t;
}

// Prometheus's parseDuration: float seconds, or a duration like "1m30s".
Result<std::int64_t> parseDurationParam(const QString &s)
{
    bool ok = false;
    const double secs = s.toDouble(&ok);
    if (ok && std::isfinite(secs)) {
        const double ms = secs * 1000.0;
        if (std::abs(secs) * 1e9 > 9.223372036854775807e18)
            return fail(Error::badData(QStringLiteral("cannot parse \"%1\" to a valid duration. It overflows int64").arg(s)));
        return std::int64_t(std::llround(ms));
    }
    if (!ok) {
        // Only unit durations here: a bare number was handled above.
        if (auto d = model::parseDuration(s); d && !s.trimmed().isEmpty() && s.front().isDigit())
            return *d;
    }
    return fail(Error::badData(QStringLiteral("cannot parse \"%1\" to a valid duration").arg(s)));
}

// Cancels a query's token when its time is up; telling the two apart
// afterwards is how a timeout is reported as one.
class QueryDeadline
{
public:
    QueryDeadline(CancelToken token, std::chrono::milliseconds timeout)
    {
        m_thread = std::thread([this, token, timeout] {
            std::unique_lock lock(m_mutex);
            if (!m_cv.wait_for(lock, timeout, [this] { return m_done; })) {
                m_fired = true;
                token.cancel();
            }
        });
    }
    ~QueryDeadline()
    {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    bool fired()
    {
        std::lock_guard lock(m_mutex);
        return m_fired;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_done = false;
    bool m_fired = false;
    std::thread m_thread;
};

struct ApiState
{
    store::Storage &storage;
    PrometheusApiOptions options;
    Engine engine;

    ApiState(store::Storage &s, PrometheusApiOptions o) : storage(s), options(o), engine(o.engine) {}

    // A query's error as Prometheus's API reports it.
    // `prefixParam`: instant queries wrap query errors as an invalid "query"
    // parameter, range queries return them bare (both as Prometheus 2.x does).
    HttpResponse queryError(const Error &e, bool timedOut, bool prefixParam) const
    {
        if (timedOut)
            return apiError(ErrorType::Timeout, QStringLiteral("query timed out in expression evaluation"));
        switch (e.kind) {
        case Error::Kind::Cancelled:
            return apiError(ErrorType::Canceled, QStringLiteral("query was canceled in expression evaluation"));
        case Error::Kind::Timeout:
            return apiError(ErrorType::Timeout, QStringLiteral("query timed out in expression evaluation"));
        case Error::Kind::BadData:
            // Parse and type errors: Prometheus rejects the query parameter.
            return prefixParam ? invalidParam(QStringLiteral("query"), e.toString())
                               : apiError(ErrorType::BadData, e.toString());
        case Error::Kind::Io:
        case Error::Kind::Internal:
            return apiError(ErrorType::Internal, e.toString());
        case Error::Kind::Unavailable:
            return apiError(ErrorType::Unavailable, e.toString());
        case Error::Kind::NotFound:
        case Error::Kind::Invalid:
            break;
        }
        return apiError(ErrorType::Execution, e.toString());
    }

    // The query's deadline: the server's limit, shortened by `timeout`.
    Result<std::chrono::milliseconds> timeoutFor(const QueryParams &form) const
    {
        std::chrono::milliseconds t = options.queryTimeout;
        const QString v = form.value(u"timeout");
        if (!v.isEmpty()) {
            auto d = parseDurationParam(v);
            if (!d)
                return fail(d.error());
            t = std::min(t, std::chrono::milliseconds(std::max<std::int64_t>(*d, 0)));
        }
        return t;
    }

    HttpResponse runQuery(const HttpRequest &req, std::chrono::milliseconds timeout, bool instant,
                          const std::function<Result<QueryResult>(const query::Queryable &, const CancelToken &)> &run)
    {
        query::MetricStoreQueryable queryable(storage.metrics());
        Result<QueryResult> r;
        bool timedOut = false;
        {
            QueryDeadline deadline(req.cancel, timeout);
            if (timeout.count() <= 0)
                req.cancel.cancel(); // already expired: do not race the deadline thread
            r = run(queryable, req.cancel);
            timedOut = deadline.fired() || timeout.count() <= 0;
        }
        if (!r)
            return queryError(r.error(), timedOut && r.error().kind == Error::Kind::Cancelled, instant);
        HttpResponse resp = HttpResponse::json(200, query::promql::toPrometheusJson(r));
        return resp;
    }
};

using State = std::shared_ptr<ApiState>;

HttpResponse handleQuery(ApiState &s, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    auto t = parseTimeParam(form, u"time", model::nowMs());
    if (!t)
        return invalidParam(QStringLiteral("time"), t.error().message);
    auto timeout = s.timeoutFor(form);
    if (!timeout)
        return invalidParam(QStringLiteral("timeout"), timeout.error().message);
    const QString expr = form.value(u"query");
    return s.runQuery(req, *timeout, true, [&](const query::Queryable &q, const CancelToken &c) {
        return s.engine.instantQuery(q, expr, *t, c);
    });
}

HttpResponse handleQueryRange(ApiState &s, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    auto start = parseTime(form.value(u"start"));
    if (!start)
        return invalidParam(QStringLiteral("start"), start.error().message);
    auto end = parseTime(form.value(u"end"));
    if (!end)
        return invalidParam(QStringLiteral("end"), end.error().message);
    if (*end < *start)
        return invalidParam(QStringLiteral("end"), QStringLiteral("end timestamp must not be before start time"));
    auto step = parseDurationParam(form.value(u"step"));
    if (!step)
        return invalidParam(QStringLiteral("step"), step.error().message);
    if (*step <= 0)
        return invalidParam(QStringLiteral("step"),
                            QStringLiteral("zero or negative query resolution step widths are not accepted. "
                                           "Try a positive integer"));
    // For safety, limit the number of returned points per series (Prometheus's rule).
    if ((*end - *start) / *step > 11000)
        return apiError(ErrorType::BadData,
                        QStringLiteral("exceeded maximum resolution of 11,000 points per timeseries. "
                                       "Try decreasing the query resolution (?step=XX)"));
    auto timeout = s.timeoutFor(form);
    if (!timeout)
        return invalidParam(QStringLiteral("timeout"), timeout.error().message);
    const QString expr = form.value(u"query");
    return s.runQuery(req, *timeout, false, [&](const query::Queryable &q, const CancelToken &c) {
        return s.engine.rangeQuery(q, expr, *start, *end, *step, c);
    });
}

// match[] selectors; each must constrain something, as in Prometheus.
Result<QList<model::LabelMatchers>> parseMatchers(const QStringList &selectors)
{
    QList<model::LabelMatchers> sets;
    for (const QString &sel : selectors) {
        auto m = PromqlParser::parseSelector(sel);
        if (!m)
            return fail(m.error());
        const bool allEmpty = std::all_of(m->begin(), m->end(), [](const model::LabelMatcher &x) { return x.matchesEmpty(); });
        if (allEmpty)
            return fail(Error::badData(QStringLiteral("match[] must contain at least one non-empty matcher")));
        sets.append(*m);
    }
    return sets;
}

// Series matching any of the sets, deduplicated and sorted by labels; when
// the range is bounded only series with samples in it.
Result<QList<store::SeriesRef>> selectSeries(ApiState &s, const QList<model::LabelMatchers> &sets,
                                             TimestampMs start, TimestampMs end, const CancelToken &cancel)
{
    const store::MetricStore &ms = s.storage.metrics();
    QList<store::SeriesRef> out;
    QSet<store::SeriesId> seen;
    const bool bounded = start > kMinTime || end < kMaxTime;
    for (const auto &set : sets) {
        auto refs = ms.select(set);
        if (!refs)
            return fail(refs.error());
        for (auto &r : *refs) {
            if (cancel.isCancelled())
                return fail(Error::cancelled());
            if (seen.contains(r.id))
                continue;
            if (bounded) {
                auto samples = ms.samples(r.id, start, end);
                if (!samples)
                    return fail(samples.error());
                if (samples->isEmpty())
                    continue;
            }
            seen.insert(r.id);
            out.append(std::move(r));
        }
    }
    std::sort(out.begin(), out.end(), [](const store::SeriesRef &a, const store::SeriesRef &b) { return a.labels < b.labels; });
    return out;
}

struct RangeParams
{
    TimestampMs start = kMinTime;
    TimestampMs end = kMaxTime;
};

// start/end of series, labels and label values; nullopt + response on error.
std::optional<HttpResponse> parseRange(const QueryParams &form, RangeParams &out)
{
    auto start = parseTimeParam(form, u"start", kMinTime);
    if (!start)
        return invalidParam(QStringLiteral("start"), start.error().message);
    auto end = parseTimeParam(form, u"end", kMaxTime);
    if (!end)
        return invalidParam(QStringLiteral("end"), end.error().message);
    out.start = *start;
    out.end = *end;
    return std::nullopt;
}

HttpResponse storeError(const Error &e)
{
    if (e.kind == Error::Kind::Cancelled)
        return apiError(ErrorType::Canceled, e.message);
    return apiError(ErrorType::Internal, e.toString());
}

HttpResponse handleSeries(ApiState &s, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    const QStringList selectors = form.values(u"match[]");
    if (selectors.isEmpty())
        return apiError(ErrorType::BadData, QStringLiteral("no match[] parameter provided"));
    RangeParams range;
    if (auto err = parseRange(form, range))
        return *err;
    auto sets = parseMatchers(selectors);
    if (!sets)
        return invalidParam(QStringLiteral("match[]"), sets.error().toString());
    auto series = selectSeries(s, *sets, range.start, range.end, req.cancel);
    if (!series)
        return storeError(series.error());
    QByteArray data = "[";
    for (qsizetype i = 0; i < series->size(); ++i) {
        if (i)
            data += ',';
        appendLabelsObject(data, (*series)[i].labels);
    }
    data += ']';
    return apiSuccess(data);
}

HttpResponse handleLabels(ApiState &s, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    RangeParams range;
    if (auto err = parseRange(form, range))
        return *err;
    const QStringList selectors = form.values(u"match[]");
    auto sets = parseMatchers(selectors);
    if (!sets)
        return apiError(ErrorType::BadData, sets.error().toString());
    QStringList names;
    if (selectors.isEmpty()) {
        auto all = s.storage.metrics().labelNames();
        if (!all)
            return storeError(all.error());
        names = *all;
    } else {
        auto series = selectSeries(s, *sets, range.start, range.end, req.cancel);
        if (!series)
            return storeError(series.error());
        QSet<QString> unique;
        for (const auto &r : *series)
            for (const auto &l : r.labels)
                unique.insert(l.name);
        names = QStringList(unique.begin(), unique.end());
    }
    names.removeDuplicates();
    std::sort(names.begin(), names.end());
    return apiSuccess(jsonStringArray(names));
}

HttpResponse handleLabelValues(ApiState &s, const HttpRequest &req)
{
    const QString name = req.pathParams.value(QStringLiteral("name"));
    static const QRegularExpression kLabelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    if (!kLabelName.match(name).hasMatch())
        return apiError(ErrorType::BadData, QStringLiteral("invalid label name: \"%1\"").arg(name));
    const QueryParams form = req.formParams();
    RangeParams range;
    if (auto err = parseRange(form, range))
        return *err;
    const QStringList selectors = form.values(u"match[]");
    auto sets = parseMatchers(selectors);
    if (!sets)
        return apiError(ErrorType::BadData, sets.error().toString());
    QStringList values;
    if (selectors.isEmpty()) {
        auto all = s.storage.metrics().labelValues(name);
        if (!all)
            return storeError(all.error());
        values = *all;
    } else {
        auto series = selectSeries(s, *sets, range.start, range.end, req.cancel);
        if (!series)
            return storeError(series.error());
        QSet<QString> unique;
        for (const auto &r : *series)
            if (const QString v = r.labels.value(name); !v.isEmpty())
                unique.insert(v);
        values = QStringList(unique.begin(), unique.end());
    }
    values.removeDuplicates();
    values.removeAll(QString());
    std::sort(values.begin(), values.end());
    return apiSuccess(jsonStringArray(values));
}

HttpResponse handleMetadata(ApiState &, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    if (const QString limit = form.value(u"limit"); !limit.isEmpty()) {
        bool ok = false;
        limit.toInt(&ok);
        if (!ok)
            return apiError(ErrorType::BadData, QStringLiteral("limit must be a number"));
    }
    // The store keeps no TYPE/HELP/UNIT yet: an empty map is what Prometheus
    // answers when it knows no metadata either.
    return apiSuccess("{}");
}

// Every vector selector's matchers, as Prometheus' query_exemplars uses them.
void collectSelectors(const query::promql::Expr *e, QList<model::LabelMatchers> &out)
{
    if (!e)
        return;
    if (e->kind == query::promql::NodeKind::VectorSelector)
        out.append(e->matchers);
    for (const auto &a : e->args)
        collectSelectors(a.get(), out);
    collectSelectors(e->param.get(), out);
}

HttpResponse handleQueryExemplars(ApiState &s, const HttpRequest &req)
{
    const QueryParams form = req.formParams();
    RangeParams range;
    if (auto err = parseRange(form, range))
        return *err;
    if (range.end < range.start)
        return invalidParam(QStringLiteral("end"), QStringLiteral("end timestamp must not be before start time"));
    auto expr = PromqlParser::parse(form.value(u"query"));
    if (!expr)
        return invalidParam(QStringLiteral("query"), expr.error().toString());
    QList<model::LabelMatchers> selectors;
    collectSelectors(expr->get(), selectors);
    auto found = s.storage.exemplars().select(selectors, range.start, range.end);
    if (!found)
        return apiError(ErrorType::Internal, found.error().toString());
    QByteArray data = "[";
    for (qsizetype i = 0; i < found->size(); ++i) {
        const auto &es = found->at(i);
        if (i)
            data += ',';
        data += "{\"seriesLabels\":";
        appendLabelsObject(data, es.series);
        data += ",\"exemplars\":[";
        for (qsizetype j = 0; j < es.exemplars.size(); ++j) {
            const auto &e = es.exemplars[j];
            if (j)
                data += ',';
            data += "{\"labels\":";
            appendLabelsObject(data, e.labels);
            data += ",\"value\":";
            appendJsonString(data, query::promql::formatFloat(e.value));
            data += ",\"timestamp\":" + QByteArray::number(double(e.t) / 1000.0, 'f', 3) + '}';
        }
        data += "]}";
    }
    data += ']';
    return apiSuccess(data);
}

HttpResponse handleBuildInfo()
{
    QByteArray data = "{\"version\":";
    appendJsonString(data, PrometheusApi::compatibleVersion());
    data += ",\"revision\":";
    appendJsonString(data, QStringLiteral("spyglass-" SPYGLASS_VERSION));
    data += ",\"branch\":\"spyglass\",\"buildUser\":\"spyglass\",\"buildDate\":\"\",\"goVersion\":";
    appendJsonString(data, QStringLiteral("none (Spyglass " SPYGLASS_VERSION ", C++)"));
    data += '}';
    return apiSuccess(data);
}

} // namespace

void PrometheusApi::registerRoutes(Router &router, store::Storage &storage, PrometheusApiOptions options)
{
    auto state = std::make_shared<ApiState>(storage, options);
    RouteOptions ro;
    ro.maxBodyBytes = options.maxBodyBytes;
    auto bind = [state](HttpResponse (*fn)(ApiState &, const HttpRequest &)) {
        return [state, fn](const HttpRequest &req) { return fn(*state, req); };
    };
    const QByteArrayList getPost{"GET", "POST"};
    router.add(getPost, QStringLiteral("/api/v1/query"), bind(handleQuery), ro);
    router.add(getPost, QStringLiteral("/api/v1/query_range"), bind(handleQueryRange), ro);
    router.add(getPost, QStringLiteral("/api/v1/query_exemplars"), bind(handleQueryExemplars), ro);
    router.add(getPost, QStringLiteral("/api/v1/series"), bind(handleSeries), ro);
    router.add(getPost, QStringLiteral("/api/v1/labels"), bind(handleLabels), ro);
    router.add("GET", QStringLiteral("/api/v1/label/{name}/values"), bind(handleLabelValues), ro);
    router.add("GET", QStringLiteral("/api/v1/metadata"), bind(handleMetadata), ro);
    router.add("GET", QStringLiteral("/api/v1/status/buildinfo"),
               [](const HttpRequest &) { return handleBuildInfo(); }, ro);
    // Probes answer without a token, like health checks must.
    RouteOptions probe;
    probe.maxBodyBytes = 0;
    probe.requiresAuth = false;
    router.add("GET", QStringLiteral("/-/ready"),
               [](const HttpRequest &) { return HttpResponse::text(200, "Spyglass is Ready.\n"); }, probe);
    router.add("GET", QStringLiteral("/-/healthy"),
               [](const HttpRequest &) { return HttpResponse::text(200, "Spyglass is Healthy.\n"); }, probe);
}

} // namespace spyglass::api
