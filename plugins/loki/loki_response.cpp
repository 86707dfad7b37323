#include "plugins/loki/loki_response.h"

#include "plugins/prometheus/prometheus_response.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace spyglass::plugins::loki {

using model::Labels;

namespace {

Labels labelsOf(const QJsonObject &o)
{
    QList<model::Label> pairs;
    pairs.reserve(o.size());
    for (auto it = o.begin(); it != o.end(); ++it)
        pairs.push_back({it.key(), it.value().toString()});
    return Labels(std::move(pairs));
}

Labels merged(const Labels &a, const Labels &b)
{
    if (b.isEmpty())
        return a;
    QList<model::Label> pairs = a.pairs();
    pairs.append(b.pairs());
    return Labels(std::move(pairs)); // later duplicates win
}

} // namespace

Result<model::Frame> streamsToFrame(const QJsonArray &streams, Direction direction, const QString &refId)
{
    struct Row
    {
        std::int64_t ns;
        QString line;
        Labels labels, metadata, parsed;
    };
    QList<Row> rows;
    for (qsizetype si = 0; si < streams.size(); ++si) {
        const QJsonObject stream = streams.at(si).toObject();
        const Labels streamLabels = labelsOf(stream.value(QLatin1String("stream")).toObject());
        const QJsonArray values = stream.value(QLatin1String("values")).toArray();
        for (qsizetype vi = 0; vi < values.size(); ++vi) {
            const QJsonArray entry = values.at(vi).toArray();
            bool ok = false;
            const std::int64_t ns = entry.size() >= 2 ? entry.at(0).toString().toLongLong(&ok) : 0;
            if (!ok || !entry.at(1).isString())
                return fail(Error::badData(QStringLiteral("stream %1, entry %2 is not [\"<unix ns>\", \"<line>\"]")
                                               .arg(si + 1)
                                               .arg(vi + 1)));
            Row r{ns, entry.at(1).toString(), streamLabels, {}, {}};
            if (entry.size() >= 3) {
                const QJsonObject categories = entry.at(2).toObject();
                r.metadata = labelsOf(categories.value(QLatin1String("structuredMetadata")).toObject());
                r.parsed = labelsOf(categories.value(QLatin1String("parsed")).toObject());
                r.labels = merged(merged(streamLabels, r.metadata), r.parsed);
            }
            rows.append(std::move(r));
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [direction](const Row &a, const Row &b) {
        return direction == Direction::Forward ? a.ns < b.ns : a.ns > b.ns;
    });
    QList<std::int64_t> ms, ns;
    QStringList lines;
    QList<Labels> labels, metadata, parsed;
    ms.reserve(rows.size());
    for (const Row &r : rows) {
        ms.append(r.ns / 1'000'000);
        ns.append(r.ns);
        lines.append(r.line);
        labels.append(r.labels);
        metadata.append(r.metadata);
        parsed.append(r.parsed);
    }
    model::Frame f(refId, model::FrameKind::Logs);
    f.addField(model::Field::time(QStringLiteral("Time"), std::move(ms)));
    f.addField(model::Field::string(QStringLiteral("Line"), std::move(lines)));
    f.addField(model::Field::labels(QStringLiteral("labels"), std::move(labels)));
    f.addField(model::Field::int64(QStringLiteral("tsNs"), std::move(ns)));
    f.addField(model::Field::labels(QStringLiteral("structuredMetadata"), std::move(metadata)));
    f.addField(model::Field::labels(QStringLiteral("parsed"), std::move(parsed)));
    f.meta().custom.insert(QStringLiteral("resultType"), QStringLiteral("streams"));
    f.meta().custom.insert(QStringLiteral("direction"), direction == Direction::Forward ? QStringLiteral("forward")
                                                                                        : QStringLiteral("backward"));
    return f;
}

Result<model::Frames> parseQueryResponse(const QByteArray &body, int httpStatus, const LokiFrameOptions &options)
{
    QStringList notices;
    auto data = prometheus::parseApiResponse(body, httpStatus, &notices);
    if (!data)
        return fail(data.error());
    const QJsonObject obj = data->toObject();
    const QString resultType = obj.value(QLatin1String("resultType")).toString();
    if (resultType != u"streams") {
        prometheus::FrameOptions po;
        po.refId = options.refId;
        po.executedQuery = options.executedQuery;
        po.legendFormat = options.legendFormat;
        po.datasourceUid = options.datasourceUid;
        return prometheus::parseQueryResponse(body, httpStatus, po);
    }
    auto frame = streamsToFrame(obj.value(QLatin1String("result")).toArray(), options.direction, options.refId);
    if (!frame)
        return fail(frame.error());
    frame->meta().executedQuery = options.executedQuery;
    frame->meta().datasourceUid = options.datasourceUid;
    frame->meta().notices = notices;
    const QJsonObject summary = obj.value(QLatin1String("stats")).toObject().value(QLatin1String("summary")).toObject();
    if (!summary.isEmpty()) {
        frame->meta().custom.insert(QStringLiteral("linesScanned"),
                                    summary.value(QLatin1String("totalLinesProcessed")).toVariant());
        frame->meta().custom.insert(QStringLiteral("bytesScanned"),
                                    summary.value(QLatin1String("totalBytesProcessed")).toVariant());
    }
    return model::Frames{*frame};
}

Result<model::Frame> parseTailMessage(const QByteArray &message, qint64 *dropped)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(message, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return fail(Error::badData(QStringLiteral("a tail message is not a JSON object: %1")
                                       .arg(QString::fromUtf8(message.left(200)))));
    const QJsonObject root = doc.object();
    if (dropped)
        *dropped = root.value(QLatin1String("dropped_entries")).toArray().size();
    return streamsToFrame(root.value(QLatin1String("streams")).toArray(), Direction::Forward, QStringLiteral("tail"));
}

} // namespace spyglass::plugins::loki
