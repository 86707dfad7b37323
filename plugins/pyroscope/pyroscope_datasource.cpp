#include "plugins/pyroscope/pyroscope_datasource.h"

#include "core/model/time_range.h"
#include "plugins/pyroscope/pyroscope_response.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>

namespace spyglass::plugins::pyroscope {

namespace {

constexpr int kDefaultMaxNodes = 16384;
constexpr std::int64_t kLookupRangeMs = 24LL * 3600 * 1000;
const QLatin1String kQuerier("querier.v1.QuerierService/");

Result<std::int64_t> optionalDuration(const QVariantMap &map, const QString &key, std::int64_t fallback)
{
    const QString text = map.value(key).toString().trimmed();
    if (text.isEmpty())
        return fallback;
    auto d = model::parseDuration(text);
    if (!d)
        return fail(Error::invalid(QStringLiteral("%1 \"%2\" is not a duration: %3").arg(key, text, d.error().message)));
    return *d;
}

QStringList stringList(const QVariant &v)
{
    QStringList out;
    const QStringList raw = v.typeId() == QMetaType::QString ? v.toString().split(QLatin1Char(',')) : v.toStringList();
    for (const auto &s : raw)
        if (!s.trimmed().isEmpty())
            out.append(s.trimmed());
    return out;
}

QJsonObject withRange(QJsonObject o, model::TimestampMs from, model::TimestampMs to)
{
    o.insert(QStringLiteral("start"), QString::number(from));
    o.insert(QStringLiteral("end"), QString::number(to));
    return o;
}

QJsonArray toJsonArray(const QStringList &l)
{
    QJsonArray a;
    for (const auto &s : l)
        a.append(s);
    return a;
}

} // namespace

Result<QueryType> parseQueryType(const QString &text)
{
    if (text.isEmpty() || text == u"both")
        return QueryType::Both;
    if (text == u"profile")
        return QueryType::Profile;
    if (text == u"metrics")
        return QueryType::Metrics;
    return fail(Error::invalid(QStringLiteral("queryType \"%1\" is not profile, metrics or both").arg(text)));
}

Result<std::unique_ptr<PyroscopeDatasource>> PyroscopeDatasource::create(const datasource::DatasourceSettings &settings)
{
    auto client = datasource::HttpClient::create(settings, QStringLiteral("Pyroscope"));
    if (!client)
        return fail(client.error());
    auto minStep = optionalDuration(settings.jsonData, QStringLiteral("minStep"), 15000);
    if (!minStep)
        return fail(minStep.error());
    if (*minStep <= 0)
        return fail(Error::invalid(QStringLiteral("minStep must be positive")));
    return std::unique_ptr<PyroscopeDatasource>(new PyroscopeDatasource(settings, std::move(*client), *minStep));
}

PyroscopeDatasource::PyroscopeDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client,
                                         std::int64_t minStepMs)
    : m_settings(std::move(settings)), m_client(std::move(client)), m_minStepMs(minStepMs)
{
}

Result<QJsonObject> PyroscopeDatasource::call(const QString &method, const QJsonObject &request,
                                              const CancelToken &cancel) const
{
    auto response = m_client.postBody(kQuerier + method, QJsonDocument(request).toJson(QJsonDocument::Compact),
                                     QByteArrayLiteral("application/json"), cancel,
                                     {{QByteArrayLiteral("Connect-Protocol-Version"), QByteArrayLiteral("1")}});
    if (!response)
        return fail(response.error());
    return parseConnectResponse(response->body, response->status,
                                QStringLiteral("%1 at %2").arg(method, m_client.baseUrl().toDisplayString(QUrl::RemoveUserInfo)));
}

Result<double> PyroscopeDatasource::seriesStepSeconds(const datasource::QueryRequest &request) const
{
    std::int64_t stepMs = std::max(request.stepMs, m_minStepMs);
    const std::int64_t range = std::max<std::int64_t>(0, request.to - request.from);
    if (request.maxDataPoints > 0)
        stepMs = std::max(stepMs, range / request.maxDataPoints);
    for (const char *key : {"minStep", "interval"}) {
        auto d = optionalDuration(request.options, QLatin1String(key), 0);
        if (!d)
            return fail(d.error());
        stepMs = std::max(stepMs, *d);
    }
    return double(stepMs) / 1000.0;
}

Result<model::Frames> PyroscopeDatasource::query(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    auto q = parseProfileQuery(request.expr);
    if (!q)
        return fail(q.error());
    auto type = parseQueryType(request.options.value(QStringLiteral("queryType")).toString());
    if (!type)
        return fail(type.error());
    if (request.to < request.from)
        return fail(Error::invalid(QStringLiteral("the query range ends before it starts")));
    int maxNodes = kDefaultMaxNodes;
    if (request.options.contains(QStringLiteral("maxNodes"))) {
        bool ok = false;
        maxNodes = request.options.value(QStringLiteral("maxNodes")).toInt(&ok);
        if (!ok || maxNodes <= 0)
            return fail(Error::invalid(QStringLiteral("maxNodes \"%1\" is not a positive integer")
                                           .arg(request.options.value(QStringLiteral("maxNodes")).toString())));
    }
    auto step = seriesStepSeconds(request);
    if (!step)
        return fail(step.error());
    const QString unit = model::ProfileType::parse(q->profileTypeId)->sampleUnit;

    QJsonObject base{{QStringLiteral("profileTypeID"), q->profileTypeId},
                     {QStringLiteral("labelSelector"), q->labelSelector}};
    base = withRange(base, request.from, request.to);

    auto decorate = [&](model::Frame &f) {
        f.meta().executedQuery = request.expr;
        f.meta().datasourceUid = m_settings.uid;
        f.meta().custom.insert(QStringLiteral("profileTypeId"), q->profileTypeId);
    };

    model::Frames out;
    if (*type != QueryType::Metrics) {
        QJsonObject body = base;
        body.insert(QStringLiteral("maxNodes"), QString::number(maxNodes));
        auto answer = call(QStringLiteral("SelectMergeStacktraces"), body, cancel);
        if (!answer)
            return fail(answer.error());
        auto frame = flamegraphToFrame(answer->value(u"flamegraph").toObject(), unit);
        if (!frame)
            return fail(frame.error());
        decorate(*frame);
        frame->setName(request.refId);
        out.append(std::move(*frame));
    }
    if (*type != QueryType::Profile) {
        QJsonObject body = base;
        body.insert(QStringLiteral("step"), *step);
        body.insert(QStringLiteral("groupBy"), toJsonArray(stringList(request.options.value(QStringLiteral("groupBy")))));
        auto answer = call(QStringLiteral("SelectSeries"), body, cancel);
        if (!answer)
            return fail(answer.error());
        auto frames = seriesToFrames(*answer, unit, q->profileTypeId);
        if (!frames)
            return fail(frames.error());
        for (auto &f : *frames) {
            decorate(f);
            f.meta().custom.insert(QStringLiteral("stepMs"), QVariant::fromValue<qlonglong>(qlonglong(*step * 1000)));
            out.append(std::move(f));
        }
    }
    return out;
}

Result<QList<model::ProfileType>> PyroscopeDatasource::profileTypes(model::TimestampMs fromMs, model::TimestampMs toMs,
                                                                    const CancelToken &cancel) const
{
    auto answer = call(QStringLiteral("ProfileTypes"), withRange({}, fromMs, toMs), cancel);
    if (!answer)
        return fail(answer.error());
    return parseProfileTypes(*answer);
}

Result<QStringList> PyroscopeDatasource::labelNames(const QStringList &selectors, model::TimestampMs fromMs,
                                                    model::TimestampMs toMs, const CancelToken &cancel) const
{
    QJsonObject body{{QStringLiteral("matchers"), toJsonArray(selectors)}};
    auto answer = call(QStringLiteral("LabelNames"), withRange(body, fromMs, toMs), cancel);
    if (!answer)
        return fail(answer.error());
    return parseNames(*answer);
}

Result<QStringList> PyroscopeDatasource::labelValues(const QString &label, const QStringList &selectors,
                                                     model::TimestampMs fromMs, model::TimestampMs toMs,
                                                     const CancelToken &cancel) const
{
    if (label.isEmpty())
        return fail(Error::invalid(QStringLiteral("no label name given for the label values look-up")));
    QJsonObject body{{QStringLiteral("name"), label}, {QStringLiteral("matchers"), toJsonArray(selectors)}};
    auto answer = call(QStringLiteral("LabelValues"), withRange(body, fromMs, toMs), cancel);
    if (!answer)
        return fail(answer.error());
    return parseNames(*answer);
}

Result<QStringList> PyroscopeDatasource::labelNames(const CancelToken &cancel)
{
    const auto now = model::nowMs();
    auto names = labelNames({}, now - kLookupRangeMs, now, cancel);
    if (!names)
        return fail(names.error());
    names->removeIf([](const QString &n) { return n.startsWith(u"__"); });
    return names;
}

Result<QStringList> PyroscopeDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    const auto now = model::nowMs();
    return labelValues(label, {}, now - kLookupRangeMs, now, cancel);
}

Result<QString> PyroscopeDatasource::checkHealth(const CancelToken &cancel)
{
    const auto now = model::nowMs();
    auto types = profileTypes(now - kLookupRangeMs, now, cancel);
    if (!types)
        return fail(types.error());
    return types->size() == 1 ? QStringLiteral("Pyroscope: 1 profile type")
                              : QStringLiteral("Pyroscope: %1 profile types").arg(types->size());
}

} // namespace spyglass::plugins::pyroscope
