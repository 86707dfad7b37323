#include "plugins/common/otlp_trace_json.h"

#include "plugins/common/span_frame.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace spyglass::plugins::common {

namespace {

QVariant anyValue(const QJsonObject &v)
{
    if (v.contains(QLatin1String("stringValue")))
        return v.value(QLatin1String("stringValue")).toString();
    if (v.contains(QLatin1String("boolValue")))
        return v.value(QLatin1String("boolValue")).toBool();
    if (v.contains(QLatin1String("intValue"))) {
        // proto3 JSON writes int64 as a string; some writers use a number.
        const QJsonValue i = v.value(QLatin1String("intValue"));
        return QVariant::fromValue<qint64>(i.isString() ? i.toString().toLongLong() : qint64(i.toDouble()));
    }
    if (v.contains(QLatin1String("doubleValue"))) {
        const QJsonValue d = v.value(QLatin1String("doubleValue"));
        return d.isString() ? d.toString().toDouble() : d.toDouble();
    }
    if (v.contains(QLatin1String("bytesValue")))
        return QByteArray::fromBase64(v.value(QLatin1String("bytesValue")).toString().toLatin1());
    if (v.contains(QLatin1String("arrayValue"))) {
        QVariantList out;
        for (const QJsonValue &e : v.value(QLatin1String("arrayValue")).toObject().value(QLatin1String("values")).toArray())
            out.append(anyValue(e.toObject()));
        return out;
    }
    if (v.contains(QLatin1String("kvlistValue"))) {
        QVariantMap out;
        for (const QJsonValue &e : v.value(QLatin1String("kvlistValue")).toObject().value(QLatin1String("values")).toArray())
            out.insert(e.toObject().value(QLatin1String("key")).toString(),
                       anyValue(e.toObject().value(QLatin1String("value")).toObject()));
        return out;
    }
    return {};
}

model::Attributes attributes(const QJsonValue &list)
{
    model::Attributes out;
    for (const QJsonValue &e : list.toArray()) {
        const QJsonObject kv = e.toObject();
        out.append({kv.value(QLatin1String("key")).toString(), anyValue(kv.value(QLatin1String("value")).toObject())});
    }
    return out;
}

std::int64_t nanos(const QJsonValue &v)
{
    return v.isString() ? v.toString().toLongLong() : std::int64_t(v.toDouble());
}

QString enumText(const QJsonValue &v)
{
    return v.isDouble() ? QString::number(v.toInt()) : v.toString();
}

} // namespace

Result<QList<model::Span>> parseOtlpTraceJson(const QByteArray &json)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError)
        return fail(Error::at(QStringLiteral("trace JSON"), 1, int(perr.offset) + 1,
                              QStringLiteral("not JSON: %1").arg(perr.errorString())));
    QJsonObject root = doc.object();
    if (root.contains(QLatin1String("trace")))
        root = root.value(QLatin1String("trace")).toObject();
    QJsonArray batches = root.value(QLatin1String("batches")).toArray();
    if (batches.isEmpty())
        batches = root.value(QLatin1String("resourceSpans")).toArray();
    if (!root.contains(QLatin1String("batches")) && !root.contains(QLatin1String("resourceSpans")) && !root.isEmpty())
        return fail(Error::badData(QStringLiteral("trace JSON has neither \"batches\" nor \"resourceSpans\"")));

    QList<model::Span> out;
    for (const QJsonValue &b : batches) {
        const QJsonObject batch = b.toObject();
        const model::Attributes resource = attributes(batch.value(QLatin1String("resource")).toObject().value(QLatin1String("attributes")));
        QString service;
        for (const auto &a : resource)
            if (a.key == u"service.name")
                service = a.value.toString();
        QJsonArray scopes = batch.value(QLatin1String("scopeSpans")).toArray();
        if (scopes.isEmpty())
            scopes = batch.value(QLatin1String("instrumentationLibrarySpans")).toArray();
        for (const QJsonValue &sc : scopes) {
            const QJsonObject scopeSpans = sc.toObject();
            QJsonObject scope = scopeSpans.value(QLatin1String("scope")).toObject();
            if (scope.isEmpty())
                scope = scopeSpans.value(QLatin1String("instrumentationLibrary")).toObject();
            for (const QJsonValue &sv : scopeSpans.value(QLatin1String("spans")).toArray()) {
                const QJsonObject o = sv.toObject();
                model::Span s;
                s.traceId = decodeId(o.value(QLatin1String("traceId")).toString(), 16);
                s.spanId = decodeId(o.value(QLatin1String("spanId")).toString(), 8);
                s.name = o.value(QLatin1String("name")).toString();
                if (s.traceId.isEmpty() || s.spanId.isEmpty())
                    return fail(Error::badData(QStringLiteral("span \"%1\" (#%2 of the trace) has an invalid traceId \"%3\" or spanId \"%4\"")
                                                   .arg(s.name)
                                                   .arg(out.size() + 1)
                                                   .arg(o.value(QLatin1String("traceId")).toString(),
                                                        o.value(QLatin1String("spanId")).toString())));
                const QString parent = o.value(QLatin1String("parentSpanId")).toString();
                if (!parent.isEmpty())
                    s.parentSpanId = decodeId(parent, 8);
                s.kind = spanKindFromName(enumText(o.value(QLatin1String("kind"))));
                s.start = nanos(o.value(QLatin1String("startTimeUnixNano")));
                s.end = nanos(o.value(QLatin1String("endTimeUnixNano")));
                const QJsonObject status = o.value(QLatin1String("status")).toObject();
                s.status = statusFromName(enumText(status.value(QLatin1String("code"))));
                s.statusMessage = status.value(QLatin1String("message")).toString();
                s.serviceName = service;
                s.attributes = attributes(o.value(QLatin1String("attributes")));
                s.resourceAttributes = resource;
                s.scopeName = scope.value(QLatin1String("name")).toString();
                s.scopeVersion = scope.value(QLatin1String("version")).toString();
                for (const QJsonValue &ev : o.value(QLatin1String("events")).toArray()) {
                    const QJsonObject e = ev.toObject();
                    s.events.append({nanos(e.value(QLatin1String("timeUnixNano"))), e.value(QLatin1String("name")).toString(),
                                     attributes(e.value(QLatin1String("attributes")))});
                }
                for (const QJsonValue &lv : o.value(QLatin1String("links")).toArray()) {
                    const QJsonObject l = lv.toObject();
                    s.links.append({decodeId(l.value(QLatin1String("traceId")).toString(), 16),
                                    decodeId(l.value(QLatin1String("spanId")).toString(), 8),
                                    attributes(l.value(QLatin1String("attributes")))});
                }
                out.append(std::move(s));
            }
        }
    }
    return out;
}

} // namespace spyglass::plugins::common
