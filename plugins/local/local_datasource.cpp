#include "plugins/local/local_datasource.h"

#include "core/model/time_range.h"
#include "core/query/logql/engine.h"
#include "core/query/logql/parser.h"
#include "core/query/profile/profile_query.h"
#include "core/query/profile/profile_selector.h"
#include "core/query/queryable.h"
#include "core/query/traceql/engine.h"
#include "core/query/traceql/parser.h"
#include "core/store/log_store.h"
#include "core/store/profile_store.h"
#include "core/store/span_store.h"
#include "core/store/storage.h"
#include "plugins/common/span_frame.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>
#include <QThread>
#include <QTimeZone>

namespace spyglass::plugins::local {

using datasource::DatasourceSettings;
using datasource::QueryRequest;
using model::Field;
using model::Frame;
using model::FrameKind;
using model::Frames;
using model::Labels;
using query::promql::QueryResult;
using query::promql::ValueType;

namespace {

// Grafana's legend template: "{{job}} {{ instance }}" filled from the labels;
// empty or "__auto" keeps the default (the series' label set).
QString legendName(const QString &format, const Labels &labels)
{
    if (format.isEmpty() || format == QLatin1String("__auto"))
        return labels.toString();
    static const QRegularExpression re(QStringLiteral(R"(\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\})"));
    QString out;
    qsizetype last = 0;
    for (auto it = re.globalMatch(format); it.hasNext();) {
        const auto m = it.next();
        out += QStringView(format).mid(last, m.capturedStart() - last);
        out += labels.value(m.capturedView(1));
        last = m.capturedEnd();
    }
    out += QStringView(format).mid(last);
    return out;
}

QString formatTime(model::TimestampMs ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
}

struct FrameContext
{
    const QueryRequest &request;
    const DatasourceSettings &settings;
    const QueryResult &result;
    std::int64_t stepMs = 0;
};

void stamp(Frame &f, const FrameContext &ctx)
{
    f.meta().executedQuery = ctx.request.expr;
    f.meta().datasourceUid = ctx.settings.uid;
    f.meta().notices = ctx.result.warnings;
    f.meta().custom.insert(QStringLiteral("resultType"), query::promql::valueTypeName(ctx.result.type));
    f.meta().custom.insert(QStringLiteral("refId"), ctx.request.refId);
    if (ctx.stepMs > 0)
        f.meta().custom.insert(QStringLiteral("stepMs"), qint64(ctx.stepMs));
}

Frame seriesFrame(const Labels &labels, const QList<model::Sample> &samples, const FrameContext &ctx)
{
    Frame f = Frame::timeSeries(labels, samples);
    f.setName(legendName(ctx.request.options.value(QStringLiteral("legendFormat")).toString(), labels));
    stamp(f, ctx);
    return f;
}

// One row per series: Time, a column per label name (__name__ first, then
// sorted, as Grafana's table format), Value.
Frame vectorTable(const QList<query::promql::InstantSample> &vector, const FrameContext &ctx)
{
    QSet<QString> nameSet;
    for (const auto &s : vector)
        for (const auto &l : s.labels)
            nameSet.insert(l.name);
    QStringList names(nameSet.begin(), nameSet.end());
    std::sort(names.begin(), names.end(), [](const QString &a, const QString &b) {
        const bool an = a == QLatin1String("__name__"), bn = b == QLatin1String("__name__");
        return an != bn ? an : a < b;
    });

    QList<std::int64_t> times;
    QList<double> values;
    QList<QStringList> columns(names.size());
    for (const auto &s : vector) {
        times.push_back(s.t);
        values.push_back(s.v);
        for (qsizetype i = 0; i < names.size(); ++i)
            columns[i].push_back(s.labels.value(names[i]));
    }
    Frame f(ctx.request.refId, FrameKind::Table);
    f.addField(Field::time(QStringLiteral("Time"), std::move(times)));
    for (qsizetype i = 0; i < names.size(); ++i)
        f.addField(Field::string(names[i], std::move(columns[i])));
    f.addField(Field::float64(QStringLiteral("Value"), std::move(values)));
    stamp(f, ctx);
    return f;
}

Frames toFrames(const FrameContext &ctx, bool instant)
{
    const QueryResult &r = ctx.result;
    const bool tableFormat =
        instant && ctx.request.options.value(QStringLiteral("format")).toString() != QLatin1String("time_series");
    Frames frames;
    switch (r.type) {
    case ValueType::Matrix:
        frames.reserve(r.matrix.size());
        for (const auto &s : r.matrix)
            frames.push_back(seriesFrame(s.labels, s.samples, ctx));
        break;
    case ValueType::Vector:
        if (tableFormat) {
            frames.push_back(vectorTable(r.vector, ctx));
        } else {
            for (const auto &s : r.vector)
                frames.push_back(seriesFrame(s.labels, {{s.t, s.v}}, ctx));
        }
        break;
    case ValueType::Scalar:
        if (tableFormat) {
            Frame f(ctx.request.refId, FrameKind::Table);
            f.addField(Field::time(QStringLiteral("Time"), {r.t}));
            f.addField(Field::float64(QStringLiteral("Value"), {r.scalar}));
            stamp(f, ctx);
            frames.push_back(std::move(f));
        } else {
            frames.push_back(seriesFrame({}, {{r.t, r.scalar}}, ctx));
        }
        break;
    case ValueType::String: {
        Frame f(ctx.request.refId, FrameKind::Table);
        f.addField(Field::time(QStringLiteral("Time"), {r.t}));
        f.addField(Field::string(QStringLiteral("Value"), {r.string}));
        stamp(f, ctx);
        frames.push_back(std::move(f));
        break;
    }
    }
    return frames;
}

} // namespace

LocalDatasource::LocalDatasource(DatasourceSettings settings, store::Storage &storage,
                                 query::promql::EngineOptions engineOptions)
    : m_settings(std::move(settings)), m_storage(storage), m_engine(engineOptions)
{
}

QString LocalDatasource::languageOf(const QueryRequest &request) const
{
    QString language = request.options.value(QStringLiteral("language")).toString().trimmed().toLower();
    if (language.isEmpty())
        language = m_settings.jsonData.value(QStringLiteral("language")).toString().trimmed().toLower();
    return language.isEmpty() ? QStringLiteral("promql") : language;
}

Result<Frames> LocalDatasource::query(const QueryRequest &request, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    const QString language = languageOf(request);
    if (request.to < request.from && !request.instant)
        return fail(Error::invalid(QStringLiteral("the end of the range (%1) is before its start (%2)")
                                       .arg(formatTime(request.to), formatTime(request.from))));
    Result<Frames> frames;
    if (language == u"promql")
        return queryPromql(request, cancel);
    if (language == u"logql")
        frames = queryLogql(request, cancel);
    else if (language == u"traceql")
        frames = queryTraceql(request, cancel);
    else if (language == u"profile")
        frames = queryProfile(request, cancel);
    else
        return fail(Error::invalid(QStringLiteral("the local datasource has no query language \"%1\" "
                                                  "(use promql, logql, traceql or profile)")
                                       .arg(language)));
    if (frames)
        stampAll(*frames, request, language);
    return frames;
}

void LocalDatasource::stampAll(Frames &frames, const QueryRequest &request, const QString &language) const
{
    const QString legend = request.options.value(QStringLiteral("legendFormat")).toString();
    for (auto &f : frames) {
        f.meta().executedQuery = request.expr;
        f.meta().datasourceUid = m_settings.uid;
        f.meta().custom.insert(QStringLiteral("refId"), request.refId);
        f.meta().custom.insert(QStringLiteral("language"), language);
        if (f.kind() == FrameKind::TimeSeries)
            f.setName(legendName(legend, f.seriesLabels()));
    }
}

namespace {

Result<int> positiveOption(const QVariantMap &options, const QString &key, int fallback)
{
    if (!options.contains(key))
        return fallback;
    bool ok = false;
    const int v = options.value(key).toInt(&ok);
    if (!ok || v <= 0)
        return fail(Error::invalid(QStringLiteral("option %1 \"%2\" is not a positive integer")
                                       .arg(key, options.value(key).toString())));
    return v;
}

Result<std::int64_t> durationOption(const QVariantMap &options, const QString &key)
{
    const QVariant v = options.value(key);
    if (!v.isValid() || v.toString().isEmpty())
        return 0;
    bool isNumber = false;
    const double seconds = v.toString().toDouble(&isNumber);
    if (isNumber)
        return std::int64_t(seconds * 1000.0);
    auto ms = model::parseDuration(v.toString());
    if (!ms)
        return fail(Error::invalid(QStringLiteral("option %1 \"%2\" is not a duration: %3")
                                       .arg(key, v.toString(), ms.error().message)));
    return *ms;
}

constexpr std::int64_t kNsPerMs = 1'000'000;

} // namespace

Result<Frames> LocalDatasource::queryLogql(const QueryRequest &request, const CancelToken &cancel)
{
    if (request.expr.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("empty query: enter a LogQL query such as {job=\"x\"}")));
    query::logql::LogqlQuery q;
    q.expr = request.expr;
    q.instant = request.instant;
    q.end = request.to * kNsPerMs;
    q.start = request.instant ? q.end : request.from * kNsPerMs;
    q.stepNs = request.instant ? 0 : request.effectiveStepMs() * kNsPerMs;
    auto limit = positiveOption(request.options, QStringLiteral("limit"), 1000);
    if (!limit)
        return fail(limit.error());
    q.limit = *limit;
    auto interval = durationOption(request.options, QStringLiteral("interval"));
    if (!interval)
        return fail(interval.error());
    q.intervalNs = *interval * kNsPerMs;
    const QString direction = request.options.value(QStringLiteral("direction")).toString().toLower();
    if (direction.isEmpty() || direction == u"backward")
        q.direction = store::LogDirection::Backward;
    else if (direction == u"forward")
        q.direction = store::LogDirection::Forward;
    else
        return fail(Error::invalid(QStringLiteral("direction \"%1\" is not forward or backward").arg(direction)));
    const query::logql::LogqlEngine engine(m_storage.logs());
    auto r = engine.exec(q, cancel);
    if (!r)
        return fail(r.error());
    Frames frames = r->toFrames();
    for (auto &f : frames) {
        f.meta().custom.insert(QStringLiteral("linesScanned"), qlonglong(r->stats.linesScanned));
        f.meta().custom.insert(QStringLiteral("bytesScanned"), qlonglong(r->stats.bytesScanned));
        if (f.kind() == FrameKind::Logs) {
            f.setName(request.refId);
            f.meta().custom.insert(QStringLiteral("limit"), *limit);
            f.meta().custom.insert(QStringLiteral("direction"),
                                   q.direction == store::LogDirection::Forward ? QStringLiteral("forward")
                                                                                : QStringLiteral("backward"));
        }
    }
    return frames;
}

Result<void> LocalDatasource::tail(const datasource::TailRequest &request, const datasource::TailSink &sink,
                                   const CancelToken &cancel)
{
    constexpr int kPollMs = 200;
    if (request.delayForSeconds < 0 || request.delayForSeconds > 5)
        return fail(Error::invalid(QStringLiteral("delay_for must be 0 to 5 seconds, not %1").arg(request.delayForSeconds)));
    auto parsed = query::logql::LogqlParser::parse(request.expr);
    if (!parsed)
        return fail(parsed.error());
    if (!(*parsed)->isLogQuery())
        return fail(Error::invalid(QStringLiteral("tail only supports log queries, not metric queries")));
    const query::logql::LogqlEngine engine(m_storage.logs());
    const std::int64_t delayNs = std::int64_t(request.delayForSeconds) * 1'000'000'000;
    model::TimestampNs cursor = (request.from > 0 ? request.from : model::nowMs() - 3'600'000) * kNsPerMs;
    // Lines already delivered at exactly `cursor`, which the next read repeats.
    QSet<QByteArray> sentAtCursor;
    auto keyOf = [](const Labels &labels, const QString &line) { return (labels.toString() + QChar(0) + line).toUtf8(); };
    while (!cancel.isCancelled()) {
        const model::TimestampNs end = model::nowMs() * kNsPerMs - delayNs + 1;
        bool more = false;
        if (end > cursor) {
            query::logql::LogqlQuery q;
            q.expr = request.expr;
            q.start = cursor;
            q.end = end;
            q.direction = store::LogDirection::Forward;
            q.limit = request.limit > 0 ? request.limit : 100;
            auto r = engine.exec(*parsed, q, cancel);
            if (!r)
                return r.error().kind == Error::Kind::Cancelled ? Result<void>{} : fail(r.error());
            model::TimestampNs newest = cursor;
            QSet<QByteArray> atNewest;
            qsizetype total = 0;
            for (auto &stream : r->streams) {
                stream.entries.removeIf([&](const query::logql::LogEntryOut &e) {
                    return e.time == cursor && sentAtCursor.contains(keyOf(stream.labels, e.line));
                });
                for (const auto &e : stream.entries) {
                    if (e.time > newest) {
                        newest = e.time;
                        atNewest.clear();
                    }
                    if (e.time == newest)
                        atNewest.insert(keyOf(stream.labels, e.line));
                }
                total += stream.entries.size();
            }
            if (total > 0) {
                r->direction = store::LogDirection::Forward;
                Frames frames = r->toFrames();
                Frame &f = frames.front();
                f.setName(QStringLiteral("tail"));
                f.meta().executedQuery = request.expr;
                f.meta().datasourceUid = m_settings.uid;
                if (!sink(f, 0))
                    return {};
                if (newest == cursor)
                    sentAtCursor += atNewest;
                else
                    sentAtCursor = std::move(atNewest);
                cursor = newest;
                more = r->stats.linesReturned >= q.limit;
            }
        }
        for (int waited = 0; !more && waited < kPollMs && !cancel.isCancelled(); waited += 20)
            QThread::msleep(20);
    }
    return {};
}

Result<Frames> LocalDatasource::queryTraceql(const QueryRequest &request, const CancelToken &cancel)
{
    const QString queryType = request.options.value(QStringLiteral("queryType")).toString();
    if (queryType == u"traceId" || queryType == u"traceql-traceid") {
        const QString text = request.expr.trimmed();
        const QByteArray id = common::decodeId(text, 16);
        if (id.isEmpty())
            return fail(Error::invalid(QStringLiteral("\"%1\" is not a trace id (up to 32 hex digits)").arg(text)));
        auto spans = m_storage.traces().trace(id);
        if (!spans)
            return fail(spans.error());
        if (spans->isEmpty())
            return fail(Error{Error::Kind::NotFound,
                              QStringLiteral("trace %1 is not in the store").arg(QString::fromLatin1(id.toHex())), {}, 0, 0});
        return Frames{common::spansToFrame(*spans, request.refId)};
    }
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    auto parsed = query::traceql::TraceqlParser::parse(request.expr.trimmed().isEmpty() ? QStringLiteral("{}")
                                                                                        : request.expr);
    if (!parsed)
        return fail(parsed.error());
    const query::traceql::TraceqlEngine engine(m_storage.traces());
    if (parsed->metrics) {
        query::traceql::MetricsRequest m;
        m.query = request.expr;
        m.end = request.to * kNsPerMs;
        m.start = request.instant ? m.end - request.effectiveStepMs() * kNsPerMs : request.from * kNsPerMs;
        m.stepNs = request.effectiveStepMs() * kNsPerMs;
        return engine.queryRange(m, cancel);
    }
    query::traceql::SearchRequest search;
    search.query = request.expr;
    search.start = request.from * kNsPerMs;
    search.end = request.to * kNsPerMs;
    auto limit = positiveOption(request.options, QStringLiteral("limit"), 20);
    if (!limit)
        return fail(limit.error());
    search.limit = *limit;
    auto spss = positiveOption(request.options, QStringLiteral("spss"), 3);
    if (!spss)
        return fail(spss.error());
    search.spansPerSpanSet = *spss;
    for (const char *key : {"minDuration", "maxDuration"}) {
        auto d = durationOption(request.options, QLatin1String(key));
        if (!d)
            return fail(d.error());
        (key[1] == 'i' ? search.minDurationNs : search.maxDurationNs) = *d * kNsPerMs;
    }
    auto r = engine.search(search, cancel);
    if (!r)
        return fail(r.error());
    model::Frame f = query::traceql::TraceqlEngine::searchResultFrame(*r);
    f.setName(request.refId);
    f.meta().custom.insert(QStringLiteral("inspectedTraces"), qlonglong(r->inspectedTraces));
    f.meta().custom.insert(QStringLiteral("inspectedSpans"), qlonglong(r->inspectedSpans));
    return Frames{std::move(f)};
}

Result<Frames> LocalDatasource::queryProfile(const QueryRequest &request, const CancelToken &cancel)
{
    auto selector = query::profile::ProfileSelector::parse(request.expr.trimmed());
    if (!selector)
        return fail(selector.error());
    if (selector->typeId.isEmpty())
        return fail(Error::invalid(QStringLiteral("a profile query names its profile type first, e.g. "
                                                  "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"x\"}")));
    auto maxNodes = positiveOption(request.options, QStringLiteral("maxNodes"), 16384);
    if (!maxNodes)
        return fail(maxNodes.error());
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    const query::profile::ProfileQueryEngine engine(m_storage.profiles());
    auto tree = engine.merge(*selector, request.from * kNsPerMs, request.to * kNsPerMs, *maxNodes);
    if (!tree)
        return fail(tree.error());
    auto type = model::ProfileType::parse(selector->typeId);
    model::Frame f = tree->toFrame(type ? type->sampleUnit : QString());
    f.setName(request.refId);
    f.meta().custom.insert(QStringLiteral("profileTypeId"), selector->typeId);
    return Frames{std::move(f)};
}

Result<Frames> LocalDatasource::queryPromql(const QueryRequest &request, const CancelToken &cancel)
{
    if (request.expr.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("empty query: enter a PromQL expression")));
    const query::MetricStoreQueryable queryable(m_storage.metrics());

    if (request.instant) {
        auto r = m_engine.instantQuery(queryable, request.expr, request.to, cancel);
        if (!r)
            return fail(r.error());
        return toFrames(FrameContext{request, m_settings, *r, 0}, true);
    }
    if (request.to < request.from)
        return fail(Error::invalid(QStringLiteral("the end of the range (%1) is before its start (%2)")
                                       .arg(formatTime(request.to), formatTime(request.from))));
    const std::int64_t step = request.effectiveStepMs();
    auto r = m_engine.rangeQuery(queryable, request.expr, request.from, request.to, step, cancel);
    if (!r)
        return fail(r.error());
    return toFrames(FrameContext{request, m_settings, *r, step}, false);
}

Result<QStringList> LocalDatasource::labelNames(const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    return m_storage.metrics().labelNames();
}

Result<QStringList> LocalDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    return m_storage.metrics().labelValues(label);
}

namespace {

const QStringList kTraceIntrinsics{QStringLiteral("name"), QStringLiteral("status"), QStringLiteral("kind"),
                                   QStringLiteral("duration"), QStringLiteral("rootName"),
                                   QStringLiteral("rootServiceName"), QStringLiteral("traceDuration"),
                                   QStringLiteral("statusMessage")};

Result<model::LabelMatchers> lookupMatchers(const QString &selector)
{
    if (selector.trimmed().isEmpty())
        return model::LabelMatchers{};
    auto s = query::profile::ProfileSelector::parseMatchers(selector.trimmed());
    if (!s)
        return fail(s.error());
    return s->seriesMatchers + s->stackMatchers;
}

std::pair<model::TimestampNs, model::TimestampNs> lookupRangeNs(const datasource::LabelLookup &lookup)
{
    const model::TimestampNs from = lookup.from > 0 ? lookup.from * kNsPerMs : 0;
    const model::TimestampNs to = lookup.to > 0 ? lookup.to * kNsPerMs : std::numeric_limits<std::int64_t>::max() / 2;
    return {from, to};
}

} // namespace

Result<QStringList> LocalDatasource::lookupLabelNames(const datasource::LabelLookup &lookup, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    const QString language = lookup.language.isEmpty() ? languageOf({}) : lookup.language.toLower();
    const auto [from, to] = lookupRangeNs(lookup);
    if (language == u"logql")
        return m_storage.logs().labelNames(from, to);
    if (language == u"traceql") {
        QStringList out = kTraceIntrinsics;
        for (auto [scope, prefix] : {std::pair{store::AttributeScope::Resource, QStringLiteral("resource.")},
                                     std::pair{store::AttributeScope::Span, QStringLiteral("span.")}}) {
            auto keys = m_storage.traces().attributeKeys(scope);
            if (!keys)
                return fail(keys.error());
            for (const auto &k : *keys)
                out.append(prefix + k);
        }
        return out;
    }
    if (language == u"profile") {
        auto matchers = lookupMatchers(lookup.selector);
        if (!matchers)
            return fail(matchers.error());
        auto names = m_storage.profiles().labelNames(*matchers, from, to);
        if (!names)
            return fail(names.error());
        names->prepend(QStringLiteral("__profile_type__"));
        return names;
    }
    return labelNames(cancel);
}

Result<QStringList> LocalDatasource::lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                                       const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    const QString language = lookup.language.isEmpty() ? languageOf({}) : lookup.language.toLower();
    const auto [from, to] = lookupRangeNs(lookup);
    if (language == u"logql") {
        auto matchers = lookupMatchers(lookup.selector);
        if (!matchers)
            return fail(matchers.error());
        return m_storage.logs().labelValues(label, from, to, *matchers);
    }
    if (language == u"traceql") {
        if (label == u"name")
            return m_storage.traces().spanNames();
        if (label == u"status")
            return QStringList{QStringLiteral("error"), QStringLiteral("ok"), QStringLiteral("unset")};
        if (label == u"kind")
            return QStringList{QStringLiteral("client"), QStringLiteral("consumer"), QStringLiteral("internal"),
                               QStringLiteral("producer"), QStringLiteral("server"), QStringLiteral("unspecified")};
        QString key = label;
        store::AttributeScope scope = store::AttributeScope::Span;
        if (key == u"rootServiceName") {
            scope = store::AttributeScope::Resource;
            key = QStringLiteral("service.name");
        } else if (key.startsWith(QLatin1String("resource."))) {
            scope = store::AttributeScope::Resource;
            key = key.mid(9);
        } else if (key.startsWith(QLatin1String("span."))) {
            key = key.mid(5);
        } else if (key.startsWith(QLatin1Char('.'))) {
            key = key.mid(1);
        }
        auto values = m_storage.traces().attributeValues(scope, key);
        if (!values)
            return fail(values.error());
        QStringList out;
        for (const auto &v : *values)
            out.append(v.value);
        return out;
    }
    if (language == u"profile") {
        if (label == u"__profile_type__")
            return m_storage.profiles().profileTypes(from, to);
        auto matchers = lookupMatchers(lookup.selector);
        if (!matchers)
            return fail(matchers.error());
        return m_storage.profiles().labelValues(label, *matchers, from, to);
    }
    return labelValues(label, cancel);
}

Result<QString> LocalDatasource::checkHealth(const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    auto stats = m_storage.metrics().stats();
    if (!stats)
        return fail(stats.error());
    auto logs = m_storage.logs().stats();
    if (!logs)
        return fail(logs.error());
    auto traces = m_storage.traces().stats();
    if (!traces)
        return fail(traces.error());
    auto profiles = m_storage.profiles().stats();
    if (!profiles)
        return fail(profiles.error());
    if (stats->series == 0 && logs->lines == 0 && traces->spans == 0 && profiles->profiles == 0)
        return QStringLiteral("store at %1 is empty: import a file or send data to a receiver")
            .arg(m_storage.dataDir());
    QStringList parts;
    if (stats->series > 0)
        parts << QStringLiteral("%1 series, %2 samples from %3 to %4")
                     .arg(stats->series)
                     .arg(stats->samples)
                     .arg(formatTime(stats->minTime), formatTime(stats->maxTime));
    if (logs->lines > 0)
        parts << QStringLiteral("%1 log lines in %2 streams").arg(logs->lines).arg(logs->streams);
    if (traces->spans > 0)
        parts << QStringLiteral("%1 spans in %2 traces").arg(traces->spans).arg(traces->traces);
    if (profiles->profiles > 0)
        parts << QStringLiteral("%1 profiles").arg(profiles->profiles);
    return parts.join(QStringLiteral("; "));
}

Result<std::unique_ptr<datasource::Datasource>>
LocalDatasourceFactory::create(const DatasourceSettings &settings, const datasource::DatasourceContext &context)
{
    if (!context.storage)
        return fail(Error::invalid(
            QStringLiteral("the local datasource needs Spyglass's embedded store, and none is open")));
    query::promql::EngineOptions opts;
    const QString lookback = settings.jsonData.value(QStringLiteral("lookbackDelta")).toString();
    if (!lookback.isEmpty()) {
        auto ms = model::parseDuration(lookback);
        if (!ms || *ms <= 0)
            return fail(Error::invalid(
                QStringLiteral("jsonData.lookbackDelta \"%1\" is not a positive duration like 5m").arg(lookback)));
        opts.lookbackDeltaMs = *ms;
    }
    return std::make_unique<LocalDatasource>(settings, *context.storage, opts);
}

} // namespace spyglass::plugins::local
