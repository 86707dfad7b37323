#include "plugins/jaeger/jaeger_response.h"

#include "plugins/common/span_frame.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>

namespace spyglass::plugins::jaeger {

using model::Span;

namespace {

std::int64_t int64Of(const QJsonValue &v)
{
    return v.isString() ? v.toString().toLongLong() : std::int64_t(v.toDouble());
}

QVariant tagValue(const QJsonObject &tag)
{
    const QString type = tag.value(QLatin1String("type")).toString().toLower();
    const QJsonValue v = tag.value(QLatin1String("value"));
    if (type == u"bool")
        return v.isBool() ? v.toBool() : v.toString() == u"true";
    if (type == u"int64")
        return QVariant::fromValue<qint64>(int64Of(v));
    if (type == u"float64")
        return v.isString() ? v.toString().toDouble() : v.toDouble();
    if (type == u"binary")
        return QByteArray::fromBase64(v.toString().toLatin1());
    return v.isString() ? v.toString() : v.toVariant().toString();
}

model::Attributes tags(const QJsonValue &list)
{
    model::Attributes out;
    for (const QJsonValue &t : list.toArray()) {
        const QJsonObject o = t.toObject();
        out.append({o.value(QLatin1String("key")).toString(), tagValue(o)});
    }
    return out;
}

} // namespace

Result<QJsonValue> parseEnvelope(const QByteArray &body, int httpStatus, const QString &what)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        QString text = QString::fromUtf8(body.left(200)).simplified();
        if (httpStatus < 200 || httpStatus >= 300)
            return fail(Error{httpStatus == 404 ? Error::Kind::NotFound : Error::Kind::Unavailable,
                              QStringLiteral("%1: HTTP %2%3").arg(what).arg(httpStatus).arg(text.isEmpty() ? QString() : QStringLiteral(": ") + text),
                              {}, 0, 0});
        return fail(Error::badData(QStringLiteral("%1: the answer is not Jaeger API JSON: %2").arg(what, text)));
    }
    const QJsonObject root = doc.object();
    const QJsonArray errors = root.value(QLatin1String("errors")).toArray();
    if (!errors.isEmpty() || httpStatus < 200 || httpStatus >= 300) {
        const QJsonObject first = errors.isEmpty() ? QJsonObject() : errors.first().toObject();
        const int code = first.contains(QLatin1String("code")) ? first.value(QLatin1String("code")).toInt() : httpStatus;
        QString msg = first.value(QLatin1String("msg")).toString();
        if (msg.isEmpty())
            msg = QStringLiteral("HTTP %1").arg(httpStatus);
        const Error::Kind kind = code == 404 ? Error::Kind::NotFound : code == 400 ? Error::Kind::Invalid : Error::Kind::Unavailable;
        return fail(Error{kind, QStringLiteral("%1: %2").arg(what, msg), {}, 0, 0});
    }
    return root.value(QLatin1String("data"));
}

Result<QStringList> parseStringList(const QByteArray &body, int httpStatus, const QString &what)
{
    auto data = parseEnvelope(body, httpStatus, what);
    if (!data)
        return fail(data.error());
    QStringList out;
    for (const QJsonValue &v : data->toArray())
        out << (v.isObject() ? v.toObject().value(QLatin1String("name")).toString() : v.toString());
    out.removeDuplicates();
    out.sort();
    return out;
}

Result<QList<Span>> traceToSpans(const QJsonObject &trace)
{
    const QJsonObject processes = trace.value(QLatin1String("processes")).toObject();
    QList<Span> out;
    for (const QJsonValue &v : trace.value(QLatin1String("spans")).toArray()) {
        const QJsonObject o = v.toObject();
        Span s;
        s.name = o.value(QLatin1String("operationName")).toString();
        s.traceId = common::decodeId(o.value(QLatin1String("traceID")).toString(), 16);
        s.spanId = common::decodeId(o.value(QLatin1String("spanID")).toString(), 8);
        if (s.traceId.isEmpty() || s.spanId.isEmpty())
            return fail(Error::badData(QStringLiteral("span \"%1\": traceID \"%2\" / spanID \"%3\" are not hex ids")
                                           .arg(s.name, o.value(QLatin1String("traceID")).toString(),
                                                o.value(QLatin1String("spanID")).toString())));
        // Jaeger's times are microseconds.
        s.start = int64Of(o.value(QLatin1String("startTime"))) * 1000;
        s.end = s.start + int64Of(o.value(QLatin1String("duration"))) * 1000;
        const QJsonArray refs = o.value(QLatin1String("references")).toArray();
        qsizetype parentRef = -1;
        for (qsizetype i = 0; i < refs.size(); ++i)
            if (refs.at(i).toObject().value(QLatin1String("refType")).toString() == u"CHILD_OF") {
                parentRef = i;
                break;
            }
        if (parentRef < 0 && !refs.isEmpty())
            parentRef = 0;
        for (qsizetype i = 0; i < refs.size(); ++i) {
            const QJsonObject r = refs.at(i).toObject();
            const QByteArray refTrace = common::decodeId(r.value(QLatin1String("traceID")).toString(), 16);
            const QByteArray refSpan = common::decodeId(r.value(QLatin1String("spanID")).toString(), 8);
            if (i == parentRef && refTrace == s.traceId)
                s.parentSpanId = refSpan;
            else
                s.links.append({refTrace, refSpan, {{QStringLiteral("refType"), r.value(QLatin1String("refType")).toString()}}});
        }
        for (const auto &a : tags(o.value(QLatin1String("tags")))) {
            const QString &k = a.key;
            if (k == u"span.kind") {
                s.kind = common::spanKindFromName(a.value.toString());
            } else if (k == u"error") {
                if (a.value.toBool() || a.value.toString() == u"true")
                    s.status = Span::Status::Error;
            } else if (k == u"otel.status_code") {
                s.status = common::statusFromName(a.value.toString());
            } else if (k == u"otel.status_description") {
                s.statusMessage = a.value.toString();
            } else if (k == u"otel.library.name" || k == u"otel.scope.name") {
                s.scopeName = a.value.toString();
            } else if (k == u"otel.library.version" || k == u"otel.scope.version") {
                s.scopeVersion = a.value.toString();
            } else {
                s.attributes.append(a);
            }
        }
        for (const QJsonValue &l : o.value(QLatin1String("logs")).toArray()) {
            const QJsonObject lo = l.toObject();
            model::SpanEvent e;
            e.time = int64Of(lo.value(QLatin1String("timestamp"))) * 1000;
            for (const auto &f : tags(lo.value(QLatin1String("fields")))) {
                if (f.key == u"event" && e.name.isEmpty())
                    e.name = f.value.toString();
                else
                    e.attributes.append(f);
            }
            if (e.name.isEmpty())
                e.name = QStringLiteral("log");
            s.events.append(std::move(e));
        }
        const QJsonObject process = processes.value(o.value(QLatin1String("processID")).toString()).toObject();
        s.serviceName = process.value(QLatin1String("serviceName")).toString();
        s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName}};
        s.resourceAttributes += tags(process.value(QLatin1String("tags")));
        out.append(std::move(s));
    }
    return out;
}

Result<model::Frame> parseTraceResponse(const QByteArray &body, int httpStatus, const QString &traceId)
{
    auto data = parseEnvelope(body, httpStatus, QStringLiteral("trace %1").arg(traceId));
    if (!data)
        return fail(data.error());
    const QJsonArray traces = data->toArray();
    if (traces.isEmpty())
        return fail(Error{Error::Kind::NotFound, QStringLiteral("trace %1 not found").arg(traceId), {}, 0, 0});
    auto spans = traceToSpans(traces.first().toObject());
    if (!spans) {
        Error e = spans.error();
        e.message = QStringLiteral("trace %1: %2").arg(traceId, e.message);
        return fail(e);
    }
    return common::spansToFrame(*spans, QStringLiteral("trace"));
}

Result<model::Frame> parseSearchResponse(const QByteArray &body, int httpStatus)
{
    auto data = parseEnvelope(body, httpStatus, QStringLiteral("trace search"));
    if (!data)
        return fail(data.error());
    struct Row
    {
        QString id, service, name;
        std::int64_t startNs = 0;
        double durationMs = 0;
        std::int64_t spans = 0;
    };
    QList<Row> rows;
    for (const QJsonValue &t : data->toArray()) {
        auto spans = traceToSpans(t.toObject());
        if (!spans)
            return fail(spans.error());
        if (spans->isEmpty())
            continue;
        Row r;
        r.id = QString::fromLatin1(spans->front().traceId.toHex());
        std::int64_t start = spans->front().start, end = spans->front().end;
        const Span *root = nullptr;
        for (const auto &s : *spans) {
            start = std::min(start, s.start);
            end = std::max(end, s.end);
            if (s.parentSpanId.isEmpty() && (!root || s.start < root->start))
                root = &s;
        }
        r.service = root ? root->serviceName : QStringLiteral("<root span not yet received>");
        r.name = root ? root->name : QString();
        r.startNs = start;
        r.durationMs = double(end - start) / 1e6;
        r.spans = spans->size();
        rows.append(r);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.startNs > b.startNs; });
    QStringList ids, services, names;
    QList<std::int64_t> starts, counts;
    QList<double> durations;
    for (const Row &r : rows) {
        ids << r.id;
        services << r.service;
        names << r.name;
        starts << r.startNs / 1'000'000;
        durations << r.durationMs;
        counts << r.spans;
    }
    model::Frame f(QStringLiteral("traces"), model::FrameKind::Table);
    f.addField(model::Field::string(QStringLiteral("traceID"), ids));
    f.addField(model::Field::string(QStringLiteral("rootServiceName"), services));
    f.addField(model::Field::string(QStringLiteral("rootTraceName"), names));
    f.addField(model::Field::time(QStringLiteral("startTime"), starts));
    model::Field d = model::Field::float64(QStringLiteral("traceDuration"), durations);
    d.setUnit(QStringLiteral("ms"));
    f.addField(std::move(d));
    f.addField(model::Field::int64(QStringLiteral("spanCount"), counts));
    return f;
}

} // namespace spyglass::plugins::jaeger
