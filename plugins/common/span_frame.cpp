#include "plugins/common/span_frame.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace spyglass::plugins::common {

using model::Span;

namespace {

QString hex(const QByteArray &b)
{
    return QString::fromLatin1(b.toHex());
}

QString compactJson(const QJsonArray &a)
{
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QJsonArray parseArray(const QString &text)
{
    if (text.isEmpty())
        return {};
    return QJsonDocument::fromJson(text.toUtf8()).array();
}

} // namespace

QString spanKindName(Span::Kind kind)
{
    static const char *names[] = {"unspecified", "internal", "server", "client", "producer", "consumer"};
    return QString::fromLatin1(names[int(kind)]);
}

Span::Kind spanKindFromName(QStringView name)
{
    QString n = name.toString().toLower();
    if (n.startsWith(QLatin1String("span_kind_")))
        n = n.mid(10);
    bool isNumber = false;
    const int number = n.toInt(&isNumber);
    if (isNumber)
        return number >= 0 && number <= 5 ? Span::Kind(number) : Span::Kind::Unspecified;
    if (n == u"internal")
        return Span::Kind::Internal;
    if (n == u"server")
        return Span::Kind::Server;
    if (n == u"client")
        return Span::Kind::Client;
    if (n == u"producer")
        return Span::Kind::Producer;
    if (n == u"consumer")
        return Span::Kind::Consumer;
    return Span::Kind::Unspecified;
}

QString statusName(Span::Status status)
{
    static const char *names[] = {"unset", "ok", "error"};
    return QString::fromLatin1(names[int(status)]);
}

Span::Status statusFromName(QStringView name)
{
    QString n = name.toString().toLower();
    if (n.startsWith(QLatin1String("status_code_")))
        n = n.mid(12);
    if (n == u"ok" || n == u"1")
        return Span::Status::Ok;
    if (n == u"error" || n == u"2")
        return Span::Status::Error;
    return Span::Status::Unset;
}

QByteArray decodeId(const QString &text, int expectedBytes)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return {};
    bool allHex = true;
    for (QChar c : t)
        if (!isxdigit(c.toLatin1()) || c.unicode() > 127) {
            allHex = false;
            break;
        }
    if (allHex && t.size() <= expectedBytes * 2) {
        QString padded = t;
        if (padded.size() % 2 || padded.size() < expectedBytes * 2)
            padded = QString(expectedBytes * 2 - padded.size(), QLatin1Char('0')) + padded;
        return QByteArray::fromHex(padded.toLatin1());
    }
    const auto b64 = QByteArray::fromBase64Encoding(t.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (b64 && b64.decoded.size() == expectedBytes)
        return b64.decoded;
    return {};
}

QJsonArray attributesToJson(const model::Attributes &attributes)
{
    QJsonArray a;
    for (const auto &at : attributes)
        a.append(QJsonObject{{QStringLiteral("key"), at.key}, {QStringLiteral("value"), QJsonValue::fromVariant(at.value)}});
    return a;
}

model::Attributes attributesFromJson(const QJsonValue &json)
{
    model::Attributes out;
    auto typed = [](const QJsonValue &v) -> QVariant {
        if (v.isDouble()) {
            const double d = v.toDouble();
            // JSON has one number type: whole numbers come back as int64 like OTLP ints.
            if (d == double(qint64(d)) && std::abs(d) < 9.0e15)
                return QVariant::fromValue<qint64>(qint64(d));
            return d;
        }
        return v.toVariant();
    };
    if (json.isArray()) {
        for (const QJsonValue &e : json.toArray()) {
            const QJsonObject o = e.toObject();
            out.append({o.value(QLatin1String("key")).toString(), typed(o.value(QLatin1String("value")))});
        }
    } else if (json.isObject()) {
        const QJsonObject o = json.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.append({it.key(), typed(it.value())});
    }
    return out;
}

model::Frame spansToFrame(const QList<Span> &spans, const QString &refId)
{
    model::Frame f(refId, model::FrameKind::Spans);
    QStringList traceIds, spanIds, parents, ops, services, kinds, statuses, messages, tags, serviceTags, scopes,
        scopeVersions, logs, references;
    QList<double> startMs, durMs;
    QList<std::int64_t> startNs, durNs;
    for (const auto &s : spans) {
        traceIds << hex(s.traceId);
        spanIds << hex(s.spanId);
        parents << hex(s.parentSpanId);
        ops << s.name;
        services << s.serviceName;
        kinds << spanKindName(s.kind);
        statuses << statusName(s.status);
        messages << s.statusMessage;
        tags << compactJson(attributesToJson(s.attributes));
        serviceTags << compactJson(attributesToJson(s.resourceAttributes));
        scopes << s.scopeName;
        scopeVersions << s.scopeVersion;
        QJsonArray events;
        for (const auto &e : s.events)
            events.append(QJsonObject{{QStringLiteral("timeNs"), QString::number(e.time)},
                                      {QStringLiteral("name"), e.name},
                                      {QStringLiteral("attributes"), attributesToJson(e.attributes)}});
        logs << compactJson(events);
        QJsonArray links;
        for (const auto &l : s.links)
            links.append(QJsonObject{{QStringLiteral("traceID"), hex(l.traceId)},
                                     {QStringLiteral("spanID"), hex(l.spanId)},
                                     {QStringLiteral("attributes"), attributesToJson(l.attributes)}});
        references << compactJson(links);
        startMs << double(s.start) / 1e6;
        durMs << double(s.end - s.start) / 1e6;
        startNs << s.start;
        durNs << s.end - s.start;
    }
    f.addField(model::Field::string(QStringLiteral("traceID"), traceIds));
    f.addField(model::Field::string(QStringLiteral("spanID"), spanIds));
    f.addField(model::Field::string(QStringLiteral("parentSpanID"), parents));
    f.addField(model::Field::string(QStringLiteral("operationName"), ops));
    f.addField(model::Field::string(QStringLiteral("serviceName"), services));
    f.addField(model::Field::string(QStringLiteral("kind"), kinds));
    f.addField(model::Field::string(QStringLiteral("statusCode"), statuses));
    f.addField(model::Field::string(QStringLiteral("statusMessage"), messages));
    f.addField(model::Field::float64(QStringLiteral("startTime"), startMs));
    f.addField(model::Field::float64(QStringLiteral("duration"), durMs));
    f.addField(model::Field::int64(QStringLiteral("startTimeNs"), startNs));
    f.addField(model::Field::int64(QStringLiteral("durationNs"), durNs));
    f.addField(model::Field::string(QStringLiteral("tags"), tags));
    f.addField(model::Field::string(QStringLiteral("serviceTags"), serviceTags));
    f.addField(model::Field::string(QStringLiteral("scopeName"), scopes));
    f.addField(model::Field::string(QStringLiteral("scopeVersion"), scopeVersions));
    f.addField(model::Field::string(QStringLiteral("logs"), logs));
    f.addField(model::Field::string(QStringLiteral("references"), references));
    f.meta().custom.insert(QStringLiteral("preferredVisualisationType"), QStringLiteral("trace"));
    return f;
}

Result<QList<Span>> spansFromFrame(const model::Frame &frame)
{
    if (frame.kind() != model::FrameKind::Spans)
        return fail(Error::invalid(QStringLiteral("frame \"%1\" is a %2 frame, not a spans frame")
                                       .arg(frame.name(), model::frameKindName(frame.kind()))));
    auto strings = [&](const char *name) -> const QStringList * {
        const model::Field *f = frame.field(QString::fromLatin1(name));
        return f && f->type() == model::FieldType::String ? &f->strings() : nullptr;
    };
    const QStringList *traceIds = strings("traceID"), *spanIds = strings("spanID"), *ops = strings("operationName");
    if (!traceIds || !spanIds || !ops)
        return fail(Error::badData(QStringLiteral("spans frame \"%1\" lacks traceID, spanID or operationName")
                                       .arg(frame.name())));
    const model::Field *startNs = frame.field(u"startTimeNs");
    const model::Field *durNs = frame.field(u"durationNs");
    const model::Field *startMs = frame.field(u"startTime");
    const model::Field *durMs = frame.field(u"duration");
    if (!startNs && !startMs)
        return fail(Error::badData(QStringLiteral("spans frame \"%1\" has no start time field").arg(frame.name())));
    const QStringList *parents = strings("parentSpanID"), *services = strings("serviceName"), *kinds = strings("kind"),
                      *statuses = strings("statusCode"), *messages = strings("statusMessage"), *tags = strings("tags"),
                      *serviceTags = strings("serviceTags"), *scopes = strings("scopeName"),
                      *scopeVersions = strings("scopeVersion"), *logs = strings("logs"),
                      *references = strings("references");
    auto number = [](const model::Field *f, qsizetype row) -> double {
        switch (f->type()) {
        case model::FieldType::Float64: return f->doubles().at(row);
        case model::FieldType::Int64:
        case model::FieldType::Time: return double(f->int64s().at(row));
        default: return 0;
        }
    };
    QList<Span> out;
    const qsizetype rows = frame.rowCount();
    out.reserve(rows);
    for (qsizetype i = 0; i < rows; ++i) {
        Span s;
        s.traceId = decodeId(traceIds->at(i), 16);
        s.spanId = decodeId(spanIds->at(i), 8);
        if (s.traceId.isEmpty() || s.spanId.isEmpty())
            return fail(Error::badData(QStringLiteral("row %1 of spans frame \"%2\": \"%3\"/\"%4\" are not trace/span ids")
                                           .arg(i + 1)
                                           .arg(frame.name(), traceIds->at(i), spanIds->at(i))));
        if (parents && !parents->at(i).isEmpty() && parents->at(i).count(QLatin1Char('0')) != parents->at(i).size())
            s.parentSpanId = decodeId(parents->at(i), 8);
        s.name = ops->at(i);
        if (services)
            s.serviceName = services->at(i);
        if (kinds)
            s.kind = spanKindFromName(kinds->at(i));
        if (statuses)
            s.status = statusFromName(statuses->at(i));
        if (messages)
            s.statusMessage = messages->at(i);
        s.start = startNs && startNs->type() == model::FieldType::Int64 ? startNs->int64s().at(i)
                                                                          : std::int64_t(number(startMs, i) * 1e6);
        const std::int64_t dur = durNs && durNs->type() == model::FieldType::Int64 ? durNs->int64s().at(i)
                                 : durMs ? std::int64_t(number(durMs, i) * 1e6) : 0;
        s.end = s.start + dur;
        if (tags)
            s.attributes = attributesFromJson(parseArray(tags->at(i)));
        if (serviceTags)
            s.resourceAttributes = attributesFromJson(parseArray(serviceTags->at(i)));
        if (s.serviceName.isEmpty())
            for (const auto &a : s.resourceAttributes)
                if (a.key == u"service.name")
                    s.serviceName = a.value.toString();
        if (scopes)
            s.scopeName = scopes->at(i);
        if (scopeVersions)
            s.scopeVersion = scopeVersions->at(i);
        if (logs)
            for (const QJsonValue &v : parseArray(logs->at(i))) {
                const QJsonObject o = v.toObject();
                s.events.append({o.value(QLatin1String("timeNs")).toString().toLongLong(),
                                 o.value(QLatin1String("name")).toString(),
                                 attributesFromJson(o.value(QLatin1String("attributes")))});
            }
        if (references)
            for (const QJsonValue &v : parseArray(references->at(i))) {
                const QJsonObject o = v.toObject();
                s.links.append({decodeId(o.value(QLatin1String("traceID")).toString(), 16),
                                decodeId(o.value(QLatin1String("spanID")).toString(), 8),
                                attributesFromJson(o.value(QLatin1String("attributes")))});
            }
        out.append(std::move(s));
    }
    return out;
}

} // namespace spyglass::plugins::common
