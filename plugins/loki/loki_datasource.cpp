#include "plugins/loki/loki_datasource.h"

#include "core/model/time_range.h"
#include "plugins/loki/loki_response.h"
#include "plugins/loki/loki_tail_client.h"
#include "plugins/prometheus/prometheus_response.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>
#include <algorithm>

namespace spyglass::plugins::loki {

using datasource::QueryParams;

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kDefaultLookupRangeMs = 6LL * 3600 * 1000; // Grafana's label look-up window
constexpr int kMaxPoints = 11000; // Loki refuses more per series

QString ns(model::TimestampMs ms)
{
    return QString::number(ms * kNsPerMs);
}

Result<std::int64_t> durationMs(const QVariantMap &options, const QString &key)
{
    const QString text = options.value(key).toString().trimmed();
    if (text.isEmpty())
        return 0;
    bool isNumber = false;
    const double seconds = text.toDouble(&isNumber);
    if (isNumber)
        return std::int64_t(seconds * 1000);
    auto d = model::parseDuration(text);
    if (!d)
        return fail(Error::invalid(QStringLiteral("%1 \"%2\" is not a duration: %3").arg(key, text, d.error().message)));
    return *d;
}

QString seconds(std::int64_t ms)
{
    return ms % 1000 == 0 ? QString::number(ms / 1000) : QString::number(double(ms) / 1000.0, 'f', 3);
}

QueryParams rangeParams(const datasource::LabelLookup &lookup, model::TimestampMs now)
{
    const model::TimestampMs to = lookup.to > 0 ? lookup.to : now;
    const model::TimestampMs from = lookup.from > 0 ? lookup.from : to - kDefaultLookupRangeMs;
    return {{QStringLiteral("start"), ns(from)}, {QStringLiteral("end"), ns(to)}};
}

} // namespace

Result<std::unique_ptr<LokiDatasource>> LokiDatasource::create(const datasource::DatasourceSettings &settings)
{
    auto client = datasource::HttpClient::create(settings, QStringLiteral("Loki"));
    if (!client)
        return fail(client.error());
    int maxLines = 1000;
    if (settings.jsonData.contains(QStringLiteral("maxLines"))) {
        bool ok = false;
        maxLines = settings.jsonData.value(QStringLiteral("maxLines")).toInt(&ok);
        if (!ok || maxLines <= 0)
            return fail(Error::invalid(QStringLiteral("jsonData.maxLines \"%1\" is not a positive number")
                                           .arg(settings.jsonData.value(QStringLiteral("maxLines")).toString())));
    }
    return std::unique_ptr<LokiDatasource>(new LokiDatasource(settings, std::move(*client), maxLines));
}

LokiDatasource::LokiDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client, int maxLines)
    : m_settings(std::move(settings)), m_client(std::move(client)), m_maxLines(maxLines)
{
}

Result<model::Frames> LokiDatasource::query(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    if (request.expr.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("empty query: enter a LogQL query such as {job=\"x\"}")));
    int limit = m_maxLines;
    if (request.options.contains(QStringLiteral("limit"))) {
        bool ok = false;
        limit = request.options.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit <= 0)
            return fail(Error::invalid(QStringLiteral("limit \"%1\" is not a positive number of lines")
                                           .arg(request.options.value(QStringLiteral("limit")).toString())));
    }
    const QString dirText = request.options.value(QStringLiteral("direction")).toString().toLower();
    Direction direction = Direction::Backward;
    if (dirText == u"forward")
        direction = Direction::Forward;
    else if (!dirText.isEmpty() && dirText != u"backward")
        return fail(Error::invalid(QStringLiteral("direction \"%1\" is not forward or backward").arg(dirText)));
    const bool instant = request.instant || request.options.value(QStringLiteral("queryType")).toString() == u"instant";

    QueryParams params{{QStringLiteral("query"), request.expr},
                       {QStringLiteral("limit"), QString::number(limit)},
                       {QStringLiteral("direction"), direction == Direction::Forward ? QStringLiteral("forward")
                                                                                    : QStringLiteral("backward")}};
    QString path;
    std::int64_t stepMs = 0;
    if (instant) {
        path = QStringLiteral("loki/api/v1/query");
        params.push_back({QStringLiteral("time"), ns(request.to)});
    } else {
        if (request.to < request.from)
            return fail(Error::invalid(QStringLiteral("the query range ends before it starts")));
        auto step = durationMs(request.options, QStringLiteral("step"));
        if (!step)
            return fail(step.error());
        stepMs = std::max<std::int64_t>(*step > 0 ? *step : request.effectiveStepMs(), 1);
        stepMs = std::max<std::int64_t>(stepMs, (request.to - request.from) / kMaxPoints + 1);
        path = QStringLiteral("loki/api/v1/query_range");
        params.push_back({QStringLiteral("start"), ns(request.from)});
        params.push_back({QStringLiteral("end"), ns(request.to)});
        params.push_back({QStringLiteral("step"), seconds(stepMs)});
        auto interval = durationMs(request.options, QStringLiteral("interval"));
        if (!interval)
            return fail(interval.error());
        if (*interval > 0)
            params.push_back({QStringLiteral("interval"), seconds(*interval)});
    }
    // Loki 3 then says which labels are structured metadata and which
    // came from parsers, instead of one merged label set.
    auto response = m_client.get(path, params, cancel,
                                 {{QByteArrayLiteral("X-Loki-Response-Encoding-Flags"), QByteArrayLiteral("categorize-labels")}});
    if (!response)
        return fail(response.error());
    LokiFrameOptions options;
    options.refId = request.refId;
    options.executedQuery = request.expr;
    options.legendFormat = request.options.value(QStringLiteral("legendFormat")).toString();
    options.datasourceUid = m_settings.uid;
    options.direction = direction;
    auto frames = parseQueryResponse(response->body, response->status, options);
    if (!frames)
        return fail(frames.error());
    for (auto &f : *frames) {
        if (stepMs > 0)
            f.meta().custom.insert(QStringLiteral("stepMs"), qlonglong(stepMs));
        if (f.kind() == model::FrameKind::Logs)
            f.meta().custom.insert(QStringLiteral("limit"), limit);
    }
    return frames;
}

Result<QStringList> LokiDatasource::lookupLabelNames(const datasource::LabelLookup &lookup, const CancelToken &cancel)
{
    QueryParams params = rangeParams(lookup, model::nowMs());
    if (!lookup.selector.trimmed().isEmpty())
        params.push_back({QStringLiteral("query"), lookup.selector});
    auto response = m_client.get(QStringLiteral("loki/api/v1/labels"), params, cancel);
    if (!response)
        return fail(response.error());
    return prometheus::parseStringListResponse(response->body, response->status);
}

Result<QStringList> LokiDatasource::lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                                      const CancelToken &cancel)
{
    if (label.isEmpty())
        return fail(Error::invalid(QStringLiteral("no label name given for the label values look-up")));
    QueryParams params = rangeParams(lookup, model::nowMs());
    if (!lookup.selector.trimmed().isEmpty())
        params.push_back({QStringLiteral("query"), lookup.selector});
    const QString path = QStringLiteral("loki/api/v1/label/") + QString::fromLatin1(QUrl::toPercentEncoding(label))
        + QStringLiteral("/values");
    auto response = m_client.get(path, params, cancel);
    if (!response)
        return fail(response.error());
    return prometheus::parseStringListResponse(response->body, response->status);
}

Result<QStringList> LokiDatasource::labelNames(const CancelToken &cancel)
{
    return lookupLabelNames({}, cancel);
}

Result<QStringList> LokiDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    return lookupLabelValues(label, {}, cancel);
}

Result<QString> LokiDatasource::checkHealth(const CancelToken &cancel)
{
    QString product = QStringLiteral("Loki API");
    auto build = m_client.get(QStringLiteral("loki/api/v1/status/buildinfo"), {}, cancel);
    if (!build && build.error().kind == Error::Kind::Cancelled)
        return fail(build.error());
    if (build && build->status == 200) {
        const QString version = QJsonDocument::fromJson(build->body).object().value(QLatin1String("version")).toString();
        if (!version.isEmpty())
            product = QStringLiteral("Loki ") + version;
    }
    auto labels = labelNames(cancel);
    if (!labels) {
        Error e = labels.error();
        e.message = QStringLiteral("%1 does not answer like Loki: %2").arg(m_client.displayUrl(), e.message);
        return fail(e);
    }
    return QStringLiteral("%1, %2 labels").arg(product).arg(labels->size());
}

QUrl LokiDatasource::tailUrl(const datasource::TailRequest &request) const
{
    QueryParams params{{QStringLiteral("query"), request.expr},
                       {QStringLiteral("limit"), QString::number(request.limit > 0 ? request.limit : 100)}};
    if (request.from > 0)
        params.push_back({QStringLiteral("start"), ns(request.from)});
    if (request.delayForSeconds > 0)
        params.push_back({QStringLiteral("delay_for"), QString::number(request.delayForSeconds)});
    return m_client.endpoint(QStringLiteral("loki/api/v1/tail"), params);
}

Result<void> LokiDatasource::tail(const datasource::TailRequest &request, const datasource::TailSink &sink,
                                  const CancelToken &cancel)
{
    if (request.expr.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("empty query: enter a LogQL log query to tail")));
    if (request.delayForSeconds < 0 || request.delayForSeconds > 5)
        return fail(Error::invalid(QStringLiteral("delay_for must be 0 to 5 seconds, not %1").arg(request.delayForSeconds)));
    std::optional<Error> badMessage;
    bool declined = false;
    const QUrl url = tailUrl(request);
    auto result = runWebSocket(url, m_client.headers(), m_client.timeoutMs(),
                               [&](const QByteArray &message) {
                                   qint64 dropped = 0;
                                   auto frame = parseTailMessage(message, &dropped);
                                   if (!frame) {
                                       badMessage = frame.error();
                                       return false;
                                   }
                                   frame->meta().executedQuery = request.expr;
                                   frame->meta().datasourceUid = m_settings.uid;
                                   return sink(*frame, dropped);
                               },
                               cancel, &declined);
    if (badMessage)
        return fail(*badMessage);
    if (!result && declined && !cancel.isCancelled()) {
        // Loki checks the query, limits and tenant before upgrading, so the
        // same request as a plain GET gets the answer that says why.
        datasource::QueryParams params;
        for (const auto &[k, v] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
            params.push_back({k, v});
        auto plain = m_client.get(QStringLiteral("loki/api/v1/tail"), params, cancel);
        if (plain && plain->status >= 400) {
            const QString body = QString::fromUtf8(plain->body.left(300)).simplified();
            return fail(Error{plain->status == 401 || plain->status == 403 || plain->status == 400 ? Error::Kind::Invalid
                                                                                                   : Error::Kind::Unavailable,
                              QStringLiteral("%1 refused the live tail: HTTP %2%3")
                                  .arg(m_client.displayUrl())
                                  .arg(plain->status)
                                  .arg(body.isEmpty() ? QString() : QStringLiteral(": ") + body),
                              {}, 0, 0});
        }
    }
    return result;
}

} // namespace spyglass::plugins::loki
