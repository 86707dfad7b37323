#include "plugins/tempo/tempo_response.h"

#include "plugins/common/otlp_trace_json.h"
#include "plugins/common/span_frame.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace spyglass::plugins::tempo {

namespace {

Result<QJsonObject> jsonObject(const QByteArray &body, int httpStatus, const QString &what)
{
    if (httpStatus < 200 || httpStatus >= 300)
        return fail(errorFromResponse(body, httpStatus, what));
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return fail(Error::badData(QStringLiteral("the %1 answer is not a JSON object: %2")
                                       .arg(what, QString::fromUtf8(body.left(200)).simplified())));
    return doc.object();
}

std::int64_t int64Of(const QJsonValue &v)
{
    return v.isString() ? v.toString().toLongLong() : std::int64_t(v.toDouble());
}

QString paddedTraceId(const QString &id)
{
    return id.size() < 32 ? QString(32 - id.size(), QLatin1Char('0')) + id : id;
}

} // namespace

Error errorFromResponse(const QByteArray &body, int httpStatus, const QString &what)
{
    QString text = QString::fromUtf8(body.left(300)).simplified();
    if (body.size() > 300)
        text += QStringLiteral("...");
    const Error::Kind kind = httpStatus == 404 ? Error::Kind::NotFound
                             : httpStatus == 400 ? Error::Kind::Invalid
                             : httpStatus == 401 || httpStatus == 403 ? Error::Kind::Invalid
                                                                      : Error::Kind::Unavailable;
    QString msg = QStringLiteral("%1: HTTP %2").arg(what).arg(httpStatus);
    if (httpStatus == 401 || httpStatus == 403)
        msg += QStringLiteral(" (check the credentials / tenant)");
    if (!text.isEmpty())
        msg += QStringLiteral(": ") + text;
    return Error{kind, msg, {}, 0, 0};
}

Result<model::Frame> parseSearchResponse(const QByteArray &body, int httpStatus)
{
    auto root = jsonObject(body, httpStatus, QStringLiteral("trace search"));
    if (!root)
        return fail(root.error());
    QStringList ids, services, names;
    QList<std::int64_t> starts, spanSets, matched;
    QList<double> durations;
    for (const QJsonValue &v : root->value(QLatin1String("traces")).toArray()) {
        const QJsonObject t = v.toObject();
        ids << paddedTraceId(t.value(QLatin1String("traceID")).toString());
        services << t.value(QLatin1String("rootServiceName")).toString();
        names << t.value(QLatin1String("rootTraceName")).toString();
        starts << int64Of(t.value(QLatin1String("startTimeUnixNano"))) / 1'000'000;
        durations << t.value(QLatin1String("durationMs")).toDouble();
        QJsonArray sets = t.value(QLatin1String("spanSets")).toArray();
        if (sets.isEmpty() && t.contains(QLatin1String("spanSet")))
            sets.append(t.value(QLatin1String("spanSet")));
        std::int64_t m = 0;
        for (const QJsonValue &s : sets)
            m += s.toObject().value(QLatin1String("matched")).toInt();
        spanSets << sets.size();
        matched << m;
    }
    model::Frame f(QStringLiteral("traces"), model::FrameKind::Table);
    f.addField(model::Field::string(QStringLiteral("traceID"), ids));
    f.addField(model::Field::string(QStringLiteral("rootServiceName"), services));
    f.addField(model::Field::string(QStringLiteral("rootTraceName"), names));
    f.addField(model::Field::time(QStringLiteral("startTime"), starts));
    model::Field d = model::Field::float64(QStringLiteral("traceDuration"), durations);
    d.setUnit(QStringLiteral("ms"));
    f.addField(std::move(d));
    f.addField(model::Field::int64(QStringLiteral("spanSets"), spanSets));
    f.addField(model::Field::int64(QStringLiteral("matched"), matched));
    const QJsonObject metrics = root->value(QLatin1String("metrics")).toObject();
    f.meta().custom.insert(QStringLiteral("inspectedTraces"), qlonglong(int64Of(metrics.value(QLatin1String("inspectedTraces")))));
    f.meta().custom.insert(QStringLiteral("inspectedSpans"), qlonglong(int64Of(metrics.value(QLatin1String("inspectedSpans")))));
    return f;
}

Result<model::Frame> parseTraceResponse(const QByteArray &body, int httpStatus, const QString &traceId)
{
    if (httpStatus == 404)
        return fail(Error{Error::Kind::NotFound, QStringLiteral("trace %1 not found").arg(traceId), {}, 0, 0});
    if (httpStatus < 200 || httpStatus >= 300)
        return fail(errorFromResponse(body, httpStatus, QStringLiteral("trace %1").arg(traceId)));
    auto spans = common::parseOtlpTraceJson(body);
    if (!spans) {
        Error e = spans.error();
        e.message = QStringLiteral("trace %1: %2").arg(traceId, e.message);
        return fail(e);
    }
    if (spans->isEmpty())
        return fail(Error{Error::Kind::NotFound, QStringLiteral("trace %1 has no spans").arg(traceId), {}, 0, 0});
    return common::spansToFrame(*spans, QStringLiteral("trace"));
}

Result<QStringList> parseTagsResponse(const QByteArray &body, int httpStatus)
{
    auto root = jsonObject(body, httpStatus, QStringLiteral("tag names"));
    if (!root)
        return fail(root.error());
    QStringList out;
    if (root->contains(QLatin1String("scopes"))) {
        for (const QJsonValue &v : root->value(QLatin1String("scopes")).toArray()) {
            const QJsonObject scope = v.toObject();
            const QString name = scope.value(QLatin1String("name")).toString();
            for (const QJsonValue &t : scope.value(QLatin1String("tags")).toArray())
                out << (name == u"intrinsic" || name.isEmpty() ? t.toString() : name + QLatin1Char('.') + t.toString());
        }
    } else {
        for (const QJsonValue &t : root->value(QLatin1String("tagNames")).toArray())
            out << QLatin1Char('.') + t.toString();
    }
    out.removeDuplicates();
    return out;
}

Result<QStringList> parseTagValuesResponse(const QByteArray &body, int httpStatus)
{
    auto root = jsonObject(body, httpStatus, QStringLiteral("tag values"));
    if (!root)
        return fail(root.error());
    QStringList out;
    for (const QJsonValue &v : root->value(QLatin1String("tagValues")).toArray())
        out << (v.isObject() ? v.toObject().value(QLatin1String("value")).toString() : v.toString());
    out.removeDuplicates();
    return out;
}

Result<model::Frames> parseMetricsResponse(const QByteArray &body, int httpStatus)
{
    auto root = jsonObject(body, httpStatus, QStringLiteral("TraceQL metrics"));
    if (!root)
        return fail(root.error());
    model::Frames out;
    for (const QJsonValue &v : root->value(QLatin1String("series")).toArray()) {
        const QJsonObject s = v.toObject();
        QList<model::Label> pairs;
        for (const QJsonValue &l : s.value(QLatin1String("labels")).toArray()) {
            const QJsonObject lo = l.toObject();
            const QJsonObject value = lo.value(QLatin1String("value")).toObject();
            QString text;
            if (value.contains(QLatin1String("stringValue")))
                text = value.value(QLatin1String("stringValue")).toString();
            else if (!value.isEmpty())
                text = value.begin().value().toVariant().toString();
            pairs.push_back({lo.value(QLatin1String("key")).toString(), text});
        }
        QList<model::Sample> samples;
        for (const QJsonValue &p : s.value(QLatin1String("samples")).toArray()) {
            const QJsonObject po = p.toObject();
            samples.push_back({int64Of(po.value(QLatin1String("timestampMs"))), po.value(QLatin1String("value")).toDouble()});
        }
        model::Frame f = model::Frame::timeSeries(model::Labels(std::move(pairs)), samples);
        const QString prom = s.value(QLatin1String("promLabels")).toString();
        f.setName(prom.isEmpty() ? f.seriesLabels().toString() : prom);
        out.push_back(std::move(f));
    }
    return out;
}

bool isMetricsQuery(const QString &traceql)
{
    static const QRegularExpression re(QStringLiteral(
        R"(\|\s*(rate|count_over_time|quantile_over_time|histogram_over_time|min_over_time|max_over_time|avg_over_time|sum_over_time|compare)\s*\()"));
    return re.match(traceql).hasMatch();
}

} // namespace spyglass::plugins::tempo
