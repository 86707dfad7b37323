#include "plugins/local/local_datasource.h"

#include "core/model/time_range.h"
#include "core/query/queryable.h"
#include "core/store/storage.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>
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

Result<Frames> LocalDatasource::query(const QueryRequest &request, const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
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

Result<QString> LocalDatasource::checkHealth(const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    auto stats = m_storage.metrics().stats();
    if (!stats)
        return fail(stats.error());
    if (stats->series == 0)
        return QStringLiteral("store at %1 is empty: import a file or send data to a receiver")
            .arg(m_storage.dataDir());
    return QStringLiteral("%1 series, %2 samples from %3 to %4")
        .arg(stats->series)
        .arg(stats->samples)
        .arg(formatTime(stats->minTime), formatTime(stats->maxTime));
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
