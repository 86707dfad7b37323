#pragma once

#include "core/model/frame.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QStringList>

// Tempo's HTTP API answers to frames. Pure functions, unit-tested on
// recorded answers (tests/data/tempo).
namespace spyglass::plugins::tempo {

// A non-2xx answer (Tempo answers errors as plain text) as an Error.
Error errorFromResponse(const QByteArray &body, int httpStatus, const QString &what);

// /api/search: one Table frame like Grafana's Tempo search result and
// TraceqlEngine::searchResultFrame: traceID, rootServiceName,
// rootTraceName, startTime (ms), traceDuration (ms), spanSets, matched.
// Traces whose root span is unknown keep Tempo's "<root span not yet
// received>". Trace ids are left-padded to 32 hex digits.
Result<model::Frame> parseSearchResponse(const QByteArray &body, int httpStatus);

// /api/traces/<id>: the spans as a Spans frame (plugins/common/span_frame.h).
Result<model::Frame> parseTraceResponse(const QByteArray &body, int httpStatus, const QString &traceId);

// /api/v2/search/tags: "span.x", "resource.x" and the intrinsics as TraceQL
// writes them; /api/search/tags (v1, unscoped) answers are read too.
Result<QStringList> parseTagsResponse(const QByteArray &body, int httpStatus);
// /api/v2/search/tag/<tag>/values and the v1 form.
Result<QStringList> parseTagValuesResponse(const QByteArray &body, int httpStatus);

// /api/metrics/query_range: one TimeSeries frame per series.
Result<model::Frames> parseMetricsResponse(const QByteArray &body, int httpStatus);

// Whether a TraceQL query is a metrics query (`{ } | rate()` and friends).
bool isMetricsQuery(const QString &traceql);

} // namespace spyglass::plugins::tempo
