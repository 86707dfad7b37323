#pragma once

#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>

// Spans <-> the trace frame every trace datasource returns, so the trace
// viewer never knows whether spans came from the store, Tempo or Jaeger.
namespace spyglass::plugins::common {

// One frame of kind Spans, one row per span, with Grafana's trace frame
// field names: traceID, spanID, parentSpanID (hex), operationName,
// serviceName, kind, statusCode, statusMessage, startTime and duration
// (float ms), startTimeNs and durationNs (exact), tags and serviceTags
// (JSON arrays of {key, value}, as Grafana's trace frames), scopeName, scopeVersion, logs (events as a JSON array of
// {timeNs, name, attributes}) and references (links as a JSON array of
// {traceID, spanID, attributes}). The fields TraceqlEngine::spansFrame
// writes are a subset.
model::Frame spansToFrame(const QList<model::Span> &spans, const QString &refId = QStringLiteral("trace"));

// The inverse: every span of a Spans frame (needs at least traceID,
// spanID, operationName and a start time; the rest is optional).
Result<QList<model::Span>> spansFromFrame(const model::Frame &frame);

// Attributes as [{key, value}] and back (typed values kept where JSON can;
// a plain {"k": v} object is accepted too).
QJsonArray attributesToJson(const model::Attributes &attributes);
model::Attributes attributesFromJson(const QJsonValue &json);

// "1a2b..." (any case) or base64 (Tempo's older JSON) to raw bytes of
// `expectedBytes`; shorter hex is left-padded with zeros as Tempo does.
// Empty when neither decodes to that length.
QByteArray decodeId(const QString &text, int expectedBytes);

QString spanKindName(model::Span::Kind kind);     // "server", ...
model::Span::Kind spanKindFromName(QStringView name); // also SPAN_KIND_SERVER, numbers
QString statusName(model::Span::Status status);   // "unset", "ok", "error"
model::Span::Status statusFromName(QStringView name); // also STATUS_CODE_ERROR, numbers

} // namespace spyglass::plugins::common
