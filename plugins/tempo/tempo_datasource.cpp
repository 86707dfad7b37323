#include "plugins/tempo/tempo_datasource.h"

#include "core/model/time_range.h"
#include "plugins/tempo/tempo_response.h"
#include "plugins/common/query_options.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace spyglass::plugins::tempo {

using datasource::QueryParams;

namespace {

QString seconds(model::TimestampMs ms)
{
    return QString::number(ms / 1000);
}

Result<int> positive(const QVariantMap &options, const QString &key, int fallback)
{
    if (!options.contains(key))
        return fallback;
    bool ok = false;
    const int v = options.value(key).toInt(&ok);
    if (!ok || v <= 0)
        return fail(Error::invalid(QStringLiteral("%1 \"%2\" is not a positive number").arg(key, options.value(key).toString())));
    return v;
}


} // namespace

Result<std::unique_ptr<TempoDatasource>> TempoDatasource::create(const datasource::DatasourceSettings &settings)
{
    auto client = datasource::HttpClient::create(settings, QStringLiteral("Tempo"));
    if (!client)
        return fail(client.error());
    return std::unique_ptr<TempoDatasource>(new TempoDatasource(settings, std::move(*client)));
}

TempoDatasource::TempoDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client)
    : m_settings(std::move(settings)), m_client(std::move(client))
{
}

Result<model::Frames> TempoDatasource::query(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    const QString queryType = request.options.value(QStringLiteral("queryType")).toString();
    Result<model::Frames> frames;
    if (queryType == u"traceId" || queryType == u"traceql-traceid") {
        auto f = trace(request.expr, cancel);
        if (!f)
            return fail(f.error());
        frames = model::Frames{*f};
    } else if (queryType == u"metrics" || ((queryType.isEmpty() || queryType == u"traceql") && isMetricsQuery(request.expr))) {
        frames = metrics(request, cancel);
    } else if (queryType.isEmpty() || queryType == u"traceql" || queryType == u"search") {
        frames = search(request, cancel);
    } else {
        return fail(Error::invalid(QStringLiteral("queryType \"%1\" is not traceql, search, traceId or metrics").arg(queryType)));
    }
    if (!frames)
        return frames;
    for (auto &f : *frames) {
        if (f.kind() != model::FrameKind::TimeSeries)
            f.setName(request.refId);
        f.meta().executedQuery = request.expr;
        f.meta().datasourceUid = m_settings.uid;
    }
    return frames;
}

Result<model::Frames> TempoDatasource::search(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    if (request.to < request.from)
        return fail(Error::invalid(QStringLiteral("the query range ends before it starts")));
    auto limit = positive(request.options, QStringLiteral("limit"), 20);
    if (!limit)
        return fail(limit.error());
    auto spss = positive(request.options, QStringLiteral("spss"), 3);
    if (!spss)
        return fail(spss.error());
    QueryParams params;
    const QString q = request.expr.trimmed();
    if (!q.isEmpty())
        params.push_back({QStringLiteral("q"), q});
    const QString tags = request.options.value(QStringLiteral("tags")).toString();
    if (!tags.isEmpty())
        params.push_back({QStringLiteral("tags"), tags});
    for (const char *key : {"minDuration", "maxDuration"}) {
        auto d = common::durationOption(request.options, QLatin1String(key));
        if (!d)
            return fail(d.error());
        if (!d->isEmpty())
            params.push_back({QLatin1String(key), *d});
    }
    params.push_back({QStringLiteral("limit"), QString::number(*limit)});
    params.push_back({QStringLiteral("spss"), QString::number(*spss)});
    if (request.from > 0)
        params.push_back({QStringLiteral("start"), seconds(request.from)});
    if (request.to > 0)
        // Tempo's end is in whole seconds: round up so the last second counts.
        params.push_back({QStringLiteral("end"), seconds(request.to + 999)});
    auto response = m_client.get(QStringLiteral("api/search"), params, cancel);
    if (!response)
        return fail(response.error());
    auto frame = parseSearchResponse(response->body, response->status);
    if (!frame)
        return fail(frame.error());
    return model::Frames{*frame};
}

Result<model::Frames> TempoDatasource::metrics(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    std::int64_t stepMs = request.effectiveStepMs();
    const QString stepText = request.options.value(QStringLiteral("step")).toString();
    if (!stepText.isEmpty()) {
        auto d = model::parseDuration(stepText);
        if (!d || *d <= 0)
            return fail(Error::invalid(QStringLiteral("step \"%1\" is not a positive duration").arg(stepText)));
        stepMs = *d;
    }
    const model::TimestampMs end = request.to;
    const model::TimestampMs start = request.instant ? end - stepMs : request.from;
    QueryParams params{{QStringLiteral("q"), request.expr},
                       {QStringLiteral("start"), QString::number(start * 1'000'000)},
                       {QStringLiteral("end"), QString::number(end * 1'000'000)},
                       {QStringLiteral("step"), QStringLiteral("%1ms").arg(stepMs)}};
    auto response = m_client.get(QStringLiteral("api/metrics/query_range"), params, cancel);
    if (!response)
        return fail(response.error());
    auto frames = parseMetricsResponse(response->body, response->status);
    if (!frames)
        return fail(frames.error());
    for (auto &f : *frames)
        f.meta().custom.insert(QStringLiteral("stepMs"), qlonglong(stepMs));
    return frames;
}

Result<model::Frame> TempoDatasource::trace(const QString &traceId, const CancelToken &cancel)
{
    const QString id = traceId.trimmed().toLower();
    const bool hex = !id.isEmpty() && id.size() <= 32
                     && std::all_of(id.begin(), id.end(), [](QChar c) { return isxdigit(c.toLatin1()) && c.unicode() < 128; });
    if (!hex)
        return fail(Error::invalid(QStringLiteral("\"%1\" is not a trace id (up to 32 hex digits)").arg(traceId)));
    auto response = m_client.get(QStringLiteral("api/traces/") + id, {}, cancel);
    if (!response)
        return fail(response.error());
    return parseTraceResponse(response->body, response->status, id);
}

Result<QStringList> TempoDatasource::labelNames(const CancelToken &cancel)
{
    auto response = m_client.get(QStringLiteral("api/v2/search/tags"), {}, cancel);
    if (!response)
        return fail(response.error());
    if (response->status == 404) {
        // Tempo before 2.2 only has the unscoped v1 list.
        response = m_client.get(QStringLiteral("api/search/tags"), {}, cancel);
        if (!response)
            return fail(response.error());
    }
    return parseTagsResponse(response->body, response->status);
}

Result<QStringList> TempoDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    if (label.isEmpty())
        return fail(Error::invalid(QStringLiteral("no tag name given for the tag values look-up")));
    const QString path = QStringLiteral("api/v2/search/tag/") + QString::fromLatin1(QUrl::toPercentEncoding(label))
        + QStringLiteral("/values");
    auto response = m_client.get(path, {}, cancel);
    if (!response)
        return fail(response.error());
    return parseTagValuesResponse(response->body, response->status);
}

Result<QString> TempoDatasource::checkHealth(const CancelToken &cancel)
{
    auto echo = m_client.get(QStringLiteral("api/echo"), {}, cancel);
    if (!echo)
        return fail(echo.error());
    if (echo->status != 200 || !echo->body.startsWith("echo"))
        return fail(Error{Error::Kind::Unavailable,
                          QStringLiteral("%1 does not answer like Tempo (GET /api/echo gave HTTP %2)")
                              .arg(m_client.displayUrl())
                              .arg(echo->status),
                          {}, 0, 0});
    auto build = m_client.get(QStringLiteral("api/status/buildinfo"), {}, cancel);
    if (build && build->status == 200) {
        const QString version = QJsonDocument::fromJson(build->body).object().value(QLatin1String("version")).toString();
        if (!version.isEmpty())
            return QStringLiteral("Tempo ") + version;
    }
    return QStringLiteral("Tempo API");
}

} // namespace spyglass::plugins::tempo
