#include "plugins/prometheus/prometheus_response.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <cmath>
#include <limits>
#include <optional>

namespace spyglass::plugins::prometheus {

namespace {

using model::Field;
using model::Frame;
using model::FrameKind;
using model::Labels;
using model::Sample;

Error::Kind kindForErrorType(const QString &errorType, int httpStatus)
{
    if (errorType == u"bad_data")
        return Error::Kind::Invalid;
    if (errorType == u"timeout")
        return Error::Kind::Timeout;
    if (errorType == u"canceled")
        return Error::Kind::Cancelled;
    if (errorType == u"execution")
        return Error::Kind::BadData;
    if (errorType == u"internal")
        return Error::Kind::Internal;
    if (errorType == u"unavailable" || errorType == u"too_many_requests")
        return Error::Kind::Unavailable;
    if (errorType == u"not_found")
        return Error::Kind::NotFound;
    if (httpStatus == 404)
        return Error::Kind::NotFound;
    if (httpStatus >= 500 || httpStatus == 429)
        return Error::Kind::Unavailable;
    return Error::Kind::Invalid;
}

QString httpStatusHint(int status)
{
    switch (status) {
    case 401:
        return QStringLiteral(" (unauthorized: check basic auth or the Authorization header)");
    case 403:
        return QStringLiteral(" (forbidden: the credentials lack access)");
    case 404:
        return QStringLiteral(" (not found: check the URL and its path prefix, e.g. Mimir's /prometheus)");
    default:
        return {};
    }
}

Error errorFromNonJson(const QByteArray &body, int httpStatus)
{
    QString text = QString::fromUtf8(body.left(300)).simplified();
    if (body.size() > 300)
        text += QStringLiteral("...");
    QString msg;
    if (httpStatus >= 200 && httpStatus < 300)
        msg = QStringLiteral("the server's answer is not Prometheus API JSON");
    else
        msg = QStringLiteral("HTTP %1%2").arg(httpStatus).arg(httpStatusHint(httpStatus));
    if (!text.isEmpty())
        msg += QStringLiteral(": ") + text;
    return Error{kindForErrorType({}, httpStatus), msg, {}, 0, 0};
}

Labels labelsFromJson(const QJsonObject &metric)
{
    QList<model::Label> pairs;
    pairs.reserve(metric.size());
    for (auto it = metric.begin(); it != metric.end(); ++it)
        pairs.push_back({it.key(), it.value().toString()});
    return Labels(std::move(pairs));
}

// One [t, "v"] pair of the API.
Result<Sample> sampleFromJson(const QJsonValue &v)
{
    const QJsonArray pair = v.toArray();
    if (pair.size() != 2 || !pair.at(0).isDouble() || !pair.at(1).isString())
        return fail(Error::badData(QStringLiteral("malformed sample in the answer: expected [time, \"value\"]")));
    const auto value = parseSampleValue(pair.at(1).toString());
    if (!value)
        return fail(Error::badData(
            QStringLiteral("malformed sample value \"%1\" in the answer").arg(pair.at(1).toString())));
    return Sample{secondsToMs(pair.at(0).toDouble()), *value};
}

Result<QList<Sample>> samplesFromJson(const QJsonArray &values)
{
    QList<Sample> out;
    out.reserve(values.size());
    for (const QJsonValue &v : values) {
        auto s = sampleFromJson(v);
        if (!s)
            return fail(s.error());
        out.push_back(*s);
    }
    return out;
}

struct SeriesData
{
    Labels labels;
    QList<Sample> samples;
};

QString frameName(const FrameOptions &options, const Labels &labels, const QString &fallback)
{
    if (!options.legendFormat.isEmpty() && options.legendFormat != u"__auto")
        return applyLegendFormat(options.legendFormat, labels);
    if (labels.isEmpty())
        return fallback;
    return labels.toString();
}

void fillMeta(Frame &f, const FrameOptions &options, const QString &resultType, const QStringList &notices)
{
    f.meta().executedQuery = options.executedQuery;
    f.meta().notices = notices;
    f.meta().datasourceUid = options.datasourceUid;
    f.meta().custom.insert(QStringLiteral("resultType"), resultType);
    f.meta().custom.insert(QStringLiteral("refId"), options.refId);
}

// Grafana's table layout: Time, one string column per label name (sorted,
// __name__ included), Value; one row per sample.
Frame tableFrame(const QList<SeriesData> &series, const FrameOptions &options)
{
    QStringList names;
    {
        QSet<QString> seen;
        for (const auto &s : series)
            for (const auto &l : s.labels)
                if (!seen.contains(l.name)) {
                    seen.insert(l.name);
                    names.push_back(l.name);
                }
        names.sort();
    }
    QList<std::int64_t> times;
    QList<double> values;
    QList<QStringList> columns(names.size());
    for (const auto &s : series)
        for (const auto &sample : s.samples) {
            times.push_back(sample.t);
            values.push_back(sample.v);
            for (qsizetype i = 0; i < names.size(); ++i)
                columns[i].push_back(s.labels.value(names[i]));
        }
    Frame f(options.refId, FrameKind::Table);
    f.addField(Field::time(QStringLiteral("Time"), std::move(times)));
    for (qsizetype i = 0; i < names.size(); ++i)
        f.addField(Field::string(names[i], std::move(columns[i])));
    f.addField(Field::float64(QStringLiteral("Value"), std::move(values)));
    return f;
}

} // namespace

model::TimestampMs secondsToMs(double seconds)
{
    return static_cast<model::TimestampMs>(std::llround(seconds * 1000.0));
}

std::optional<double> parseSampleValue(QStringView text)
{
    // Go's strconv.FormatFloat spellings, which QString::toDouble does not all take.
    if (text == u"NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (text == u"+Inf" || text == u"Inf")
        return std::numeric_limits<double>::infinity();
    if (text == u"-Inf")
        return -std::numeric_limits<double>::infinity();
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

QString applyLegendFormat(const QString &format, const Labels &labels)
{
    static const QRegularExpression re(QStringLiteral("\\{\\{\\s*(.+?)\\s*\\}\\}"));
    QString out;
    qsizetype last = 0;
    auto it = re.globalMatch(format);
    while (it.hasNext()) {
        const auto m = it.next();
        out += QStringView(format).mid(last, m.capturedStart() - last);
        out += labels.value(m.capturedView(1));
        last = m.capturedEnd();
    }
    out += QStringView(format).mid(last);
    return out;
}

Result<QJsonValue> parseApiResponse(const QByteArray &body, int httpStatus, QStringList *warnings)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return fail(errorFromNonJson(body, httpStatus));
    const QJsonObject root = doc.object();
    const QString status = root.value(QLatin1String("status")).toString();
    if (warnings) {
        for (const char *key : {"warnings", "infos"})
            for (const QJsonValue &w : root.value(QLatin1String(key)).toArray())
                warnings->push_back(w.toString());
    }
    if (status == u"success" && httpStatus >= 200 && httpStatus < 300)
        return root.value(QLatin1String("data"));
    if (status == u"error" || root.contains(QLatin1String("error"))) {
        const QString errorType = root.value(QLatin1String("errorType")).toString();
        QString msg = root.value(QLatin1String("error")).toString();
        if (msg.isEmpty())
            msg = QStringLiteral("the server reported an error without a message (HTTP %1)").arg(httpStatus);
        if (!errorType.isEmpty())
            msg += QStringLiteral(" (%1)").arg(errorType);
        return fail(Error{kindForErrorType(errorType, httpStatus), msg, {}, 0, 0});
    }
    if (httpStatus < 200 || httpStatus >= 300)
        return fail(errorFromNonJson(body, httpStatus));
    return fail(Error::badData(
        QStringLiteral("the server's answer has status \"%1\" instead of \"success\"").arg(status)));
}

Result<model::Frames> parseQueryResponse(const QByteArray &body, int httpStatus, const FrameOptions &options)
{
    QStringList notices;
    auto data = parseApiResponse(body, httpStatus, &notices);
    if (!data)
        return fail(data.error());
    const QJsonObject obj = data->toObject();
    const QString resultType = obj.value(QLatin1String("resultType")).toString();
    const QJsonValue result = obj.value(QLatin1String("result"));

    model::Frames frames;
    if (resultType == u"matrix" || resultType == u"vector") {
        const bool matrix = resultType == u"matrix";
        QList<SeriesData> series;
        bool sawHistograms = false;
        for (const QJsonValue &entry : result.toArray()) {
            const QJsonObject o = entry.toObject();
            SeriesData s;
            s.labels = labelsFromJson(o.value(QLatin1String("metric")).toObject());
            if (matrix) {
                auto samples = samplesFromJson(o.value(QLatin1String("values")).toArray());
                if (!samples)
                    return fail(samples.error());
                s.samples = std::move(*samples);
                sawHistograms = sawHistograms || o.contains(QLatin1String("histograms"));
            } else if (o.contains(QLatin1String("value"))) {
                auto sample = sampleFromJson(o.value(QLatin1String("value")));
                if (!sample)
                    return fail(sample.error());
                s.samples.push_back(*sample);
            } else {
                sawHistograms = sawHistograms || o.contains(QLatin1String("histogram"));
                continue;
            }
            series.push_back(std::move(s));
        }
        if (sawHistograms)
            notices.push_back(QStringLiteral("native histogram samples in the answer are not shown"));
        if (options.table) {
            Frame f = tableFrame(series, options);
            fillMeta(f, options, resultType, notices);
            frames.push_back(std::move(f));
        } else {
            frames.reserve(series.size());
            for (const auto &s : series) {
                Frame f = Frame::timeSeries(s.labels, s.samples);
                f.setName(frameName(options, s.labels, options.executedQuery));
                fillMeta(f, options, resultType, notices);
                frames.push_back(std::move(f));
            }
        }
    } else if (resultType == u"scalar") {
        auto sample = sampleFromJson(result);
        if (!sample)
            return fail(sample.error());
        Frame f = Frame::timeSeries({}, {*sample});
        f.setName(frameName(options, {}, options.executedQuery));
        fillMeta(f, options, resultType, notices);
        frames.push_back(std::move(f));
    } else if (resultType == u"string") {
        const QJsonArray pair = result.toArray();
        if (pair.size() != 2 || !pair.at(0).isDouble())
            return fail(Error::badData(QStringLiteral("malformed string result in the answer")));
        Frame f(frameName(options, {}, options.executedQuery), FrameKind::Table);
        f.addField(Field::time(QStringLiteral("Time"), {secondsToMs(pair.at(0).toDouble())}));
        f.addField(Field::string(QStringLiteral("Value"), {pair.at(1).toString()}));
        fillMeta(f, options, resultType, notices);
        frames.push_back(std::move(f));
    } else {
        return fail(Error::badData(QStringLiteral("unknown resultType \"%1\" in the answer").arg(resultType)));
    }
    // An empty result still carries the executed query and any warnings.
    if (frames.isEmpty() && !notices.isEmpty()) {
        Frame f(options.refId, options.table ? FrameKind::Table : FrameKind::TimeSeries);
        fillMeta(f, options, resultType, notices);
        frames.push_back(std::move(f));
    }
    return frames;
}

Result<QStringList> parseStringListResponse(const QByteArray &body, int httpStatus)
{
    auto data = parseApiResponse(body, httpStatus);
    if (!data)
        return fail(data.error());
    if (data->isNull())
        return QStringList{};
    if (!data->isArray())
        return fail(Error::badData(QStringLiteral("expected a list of strings in the answer")));
    QStringList out;
    for (const QJsonValue &v : data->toArray())
        out.push_back(v.toString());
    return out;
}

} // namespace spyglass::plugins::prometheus
