#pragma once

#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

// Jaeger query API answers ({"data": ..., "errors": [...]}) to spans and
// frames. Pure functions, unit-tested on recorded answers (tests/data/jaeger).
namespace spyglass::plugins::jaeger {

// The "data" member, or an Error from "errors" / the HTTP status.
Result<QJsonValue> parseEnvelope(const QByteArray &body, int httpStatus, const QString &what);

// /api/services and /api/services/<s>/operations.
Result<QStringList> parseStringList(const QByteArray &body, int httpStatus, const QString &what);

// One Jaeger trace object to spans: processes give the service and the
// resource attributes; CHILD_OF (else the first) reference the parent,
// FOLLOWS_FROM references beyond the parent become links; tags keep their
// types; span.kind, error / otel.status_code, otel.status_description and
// otel.library.name / otel.scope.name map to the span's fields; logs
// become events (the "event" field names them). Ids: 16 or 32 hex digits.
Result<QList<model::Span>> traceToSpans(const QJsonObject &trace);

// /api/traces/<id>: the first trace as a Spans frame.
Result<model::Frame> parseTraceResponse(const QByteArray &body, int httpStatus, const QString &traceId);

// /api/traces?service=...: a Table frame like the Tempo search result
// (traceID, rootServiceName, rootTraceName, startTime ms, traceDuration ms)
// plus spanCount, newest first.
Result<model::Frame> parseSearchResponse(const QByteArray &body, int httpStatus);

} // namespace spyglass::plugins::jaeger
