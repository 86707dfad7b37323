#include "core/formats/jaeger_json_reader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace spyglass::formats {

namespace {

std::pair<int, int> lineColumn(const QByteArray &data, qsizetype offset)
{
    int line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < std::min(offset, data.size()); ++i)
        if (data[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    return {line, int(offset - lineStart) + 1};
}

// Hex ids shorter than the width (Jaeger drops leading zeros) are padded.
QByteArray hexId(const QJsonValue &v, int bytes)
{
    QString s = v.toString();
    if (s.isEmpty() || s.size() > bytes * 2)
        return {};
    s = s.rightJustified(bytes * 2, u'0');
    for (QChar c : s)
        if (!c.isDigit() && !(c.toLower() >= u'a' && c.toLower() <= u'f'))
            return {};
    return QByteArray::fromHex(s.toLatin1());
}

QVariant tagValue(const QJsonObject &tag)
{
    const QString type = tag.value(u"type").toString().toLower();
    const QJsonValue v = tag.value(u"value");
    if (type == u"bool")
        return v.isBool() ? v.toBool() : v.toString() == u"true";
    if (type == u"int64")
        return v.isString() ? v.toString().toLongLong() : qint64(v.toDouble());
    if (type == u"float64")
        return v.isString() ? v.toString().toDouble() : v.toDouble();
    if (type == u"binary")
        return QByteArray::fromBase64(v.toString().toLatin1());
    if (v.isBool())
        return v.toBool();
    if (v.isDouble())
        return v.toDouble();
    return v.toString();
}

model::Span::Kind kindOf(const QString &k)
{
    if (k == u"server")
        return model::Span::Kind::Server;
    if (k == u"client")
        return model::Span::Kind::Client;
    if (k == u"producer")
        return model::Span::Kind::Producer;
    if (k == u"consumer")
        return model::Span::Kind::Consumer;
    if (k == u"internal")
        return model::Span::Kind::Internal;
    return model::Span::Kind::Unspecified;
}

struct Process
{
    QString service;
    model::Attributes tags;
};

} // namespace

bool JaegerJsonReader::looksLikeJaeger(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    QJsonObject first;
    if (doc.isArray())
        first = doc.array().first().toObject();
    else if (doc.object().value(u"data").isArray())
        first = doc.object().value(u"data").toArray().first().toObject();
    else
        first = doc.object();
    return first.contains(u"spans") && (first.contains(u"processes") || first.contains(u"traceID"));
}

Result<QList<model::Span>> JaegerJsonReader::parse(const QByteArray &json, const QString &name)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        auto [line, col] = lineColumn(json, pe.offset);
        return fail(Error::at(name, line, col, QStringLiteral("invalid JSON: %1").arg(pe.errorString())));
    }
    QJsonArray traces;
    if (doc.isArray())
        traces = doc.array();
    else if (doc.object().value(u"data").isArray())
        traces = doc.object().value(u"data").toArray();
    else
        traces = QJsonArray{doc.object()};

    QList<model::Span> out;
    for (qsizetype t = 0; t < traces.size(); ++t) {
        const QJsonObject trace = traces[t].toObject();
        const QString where = QStringLiteral("trace %1").arg(t);
        if (!trace.value(u"spans").isArray())
            return fail(Error::at(name, 0, 0, where + QStringLiteral(": \"spans\" must be an array")));
        QHash<QString, Process> processes;
        const QJsonObject procs = trace.value(u"processes").toObject();
        for (auto it = procs.begin(); it != procs.end(); ++it) {
            const QJsonObject p = it.value().toObject();
            Process proc;
            proc.service = p.value(u"serviceName").toString();
            proc.tags.append({QStringLiteral("service.name"), proc.service});
            for (const auto &tag : p.value(u"tags").toArray()) {
                const QJsonObject to = tag.toObject();
                proc.tags.append({to.value(u"key").toString(), tagValue(to)});
            }
            processes.insert(it.key(), proc);
        }
        const QJsonArray spans = trace.value(u"spans").toArray();
        for (qsizetype i = 0; i < spans.size(); ++i) {
            const QJsonObject o = spans[i].toObject();
            const QString at = where + QStringLiteral(", span %1").arg(i);
            model::Span s;
            s.traceId = hexId(o.value(u"traceID").isUndefined() ? trace.value(u"traceID") : o.value(u"traceID"), 16);
            s.spanId = hexId(o.value(u"spanID"), 8);
            if (s.traceId.isEmpty() || s.spanId.isEmpty())
                return fail(Error::at(name, 0, 0, at + QStringLiteral(": traceID (up to 32 hex digits) and spanID (up to "
                                                                      "16 hex digits) are required")));
            s.name = o.value(u"operationName").toString();
            const QJsonValue start = o.value(u"startTime");
            if (!start.isDouble() && !start.isString())
                return fail(Error::at(name, 0, 0, at + QStringLiteral(": startTime (microseconds) is required")));
            const qint64 startUs = start.isString() ? start.toString().toLongLong() : qint64(start.toDouble());
            const qint64 durUs = o.value(u"duration").isString() ? o.value(u"duration").toString().toLongLong()
                                                                 : qint64(o.value(u"duration").toDouble());
            if (durUs < 0)
                return fail(Error::at(name, 0, 0, at + QStringLiteral(": negative duration")));
            s.start = startUs * 1000;
            s.end = (startUs + durUs) * 1000;
            for (const auto &r : o.value(u"references").toArray()) {
                const QJsonObject ref = r.toObject();
                const QByteArray refTrace = hexId(ref.value(u"traceID"), 16);
                const QByteArray refSpan = hexId(ref.value(u"spanID"), 8);
                if (refSpan.isEmpty())
                    return fail(Error::at(name, 0, 0, at + QStringLiteral(": a reference without a valid spanID")));
                if (ref.value(u"refType").toString() == u"CHILD_OF" && refTrace == s.traceId && s.parentSpanId.isEmpty())
                    s.parentSpanId = refSpan;
                else
                    s.links.append({refTrace.isEmpty() ? s.traceId : refTrace, refSpan,
                                    {{QStringLiteral("opentracing.ref_type"),
                                      ref.value(u"refType").toString().toLower()}}});
            }
            bool error = false;
            QString statusCode;
            for (const auto &tag : o.value(u"tags").toArray()) {
                const QJsonObject to = tag.toObject();
                const QString key = to.value(u"key").toString();
                const QVariant v = tagValue(to);
                if (key == u"span.kind") {
                    s.kind = kindOf(v.toString());
                } else if (key == u"error") {
                    error = v.toBool() || v.toString() == u"true";
                } else if (key == u"otel.status_code") {
                    statusCode = v.toString();
                } else if (key == u"otel.status_description") {
                    s.statusMessage = v.toString();
                } else if (key == u"otel.scope.name" || key == u"otel.library.name") {
                    s.scopeName = v.toString();
                } else if (key == u"otel.scope.version" || key == u"otel.library.version") {
                    s.scopeVersion = v.toString();
                } else if (key != u"internal.span.format") {
                    s.attributes.append({key, v});
                }
            }
            if (error || statusCode == u"ERROR")
                s.status = model::Span::Status::Error;
            else if (statusCode == u"OK")
                s.status = model::Span::Status::Ok;
            for (const auto &l : o.value(u"logs").toArray()) {
                const QJsonObject lo = l.toObject();
                model::SpanEvent e;
                e.time = qint64(lo.value(u"timestamp").toDouble()) * 1000;
                for (const auto &f : lo.value(u"fields").toArray()) {
                    const QJsonObject fo = f.toObject();
                    const QString key = fo.value(u"key").toString();
                    if ((key == u"event" || key == u"message") && e.name.isEmpty())
                        e.name = fo.value(u"value").toString();
                    else
                        e.attributes.append({key, tagValue(fo)});
                }
                if (e.name.isEmpty())
                    e.name = QStringLiteral("log");
                s.events.append(e);
            }
            const QString pid = o.value(u"processID").toString();
            if (!pid.isEmpty()) {
                if (!processes.contains(pid))
                    return fail(Error::at(name, 0, 0, at + QStringLiteral(": processID \"%1\" is not in \"processes\"").arg(pid)));
                s.serviceName = processes[pid].service;
                s.resourceAttributes = processes[pid].tags;
            } else if (o.value(u"process").isObject()) {
                s.serviceName = o.value(u"process").toObject().value(u"serviceName").toString();
                s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName}};
            }
            if (s.serviceName.isEmpty())
                s.serviceName = QStringLiteral("unknown_service");
            out.append(std::move(s));
        }
    }
    return out;
}

} // namespace spyglass::formats
