#include "core/api/tempo_api.h"

#include "core/model/time_range.h"
#include "core/proto/opentelemetry/proto/trace/v1/trace.pb.h"
#include "core/query/traceql/engine.h"
#include "core/query/traceql/parser.h"
#include "core/store/storage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <cmath>

namespace spyglass::api {

using model::Span;
using query::traceql::SearchRequest;
using query::traceql::TraceqlEngine;
using query::traceql::Value;

namespace otlp = opentelemetry::proto;

namespace {

HttpResponse badRequest(const QString &message)
{
    return HttpResponse::text(400, message.toUtf8() + '\n');
}

HttpResponse internalError(const Error &e)
{
    return HttpResponse::text(e.kind == Error::Kind::Cancelled ? 499 : 500, e.toString().toUtf8() + '\n');
}

HttpResponse jsonResponse(const QJsonObject &o)
{
    return HttpResponse::json(200, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// 1..32 hex digits, left-padded to 16 bytes (Tempo accepts shortened ids).
Result<QByteArray> parseTraceId(const QString &text)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{1,32}$"));
    if (!hex.match(text).hasMatch())
        return fail(Error::invalid(QStringLiteral("invalid trace id \"%1\": expected up to 32 hex digits").arg(text)));
    return QByteArray::fromHex(text.rightJustified(32, u'0').toLatin1());
}

QString shortTraceId(const QByteArray &id)
{
    QString h = QString::fromLatin1(id.toHex());
    while (h.size() > 1 && h.startsWith(u'0'))
        h.remove(0, 1);
    return h;
}

// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "100us".
Result<std::int64_t> parseGoDuration(const QString &text)
{
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)"));
    if (text == QLatin1String("0"))
        return 0;
    qsizetype pos = 0;
    double total = 0;
    while (pos < text.size()) {
        const auto m = part.match(text, pos, QRegularExpression::NormalMatch, QRegularExpression::AnchorAtOffsetMatchOption);
        if (!m.hasMatch())
            return fail(Error::invalid(QStringLiteral("invalid duration \"%1\"").arg(text)));
        static const QHash<QString, double> units = {
            {QStringLiteral("ns"), 1}, {QStringLiteral("us"), 1e3}, {QStringLiteral("µs"), 1e3},
            {QStringLiteral("ms"), 1e6}, {QStringLiteral("s"), 1e9}, {QStringLiteral("m"), 60e9},
            {QStringLiteral("h"), 3600e9}};
        total += m.captured(1).toDouble() * units.value(m.captured(2));
        pos = m.capturedEnd();
    }
    if (text.isEmpty())
        return fail(Error::invalid(QStringLiteral("empty duration")));
    return std::int64_t(total);
}

// Unix seconds (Tempo's search), nanoseconds (large numbers) or RFC 3339.
Result<model::TimestampNs> parseTime(const QString &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (ok) {
        if (std::fabs(v) >= 1e17)
            return model::TimestampNs(v);
        return model::TimestampNs(v * 1e9);
    }
    auto ms = model::parseTimestamp(text);
    if (!ms)
        return fail(ms.error());
    return *ms * 1'000'000;
}

QJsonObject anyValue(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::Bool: return {{QStringLiteral("boolValue"), v.toBool()}};
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
        return {{QStringLiteral("intValue"), QString::number(v.toLongLong())}};
    case QMetaType::Double:
    case QMetaType::Float: return {{QStringLiteral("doubleValue"), v.toDouble()}};
    case QMetaType::QByteArray:
        return {{QStringLiteral("bytesValue"), QString::fromLatin1(v.toByteArray().toBase64())}};
    case QMetaType::QVariantList: {
        QJsonArray values;
        for (const QVariant &e : v.toList())
            values.append(anyValue(e));
        return {{QStringLiteral("arrayValue"), QJsonObject{{QStringLiteral("values"), values}}}};
    }
    default: return {{QStringLiteral("stringValue"), v.toString()}};
    }
}

QJsonArray attributesJson(const model::Attributes &attrs)
{
    QJsonArray a;
    for (const auto &at : attrs)
        a.append(QJsonObject{{QStringLiteral("key"), at.key}, {QStringLiteral("value"), anyValue(at.value)}});
    return a;
}

QJsonObject valueJson(const Value &v)
{
    switch (v.type) {
    case Value::Type::Int: return {{QStringLiteral("intValue"), QString::number(std::int64_t(v.num))}};
    case Value::Type::Float: return {{QStringLiteral("doubleValue"), v.num}};
    case Value::Type::Bool: return {{QStringLiteral("boolValue"), v.b}};
    case Value::Type::Duration: return {{QStringLiteral("stringValue"), v.toString()}};
    default: return {{QStringLiteral("stringValue"), v.toString()}};
    }
}

const char *kindName(Span::Kind k)
{
    static const char *names[] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                                  "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
    return names[int(k)];
}

const char *statusName(Span::Status s)
{
    static const char *names[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};
    return names[int(s)];
}

// Spans grouped like OTLP: by resource, then by instrumentation scope.
struct ResourceGroup
{
    model::Attributes resource;
    QString service;
    QMap<QPair<QString, QString>, QList<const Span *>> scopes;
};

QList<ResourceGroup> groupSpans(const QList<Span> &spans)
{
    QList<ResourceGroup> groups;
    QHash<QString, qsizetype> index;
    for (const Span &s : spans) {
        QString key = s.serviceName;
        for (const auto &a : s.resourceAttributes)
            key += u'\x1f' + a.key + u'=' + a.value.toString();
        auto it = index.constFind(key);
        if (it == index.cend()) {
            ResourceGroup g;
            g.resource = s.resourceAttributes;
            g.service = s.serviceName;
            bool hasService = false;
            for (const auto &a : g.resource)
                hasService |= a.key == QLatin1String("service.name");
            if (!hasService && !s.serviceName.isEmpty())
                g.resource.prepend({QStringLiteral("service.name"), s.serviceName});
            it = index.insert(key, groups.size());
            groups.push_back(std::move(g));
        }
        groups[*it].scopes[{s.scopeName, s.scopeVersion}].push_back(&s);
    }
    return groups;
}

QJsonObject spanJson(const Span &s)
{
    QJsonObject o{
        {QStringLiteral("traceId"), QString::fromLatin1(s.traceId.toHex())},
        {QStringLiteral("spanId"), QString::fromLatin1(s.spanId.toHex())},
        {QStringLiteral("name"), s.name},
        {QStringLiteral("kind"), QString::fromLatin1(kindName(s.kind))},
        {QStringLiteral("startTimeUnixNano"), QString::number(s.start)},
        {QStringLiteral("endTimeUnixNano"), QString::number(s.end)},
    };
    if (!s.parentSpanId.isEmpty())
        o.insert(QStringLiteral("parentSpanId"), QString::fromLatin1(s.parentSpanId.toHex()));
    if (!s.attributes.isEmpty())
        o.insert(QStringLiteral("attributes"), attributesJson(s.attributes));
    if (!s.events.isEmpty()) {
        QJsonArray events;
        for (const auto &e : s.events) {
            QJsonObject eo{{QStringLiteral("timeUnixNano"), QString::number(e.time)}, {QStringLiteral("name"), e.name}};
            if (!e.attributes.isEmpty())
                eo.insert(QStringLiteral("attributes"), attributesJson(e.attributes));
            events.append(eo);
        }
        o.insert(QStringLiteral("events"), events);
    }
    if (!s.links.isEmpty()) {
        QJsonArray links;
        for (const auto &l : s.links) {
            QJsonObject lo{{QStringLiteral("traceId"), QString::fromLatin1(l.traceId.toHex())},
                           {QStringLiteral("spanId"), QString::fromLatin1(l.spanId.toHex())}};
            if (!l.attributes.isEmpty())
                lo.insert(QStringLiteral("attributes"), attributesJson(l.attributes));
            links.append(lo);
        }
        o.insert(QStringLiteral("links"), links);
    }
    QJsonObject status;
    if (s.status != Span::Status::Unset)
        status.insert(QStringLiteral("code"), QString::fromLatin1(statusName(s.status)));
    if (!s.statusMessage.isEmpty())
        status.insert(QStringLiteral("message"), s.statusMessage);
    o.insert(QStringLiteral("status"), status);
    return o;
}

QJsonArray resourceSpansJson(const QList<Span> &spans)
{
    QJsonArray out;
    for (const auto &g : groupSpans(spans)) {
        QJsonArray scopeSpans;
        for (auto it = g.scopes.cbegin(); it != g.scopes.cend(); ++it) {
            QJsonArray list;
            for (const Span *s : it.value())
                list.append(spanJson(*s));
            QJsonObject scope;
            if (!it.key().first.isEmpty())
                scope.insert(QStringLiteral("name"), it.key().first);
            if (!it.key().second.isEmpty())
                scope.insert(QStringLiteral("version"), it.key().second);
            scopeSpans.append(QJsonObject{{QStringLiteral("scope"), scope}, {QStringLiteral("spans"), list}});
        }
        out.append(QJsonObject{
            {QStringLiteral("resource"), QJsonObject{{QStringLiteral("attributes"), attributesJson(g.resource)}}},
            {QStringLiteral("scopeSpans"), scopeSpans}});
    }
    return out;
}

void setAnyValue(otlp::common::v1::AnyValue *out, const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::Bool: out->set_bool_value(v.toBool()); return;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong: out->set_int_value(v.toLongLong()); return;
    case QMetaType::Double:
    case QMetaType::Float: out->set_double_value(v.toDouble()); return;
    case QMetaType::QByteArray: {
        const QByteArray b = v.toByteArray();
        out->set_bytes_value(std::string(b.constData(), size_t(b.size())));
        return;
    }
    case QMetaType::QVariantList: {
        auto *arr = out->mutable_array_value();
        for (const QVariant &e : v.toList())
            setAnyValue(arr->add_values(), e);
        return;
    }
    default: out->set_string_value(v.toString().toStdString()); return;
    }
}

template <typename Repeated>
void setAttributes(Repeated *out, const model::Attributes &attrs)
{
    for (const auto &a : attrs) {
        auto *kv = out->Add();
        kv->set_key(a.key.toStdString());
        setAnyValue(kv->mutable_value(), a.value);
    }
}

std::string bytes(const QByteArray &b)
{
    return std::string(b.constData(), size_t(b.size()));
}

QByteArray tracesDataProto(const QList<Span> &spans)
{
    otlp::trace::v1::TracesData data;
    for (const auto &g : groupSpans(spans)) {
        auto *rs = data.add_resource_spans();
        setAttributes(rs->mutable_resource()->mutable_attributes(), g.resource);
        for (auto it = g.scopes.cbegin(); it != g.scopes.cend(); ++it) {
            auto *ss = rs->add_scope_spans();
            ss->mutable_scope()->set_name(it.key().first.toStdString());
            ss->mutable_scope()->set_version(it.key().second.toStdString());
            for (const Span *s : it.value()) {
                auto *p = ss->add_spans();
                p->set_trace_id(bytes(s->traceId));
                p->set_span_id(bytes(s->spanId));
                p->set_parent_span_id(bytes(s->parentSpanId));
                p->set_name(s->name.toStdString());
                p->set_kind(otlp::trace::v1::Span_SpanKind(int(s->kind)));
                p->set_start_time_unix_nano(quint64(s->start));
                p->set_end_time_unix_nano(quint64(s->end));
                setAttributes(p->mutable_attributes(), s->attributes);
                for (const auto &e : s->events) {
                    auto *pe = p->add_events();
                    pe->set_time_unix_nano(quint64(e.time));
                    pe->set_name(e.name.toStdString());
                    setAttributes(pe->mutable_attributes(), e.attributes);
                }
                for (const auto &l : s->links) {
                    auto *pl = p->add_links();
                    pl->set_trace_id(bytes(l.traceId));
                    pl->set_span_id(bytes(l.spanId));
                    setAttributes(pl->mutable_attributes(), l.attributes);
                }
                p->mutable_status()->set_code(otlp::trace::v1::Status_StatusCode(int(s->status)));
                p->mutable_status()->set_message(s->statusMessage.toStdString());
            }
        }
    }
    std::string out;
    data.SerializeToString(&out);
    return QByteArray(out.data(), qsizetype(out.size()));
}

bool wantsProtobuf(const HttpRequest &r)
{
    const QByteArray accept = r.header("Accept").toLower();
    return accept.contains("application/protobuf") || accept.contains("application/x-protobuf");
}

Result<QList<Span>> loadTrace(store::Storage &storage, const HttpRequest &r)
{
    auto id = parseTraceId(r.pathParams.value(QStringLiteral("id")));
    if (!id)
        return fail(id.error());
    auto spans = storage.traces().trace(*id);
    if (!spans)
        return fail(spans.error());
    if (spans->isEmpty())
        return fail(Error{Error::Kind::NotFound, QStringLiteral("trace not found"), {}, 0, 0});
    return spans;
}

HttpResponse traceError(const Error &e)
{
    if (e.kind == Error::Kind::NotFound)
        return HttpResponse::text(404, e.message.toUtf8() + '\n');
    if (e.kind == Error::Kind::Invalid)
        return badRequest(e.message);
    return internalError(e);
}

QJsonArray namedValuesJson(const query::traceql::NamedValues &values)
{
    QJsonArray a;
    for (const auto &[name, v] : values)
        a.append(QJsonObject{{QStringLiteral("key"), name}, {QStringLiteral("value"), valueJson(v)}});
    return a;
}

QJsonObject spanSetJson(const query::traceql::SpanSetResult &set)
{
    QJsonArray spans;
    for (const auto &m : set.spans) {
        QJsonObject o{{QStringLiteral("spanID"), QString::fromLatin1(m.span.spanId.toHex())},
                      {QStringLiteral("name"), m.span.name},
                      {QStringLiteral("startTimeUnixNano"), QString::number(m.span.start)},
                      {QStringLiteral("durationNanos"), QString::number(m.span.end - m.span.start)}};
        if (!m.attributes.isEmpty())
            o.insert(QStringLiteral("attributes"), namedValuesJson(m.attributes));
        spans.append(o);
    }
    QJsonObject o{{QStringLiteral("spans"), spans}, {QStringLiteral("matched"), set.matched}};
    if (!set.attributes.isEmpty())
        o.insert(QStringLiteral("attributes"), namedValuesJson(set.attributes));
    return o;
}

// logfmt: key=value key2="quoted value"
Result<QList<QPair<QString, QString>>> parseLogfmt(const QString &text)
{
    QList<QPair<QString, QString>> out;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        while (i < n && text[i].isSpace())
            ++i;
        if (i >= n)
            break;
        const qsizetype keyStart = i;
        while (i < n && text[i] != u'=' && !text[i].isSpace())
            ++i;
        const QString key = text.mid(keyStart, i - keyStart);
        if (i >= n || text[i] != u'=' || key.isEmpty())
            return fail(Error::invalid(QStringLiteral("invalid tags \"%1\": expected key=value pairs").arg(text)));
        ++i;
        QString value;
        if (i < n && text[i] == u'"') {
            ++i;
            while (i < n && text[i] != u'"') {
                if (text[i] == u'\\' && i + 1 < n)
                    ++i;
                value += text[i++];
            }
            if (i >= n)
                return fail(Error::invalid(QStringLiteral("invalid tags \"%1\": unterminated quote").arg(text)));
            ++i;
        } else {
            const qsizetype vs = i;
            while (i < n && !text[i].isSpace())
                ++i;
            value = text.mid(vs, i - vs);
        }
        out.push_back({key, value});
    }
    return out;
}

const QStringList &intrinsicTags()
{
    static const QStringList tags = {
        QStringLiteral("duration"), QStringLiteral("event:name"), QStringLiteral("kind"),
        QStringLiteral("name"), QStringLiteral("rootName"), QStringLiteral("rootServiceName"),
        QStringLiteral("span:duration"), QStringLiteral("span:kind"), QStringLiteral("span:name"),
        QStringLiteral("span:status"), QStringLiteral("span:statusMessage"), QStringLiteral("status"),
        QStringLiteral("statusMessage"), QStringLiteral("trace:duration"), QStringLiteral("trace:rootName"),
        QStringLiteral("trace:rootService"), QStringLiteral("traceDuration")};
    return tags;
}

HttpResponse search(store::Storage &storage, const TempoApiOptions &opts, const HttpRequest &r)
{
    const QueryParams p = r.formParams();
    SearchRequest req;
    req.query = p.value(u"q");
    req.limit = opts.defaultLimit;
    req.spansPerSpanSet = opts.defaultSpansPerSpanSet;
    if (p.has(u"limit")) {
        bool ok = false;
        req.limit = p.value(u"limit").toInt(&ok);
        if (!ok || req.limit <= 0)
            return badRequest(QStringLiteral("invalid limit: must be a positive number"));
        req.limit = std::min(req.limit, opts.maxLimit);
    }
    if (p.has(u"spss")) {
        bool ok = false;
        req.spansPerSpanSet = p.value(u"spss").toInt(&ok);
        if (!ok || req.spansPerSpanSet <= 0)
            return badRequest(QStringLiteral("invalid spss: must be a positive number"));
    }
    for (const auto &[name, target] : {std::pair{u"start", &req.start}, std::pair{u"end", &req.end}}) {
        if (!p.has(name))
            continue;
        auto t = parseTime(p.value(name));
        if (!t)
            return badRequest(QStringLiteral("invalid %1: %2").arg(QStringView(name).toString(), t.error().message));
        *target = *t;
    }
    if (req.start > 0 && req.end > 0 && req.end < req.start)
        return badRequest(QStringLiteral("invalid start/end: end is before start"));
    for (const auto &[name, target] :
         {std::pair{u"minDuration", &req.minDurationNs}, std::pair{u"maxDuration", &req.maxDurationNs}}) {
        if (!p.has(name) || p.value(name).isEmpty())
            continue;
        auto d = parseGoDuration(p.value(name));
        if (!d)
            return badRequest(QStringLiteral("invalid %1: %2").arg(QStringView(name).toString(), d.error().message));
        *target = *d;
    }
    if (req.maxDurationNs > 0 && req.maxDurationNs < req.minDurationNs)
        return badRequest(QStringLiteral("invalid maxDuration: maxDuration < minDuration"));
    if (p.has(u"tags") && !p.value(u"tags").isEmpty()) {
        auto tags = parseLogfmt(p.value(u"tags"));
        if (!tags)
            return badRequest(tags.error().message);
        auto resourceKeys = storage.traces().attributeKeys(store::AttributeScope::Resource);
        if (!resourceKeys)
            return internalError(resourceKeys.error());
        for (const auto &[k, v] : *tags) {
            if (k == QLatin1String("name") || k == QLatin1String("span.name"))
                req.extraPredicates.push_back(store::SpanPredicate::name(v));
            else if (k == QLatin1String("status.code") || k == QLatin1String("status"))
                req.extraPredicates.push_back(store::SpanPredicate::withStatus(
                    v.contains(QLatin1String("error"), Qt::CaseInsensitive) || v == QLatin1String("2") ? Span::Status::Error
                    : v.contains(QLatin1String("ok"), Qt::CaseInsensitive) || v == QLatin1String("1") ? Span::Status::Ok
                                                                                                      : Span::Status::Unset));
            else
                req.extraPredicates.push_back(store::SpanPredicate::attribute(
                    resourceKeys->contains(k) ? store::AttributeScope::Resource : store::AttributeScope::Span, k, v));
        }
    }
    TraceqlEngine engine(storage.traces());
    auto res = engine.search(req, r.cancel);
    if (!res) {
        if (res.error().kind == Error::Kind::Cancelled || res.error().kind == Error::Kind::Io
            || res.error().kind == Error::Kind::Internal)
            return internalError(res.error());
        return badRequest(QStringLiteral("invalid TraceQL query: ") + res.error().toString());
    }
    QJsonArray traces;
    for (const auto &t : res->traces) {
        QJsonObject o{{QStringLiteral("traceID"), shortTraceId(t.summary.traceId)},
                      {QStringLiteral("rootServiceName"),
                       t.summary.rootServiceName.isEmpty() ? QStringLiteral("<root span not yet received>")
                                                           : t.summary.rootServiceName},
                      {QStringLiteral("startTimeUnixNano"), QString::number(t.summary.start)}};
        if (!t.summary.rootSpanName.isEmpty())
            o.insert(QStringLiteral("rootTraceName"), t.summary.rootSpanName);
        const auto ms = t.summary.durationNs() / 1'000'000;
        if (ms > 0)
            o.insert(QStringLiteral("durationMs"), qint64(ms));
        QJsonArray sets;
        for (const auto &s : t.spanSets)
            sets.append(spanSetJson(s));
        if (!sets.isEmpty()) {
            o.insert(QStringLiteral("spanSet"), sets.first());
            o.insert(QStringLiteral("spanSets"), sets);
        }
        traces.append(o);
    }
    return jsonResponse({{QStringLiteral("traces"), traces},
                         {QStringLiteral("metrics"),
                          QJsonObject{{QStringLiteral("inspectedTraces"), qint64(res->inspectedTraces)},
                                      {QStringLiteral("inspectedSpans"), QString::number(res->inspectedSpans)},
                                      {QStringLiteral("inspectedBytes"), QStringLiteral("0")},
                                      {QStringLiteral("completedJobs"), 1},
                                      {QStringLiteral("totalJobs"), 1}}}});
}

HttpResponse tagValues(store::Storage &storage, const HttpRequest &r, bool v2)
{
    QString tag = r.pathParams.value(QStringLiteral("tag"));
    auto &traces = storage.traces();
    QList<QPair<QString, QString>> values; // value, type
    auto addScope = [&](store::AttributeScope scope, const QString &key) -> Result<void> {
        auto vals = traces.attributeValues(scope, key);
        if (!vals)
            return fail(vals.error());
        for (const auto &v : *vals)
            values.push_back({v.value, v.type});
        return {};
    };
    Result<void> ok;
    if (v2) {
        if (tag == QLatin1String("name") || tag == QLatin1String("span:name")) {
            auto names = traces.spanNames();
            if (!names)
                return internalError(names.error());
            for (const auto &n : *names)
                values.push_back({n, QStringLiteral("string")});
        } else if (tag == QLatin1String("status") || tag == QLatin1String("span:status")) {
            for (const char *s : {"error", "ok", "unset"})
                values.push_back({QString::fromLatin1(s), QStringLiteral("keyword")});
        } else if (tag == QLatin1String("kind") || tag == QLatin1String("span:kind")) {
            for (const char *s : {"client", "consumer", "internal", "producer", "server", "unspecified"})
                values.push_back({QString::fromLatin1(s), QStringLiteral("keyword")});
        } else if (tag == QLatin1String("rootServiceName") || tag == QLatin1String("trace:rootService")) {
            ok = addScope(store::AttributeScope::Resource, QStringLiteral("service.name"));
        } else if (tag.startsWith(QLatin1String("span."))) {
            ok = addScope(store::AttributeScope::Span, tag.mid(5));
        } else if (tag.startsWith(QLatin1String("resource."))) {
            ok = addScope(store::AttributeScope::Resource, tag.mid(9));
        } else {
            const QString key = tag.startsWith(u'.') ? tag.mid(1) : tag;
            ok = addScope(store::AttributeScope::Span, key);
            if (ok)
                ok = addScope(store::AttributeScope::Resource, key);
        }
    } else {
        ok = addScope(store::AttributeScope::Span, tag);
        if (ok)
            ok = addScope(store::AttributeScope::Resource, tag);
    }
    if (!ok)
        return internalError(ok.error());
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    QJsonArray out;
    for (const auto &[v, type] : values) {
        if (v2)
            out.append(QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("value"), v}});
        else if (!out.contains(v))
            out.append(v);
    }
    return jsonResponse({{QStringLiteral("tagValues"), out}});
}

HttpResponse metricsQueryRange(store::Storage &storage, const HttpRequest &r)
{
    const QueryParams p = r.formParams();
    query::traceql::MetricsRequest req;
    req.query = p.value(u"q");
    if (req.query.isEmpty())
        req.query = p.value(u"query");
    if (req.query.isEmpty())
        return badRequest(QStringLiteral("missing q: a TraceQL metrics query such as { } | rate()"));
    const model::TimestampNs now = model::nowMs() * 1'000'000;
    req.end = now;
    req.start = now - 3600LL * 1'000'000'000;
    for (const auto &[name, target] : {std::pair{u"start", &req.start}, std::pair{u"end", &req.end}}) {
        if (!p.has(name))
            continue;
        auto t = parseTime(p.value(name));
        if (!t)
            return badRequest(QStringLiteral("invalid %1: %2").arg(QStringView(name).toString(), t.error().message));
        *target = *t;
    }
    if (p.has(u"step")) {
        const QString s = p.value(u"step");
        bool isNumber = false;
        const double seconds = s.toDouble(&isNumber);
        auto d = isNumber ? Result<std::int64_t>(std::int64_t(seconds * 1e9)) : parseGoDuration(s);
        if (!d || *d <= 0)
            return badRequest(QStringLiteral("invalid step \"%1\"").arg(s));
        req.stepNs = *d;
    } else {
        // Tempo's default: about 100 points, at least one second apart.
        req.stepNs = std::max<std::int64_t>(1'000'000'000, (req.end - req.start) / 100);
    }
    TraceqlEngine engine(storage.traces());
    auto frames = engine.queryRange(req, r.cancel);
    if (!frames) {
        if (frames.error().kind == Error::Kind::Cancelled || frames.error().kind == Error::Kind::Io)
            return internalError(frames.error());
        return badRequest(QStringLiteral("invalid TraceQL query: ") + frames.error().toString());
    }
    QJsonArray series;
    for (const auto &f : *frames) {
        QJsonArray labels;
        QStringList prom;
        for (const auto &l : f.seriesLabels()) {
            labels.append(QJsonObject{{QStringLiteral("key"), l.name},
                                      {QStringLiteral("value"), QJsonObject{{QStringLiteral("stringValue"), l.value}}}});
            prom << QStringLiteral("%1=\"%2\"").arg(l.name, model::escapeLabelValue(l.value));
        }
        QJsonArray samples;
        const auto &ts = f.fields()[0].int64s();
        const auto &vs = f.fields()[1].doubles();
        for (qsizetype i = 0; i < ts.size(); ++i)
            samples.append(QJsonObject{{QStringLiteral("timestampMs"), QString::number(ts[i])},
                                       {QStringLiteral("value"), vs[i]}});
        series.append(QJsonObject{{QStringLiteral("labels"), labels},
                                  {QStringLiteral("samples"), samples},
                                  {QStringLiteral("promLabels"), QString(u'{' + prom.join(QStringLiteral(", ")) + u'}')}});
    }
    return jsonResponse({{QStringLiteral("series"), series},
                         {QStringLiteral("metrics"), QJsonObject{{QStringLiteral("completedJobs"), 1},
                                                                 {QStringLiteral("totalJobs"), 1}}}});
}

} // namespace

void TempoApi::registerRoutes(Router &router, store::Storage &storage, TempoApiOptions options)
{
    store::Storage *st = &storage;
    router.add("GET", QStringLiteral("/api/traces/{id}"), [st](const HttpRequest &r) {
        auto spans = loadTrace(*st, r);
        if (!spans)
            return traceError(spans.error());
        if (wantsProtobuf(r)) {
            HttpResponse resp;
            resp.contentType = "application/protobuf";
            resp.body = tracesDataProto(*spans);
            return resp;
        }
        return jsonResponse({{QStringLiteral("batches"), resourceSpansJson(*spans)}});
    });
    router.add("GET", QStringLiteral("/api/v2/traces/{id}"), [st](const HttpRequest &r) {
        auto spans = loadTrace(*st, r);
        if (!spans)
            return traceError(spans.error());
        if (wantsProtobuf(r)) {
            HttpResponse resp;
            resp.contentType = "application/protobuf";
            resp.body = tracesDataProto(*spans);
            return resp;
        }
        return jsonResponse({{QStringLiteral("trace"),
                              QJsonObject{{QStringLiteral("resourceSpans"), resourceSpansJson(*spans)}}}});
    });
    router.add(QByteArrayList{"GET", "POST"}, QStringLiteral("/api/search"),
               [st, options](const HttpRequest &r) { return search(*st, options, r); });
    router.add("GET", QStringLiteral("/api/search/tags"), [st](const HttpRequest &) {
        QStringList names;
        for (auto scope : {store::AttributeScope::Span, store::AttributeScope::Resource}) {
            auto keys = st->traces().attributeKeys(scope);
            if (!keys)
                return internalError(keys.error());
            names += *keys;
        }
        names.sort();
        names.removeDuplicates();
        return jsonResponse({{QStringLiteral("tagNames"), QJsonArray::fromStringList(names)}});
    });
    router.add("GET", QStringLiteral("/api/v2/search/tags"), [st](const HttpRequest &r) {
        const QString wanted = r.query.value(u"scope");
        if (!wanted.isEmpty() && wanted != QLatin1String("span") && wanted != QLatin1String("resource")
            && wanted != QLatin1String("intrinsic") && wanted != QLatin1String("none"))
            return badRequest(QStringLiteral("invalid scope \"%1\": expected span, resource, intrinsic or none").arg(wanted));
        QJsonArray scopes;
        for (const auto &[name, scope] : {std::pair{"span", store::AttributeScope::Span},
                                          std::pair{"resource", store::AttributeScope::Resource}}) {
            if (!wanted.isEmpty() && wanted != QLatin1String("none") && wanted != QLatin1String(name))
                continue;
            auto keys = st->traces().attributeKeys(scope);
            if (!keys)
                return internalError(keys.error());
            scopes.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)},
                                      {QStringLiteral("tags"), QJsonArray::fromStringList(*keys)}});
        }
        if (wanted.isEmpty() || wanted == QLatin1String("intrinsic"))
            scopes.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("intrinsic")},
                                      {QStringLiteral("tags"), QJsonArray::fromStringList(intrinsicTags())}});
        return jsonResponse({{QStringLiteral("scopes"), scopes}});
    });
    router.add("GET", QStringLiteral("/api/search/tag/{tag}/values"),
               [st](const HttpRequest &r) { return tagValues(*st, r, false); });
    router.add("GET", QStringLiteral("/api/v2/search/tag/{tag}/values"),
               [st](const HttpRequest &r) { return tagValues(*st, r, true); });
    router.add(QByteArrayList{"GET", "POST"}, QStringLiteral("/api/metrics/query_range"),
               [st](const HttpRequest &r) { return metricsQueryRange(*st, r); });
    router.add("GET", QStringLiteral("/api/echo"), [](const HttpRequest &) { return HttpResponse::text(200, "echo"); });
    RouteOptions probe;
    probe.requiresAuth = false;
    router.add("GET", QStringLiteral("/ready"), [](const HttpRequest &) { return HttpResponse::text(200, "ready\n"); },
               probe);
    router.add("GET", QStringLiteral("/api/status/buildinfo"), [](const HttpRequest &) {
        return jsonResponse({{QStringLiteral("version"), compatibleVersion()},
                             {QStringLiteral("revision"), QStringLiteral("spyglass")},
                             {QStringLiteral("branch"), QStringLiteral("")},
                             {QStringLiteral("buildUser"), QStringLiteral("")},
                             {QStringLiteral("buildDate"), QStringLiteral("")},
                             {QStringLiteral("goVersion"), QStringLiteral("")}});
    });
}

} // namespace spyglass::api
