#include "plugins/jaeger/jaeger_datasource.h"

#include "core/model/time_range.h"
#include "plugins/jaeger/jaeger_response.h"
#include "plugins/common/query_options.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace spyglass::plugins::jaeger {

using datasource::QueryParams;

namespace {

QString pathSegment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// `k=v k2="v 2"` (Grafana's Jaeger tags field) to Jaeger's JSON tags parameter.
Result<QString> tagsJson(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return QString();
    if (t.startsWith(QLatin1Char('{'))) {
        QJsonParseError perr{};
        const QJsonDocument doc = QJsonDocument::fromJson(t.toUtf8(), &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject())
            return fail(Error::invalid(QStringLiteral("tags \"%1\" is not a JSON object: %2").arg(t, perr.errorString())));
        return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
    }
    QJsonObject out;
    qsizetype i = 0;
    while (i < t.size()) {
        while (i < t.size() && t[i].isSpace())
            ++i;
        if (i >= t.size())
            break;
        const qsizetype eq = t.indexOf(QLatin1Char('='), i);
        if (eq < 0)
            return fail(Error::invalid(QStringLiteral("tags: \"%1\" at column %2 is not key=value").arg(t.mid(i), QString::number(i + 1))));
        const QString key = t.mid(i, eq - i).trimmed();
        i = eq + 1;
        QString value;
        if (i < t.size() && t[i] == QLatin1Char('"')) {
            ++i;
            while (i < t.size() && t[i] != QLatin1Char('"')) {
                if (t[i] == QLatin1Char('\\') && i + 1 < t.size())
                    ++i;
                value += t[i++];
            }
            if (i >= t.size())
                return fail(Error::invalid(QStringLiteral("tags: unterminated quote after %1=").arg(key)));
            ++i;
        } else {
            while (i < t.size() && !t[i].isSpace())
                value += t[i++];
        }
        if (key.isEmpty())
            return fail(Error::invalid(QStringLiteral("tags: empty key before \"=%1\"").arg(value)));
        out.insert(key, value);
    }
    return QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Compact));
}


} // namespace

Result<std::unique_ptr<JaegerDatasource>> JaegerDatasource::create(const datasource::DatasourceSettings &settings)
{
    auto client = datasource::HttpClient::create(settings, QStringLiteral("Jaeger"));
    if (!client)
        return fail(client.error());
    return std::unique_ptr<JaegerDatasource>(new JaegerDatasource(settings, std::move(*client)));
}

JaegerDatasource::JaegerDatasource(datasource::DatasourceSettings settings, datasource::HttpClient client)
    : m_settings(std::move(settings)), m_client(std::move(client))
{
}

Result<model::Frames> JaegerDatasource::query(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    QString queryType = request.options.value(QStringLiteral("queryType")).toString();
    if (queryType.isEmpty())
        queryType = request.options.contains(QStringLiteral("service")) ? QStringLiteral("search") : QStringLiteral("traceId");
    Result<model::Frame> frame;
    if (queryType == u"search")
        frame = search(request, cancel);
    else if (queryType == u"traceId")
        frame = trace(request.expr, cancel);
    else
        return fail(Error::invalid(QStringLiteral("queryType \"%1\" is not search or traceId").arg(queryType)));
    if (!frame)
        return fail(frame.error());
    frame->setName(request.refId);
    frame->meta().executedQuery = request.expr;
    frame->meta().datasourceUid = m_settings.uid;
    return model::Frames{*frame};
}

Result<model::Frame> JaegerDatasource::search(const datasource::QueryRequest &request, const CancelToken &cancel)
{
    const QString service = request.options.value(QStringLiteral("service")).toString().trimmed();
    if (service.isEmpty())
        return fail(Error::invalid(QStringLiteral("a Jaeger search needs a service (options.service)")));
    if (request.to < request.from)
        return fail(Error::invalid(QStringLiteral("the query range ends before it starts")));
    QueryParams params{{QStringLiteral("service"), service}};
    const QString operation = request.options.value(QStringLiteral("operation")).toString().trimmed();
    if (!operation.isEmpty() && operation != u"All")
        params.push_back({QStringLiteral("operation"), operation});
    auto tags = tagsJson(request.options.value(QStringLiteral("tags")).toString());
    if (!tags)
        return fail(tags.error());
    if (!tags->isEmpty())
        params.push_back({QStringLiteral("tags"), *tags});
    for (const char *key : {"minDuration", "maxDuration"}) {
        auto d = common::durationOption(request.options, QLatin1String(key));
        if (!d)
            return fail(d.error());
        if (!d->isEmpty())
            params.push_back({QLatin1String(key), *d});
    }
    int limit = 20;
    if (request.options.contains(QStringLiteral("limit"))) {
        bool ok = false;
        limit = request.options.value(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit <= 0)
            return fail(Error::invalid(QStringLiteral("limit \"%1\" is not a positive number")
                                           .arg(request.options.value(QStringLiteral("limit")).toString())));
    }
    params.push_back({QStringLiteral("limit"), QString::number(limit)});
    // Jaeger's times are microseconds.
    if (request.from > 0)
        params.push_back({QStringLiteral("start"), QString::number(request.from * 1000)});
    if (request.to > 0)
        params.push_back({QStringLiteral("end"), QString::number(request.to * 1000)});
    auto response = m_client.get(QStringLiteral("api/traces"), params, cancel);
    if (!response)
        return fail(response.error());
    return parseSearchResponse(response->body, response->status);
}

Result<model::Frame> JaegerDatasource::trace(const QString &traceId, const CancelToken &cancel)
{
    const QString id = traceId.trimmed().toLower();
    const bool hex = !id.isEmpty() && id.size() <= 32
                     && std::all_of(id.begin(), id.end(), [](QChar c) { return c.unicode() < 128 && isxdigit(c.toLatin1()); });
    if (!hex)
        return fail(Error::invalid(QStringLiteral("\"%1\" is not a trace id (16 or 32 hex digits)").arg(traceId)));
    auto response = m_client.get(QStringLiteral("api/traces/") + id, {}, cancel);
    if (!response)
        return fail(response.error());
    return parseTraceResponse(response->body, response->status, id);
}

Result<QStringList> JaegerDatasource::services(const CancelToken &cancel)
{
    auto response = m_client.get(QStringLiteral("api/services"), {}, cancel);
    if (!response)
        return fail(response.error());
    return parseStringList(response->body, response->status, QStringLiteral("services"));
}

Result<QStringList> JaegerDatasource::operations(const QString &service, const CancelToken &cancel)
{
    if (service.trimmed().isEmpty())
        return fail(Error::invalid(QStringLiteral("operations are listed per service: name one")));
    auto response = m_client.get(QStringLiteral("api/services/%1/operations").arg(pathSegment(service.trimmed())), {}, cancel);
    if (!response)
        return fail(response.error());
    return parseStringList(response->body, response->status, QStringLiteral("operations of %1").arg(service));
}

Result<QStringList> JaegerDatasource::labelNames(const CancelToken &cancel)
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());
    return QStringList{QStringLiteral("service"), QStringLiteral("operation")};
}

Result<QStringList> JaegerDatasource::labelValues(const QString &label, const CancelToken &cancel)
{
    return lookupLabelValues(label, {}, cancel);
}

Result<QStringList> JaegerDatasource::lookupLabelValues(const QString &label, const datasource::LabelLookup &lookup,
                                                        const CancelToken &cancel)
{
    if (label == u"service")
        return services(cancel);
    if (label == u"operation")
        return operations(lookup.selector, cancel);
    return fail(Error::invalid(QStringLiteral("Jaeger has no label \"%1\" to list (use service or operation)").arg(label)));
}

Result<QString> JaegerDatasource::checkHealth(const CancelToken &cancel)
{
    auto s = services(cancel);
    if (!s) {
        Error e = s.error();
        e.message = QStringLiteral("%1 does not answer like Jaeger's query API: %2").arg(m_client.displayUrl(), e.message);
        return fail(e);
    }
    return QStringLiteral("Jaeger, %1 services").arg(s->size());
}

} // namespace spyglass::plugins::jaeger
