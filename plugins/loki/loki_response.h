#pragma once

#include "core/model/frame.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QString>

// Loki's HTTP API answers to frames. Pure functions, unit-tested on
// recorded answers; metric answers share Prometheus's JSON shapes and are
// handed to plugins/prometheus's parser.
namespace spyglass::plugins::loki {

enum class Direction { Backward, Forward };

struct LokiFrameOptions
{
    QString refId = QStringLiteral("A");
    QString executedQuery;
    QString legendFormat;
    QString datasourceUid;
    Direction direction = Direction::Backward;
};

// A /loki/api/v1/query(_range) answer: "streams" become one Logs frame
// (Time ms, Line, labels, tsNs, structuredMetadata, parsed — the fields the
// local datasource's LogQL frames have), newest first for backward and
// oldest first for forward; "matrix", "vector" and "scalar" become time
// series frames. Both of Loki's entry shapes are read: ["ns", "line"] and
// Loki 3's categorized ["ns", "line", {"structuredMetadata": {...},
// "parsed": {...}}]. The "labels" field holds every label of the line.
Result<model::Frames> parseQueryResponse(const QByteArray &body, int httpStatus, const LokiFrameOptions &options);

// The streams array of a query answer or a tail message as one Logs frame.
Result<model::Frame> streamsToFrame(const QJsonArray &streams, Direction direction, const QString &refId);

// One /loki/api/v1/tail WebSocket message ({"streams": [...],
// "dropped_entries": [...] | null}) as a Logs frame, oldest first.
// `dropped` receives the number of dropped entries the server reported.
Result<model::Frame> parseTailMessage(const QByteArray &message, qint64 *dropped);

} // namespace spyglass::plugins::loki
