#include "plugins/prometheus/prometheus_datasource.h"

#include "core/model/time_range.h"
#include "plugins/prometheus/prometheus_response.h"

#include <QJsonObject>
#include <algorithm>

namespace spyglass::plugins::prometheus {

namespace {

// Prometheus refuses range queries of more points than this per series.
constexpr std::int64_t kMaxPoints = 11000;

std::int64_t floorTo(std::int64_t v, std::int64_t step)
{
    const std::int64_t q = v / step;
    return (v % step != 0 && v < 0 ? q - 1 : q) * step;
}

std::int64_t ceilTo(std::int64_t v, std::int64_t step)
{
    const std::int64_t f = floorTo(v, step);
    return f == v ? v : f + step;
}

Result<std::int64_t> optionalDuration(const QVariantMap &map, const QString &key, const QString &where)
{
    const QString text = map.value(key).toString().trimmed();
    if (text.isEmpty())
        return 0;
    auto d = model::parseDuration(text);
    if (!d)
        return fail(Error::invalid(QStringLiteral("%1 \"%2\" is not a duration: %3").arg(where, text, d.error().message)));
    return *d;
}

} // namespace

QString formatApiSeconds(std::int64_t ms)
{
    const std::int64_t secs = ms / 1000;
    const std::int64_t frac = ms % 1000;
    if (frac == 0)
        return QString::number(secs);
    if (ms < 0)
        return QString::number(static_cast<double>(ms) / 1000.0, 'f', 3);
    return QString::number(secs) + QLatin1Char('.') + QStringLiteral("%1").arg(frac, 3, 10, QLatin1Char('0'));
}

Result<std::unique_ptr<PrometheusDatasource>> PrometheusDatasource::create(const datasource::DatasourceSettings &settings)
{
    auto client = datasource::HttpClient::create(settings, QStringLiteral("Prometheus"));
    if (!client)
        return fail(client.error());
    auto minStep = optionalDuration(settings.jsonData, QStringLiteral("timeInterval"), QStringLiteral("timeInterval"));
    if (!minStep)
        return fail(minStep.error());
    return std::unique_ptr<PrometheusDatasource>(new PrometheusDatasource(settings, std::move(*client), *minStep));
}

PrometheusDatasource::PrometheusDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client,
                                           std::int64_t minStepMs)
    : m_settings(std::move(settings)), m_client(std::move(client)), m_minStepMs(minStepMs)
{
}

RangeParams PrometheusDatasource::rangeParams(const datasource::QueryRequest &request) const
{
    std::int64_t step = std::max(request.effectiveStepMs(), m_minStepMs);
    for (const char *key : {"minStep", "interval"}) {
        auto d = optionalDuration(request.options, QLatin1String(key), QLatin1String(key));
        if (d)
            step = std::max(step, *d);
    }
    const std::int64_t range = std::max<std::int64_t>(0, request.to - request.from);
    if (range / step >= kMaxPoints)
        step = (range + kMaxPoints - 2) / (kMaxPoints - 1);
    step = std::max<std::int64_t>(step, 1);
    return {floorTo(request.from, step), ceilTo(request.to, step), step};
}

Result<model::Frames> PrometheusDatasource::query(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    if (request.expr.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("the query is empty")));
    // Reject bad option values up front instead of silently ignoring them.
    for (const char *key : {"minStep", "interval"}) {
        auto d = optionalDuration(request.options, QLatin1String(key), QLatin1String(key));
        if (!d)
            return fail(d.error());
    }
    const QString format = request.options.value(QStringLiteral("format")).toString();
    if (!format.isEmpty() && format != u"time_series" && format != u"table")
        return fail(Error::invalid(
            QStringLiteral("format \"%1\" is not supported (use time_series or table)").arg(format)));

    datasource::QueryParams params;
    params.push_back({QStringLiteral("query"), request.expr});
    QString path;
    RangeParams range;
    if (request.instant) {
        path = QStringLiteral("api/v1/query");
        params.push_back({QStringLiteral("time"), formatApiSeconds(request.to)});
    } else {
        if (request.to < request.from)
            return fail(Error::invalid(QStringLiteral("the query range ends before it starts")));
        path = QStringLiteral("api/v1/query_range");
        range = rangeParams(request);
        params.push_back({QStringLiteral("start"), formatApiSeconds(range.start)});
        params.push_back({QStringLiteral("end"), formatApiSeconds(range.end)});
        params.push_back({QStringLiteral("step"), formatApiSeconds(range.stepMs)});
    }

    auto response = m_client.call(path, params, m_client.queryMethod(), cancel);
    if (!response)
        return fail(response.error());

    FrameOptions options;
    options.refId = request.refId;
    options.executedQuery = request.expr;
    options.legendFormat = request.options.value(QStringLiteral("legendFormat")).toString();
    options.table = format == u"table";
    options.datasourceUid = m_settings.uid;
    auto frames = parseQueryResponse(response->body, response->status, options);
    if (!frames)
        return fail(frames.error());
    if (!request.instant)
        for (auto &f : *frames)
            f.meta().custom.insert(QStringLiteral("stepMs"), QVariant::fromValue<qlonglong>(range.stepMs));
    return frames;
}

Result<QStringList> PrometheusDatasource::labelNames(const CancelToken &cancel)
{
    auto response = m_client.get(QStringLiteral("api/v1/labels"), {}, cancel);
    if (!response)
        return fail(response.error());
    return parseStringListResponse(response->body, response->status);
}

Result<QStringList> PrometheusDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    if (label.isEmpty())
        return fail(Error::invalid(QStringLiteral("no label name given for the label values look-up")));
    const QString path = QStringLiteral("api/v1/label/") + QString::fromLatin1(QUrl::toPercentEncoding(label))
        + QStringLiteral("/values");
    auto response = m_client.get(path, {}, cancel);
    if (!response)
        return fail(response.error());
    return parseStringListResponse(response->body, response->status);
}

Result<QString> PrometheusDatasource::checkHealth(const CancelToken &cancel)
{
    auto response = m_client.get(QStringLiteral("api/v1/status/buildinfo"), {}, cancel);
    if (!response)
        return fail(response.error());
    auto data = parseApiResponse(response->body, response->status);
    if (data) {
        const QJsonObject info = data->toObject();
        QString app = info.value(QLatin1String("application")).toString();
        if (app.isEmpty())
            app = QStringLiteral("Prometheus");
        const QString version = info.value(QLatin1String("version")).toString();
        return version.isEmpty() ? app : app + QLatin1Char(' ') + version;
    }

    // Some compatible servers have no build info; a trivial query proves the
    // query API works, which is what matters for a datasource.
    datasource::QueryParams params;
    params.push_back({QStringLiteral("query"), QStringLiteral("1+1")});
    auto probe = m_client.call(QStringLiteral("api/v1/query"), params, m_client.queryMethod(), cancel);
    if (!probe)
        return fail(probe.error());
    auto frames = parseQueryResponse(probe->body, probe->status, {});
    if (!frames) {
        Error e = frames.error();
        e.message = QStringLiteral("%1 does not answer like Prometheus: %2")
                        .arg(m_client.endpoint(QStringLiteral("api/v1/query")).toDisplayString(QUrl::RemoveUserInfo),
                             e.message);
        return fail(e);
    }
    return QStringLiteral("Prometheus-compatible API (no build information)");
}

} // namespace spyglass::plugins::prometheus
