#pragma once

#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QList>

namespace spyglass::plugins::common {

// A trace as Tempo's API returns it in JSON: {"batches": [...]} (v1),
// {"trace": {"resourceSpans": [...]}} (v2) or a plain OTLP/JSON
// {"resourceSpans": [...]}; resource/scope/span attributes, events, links,
// kind and status kept. Ids may be hex (OTLP/JSON) or base64 (Tempo's
// older gogo-proto JSON); kinds and status codes numbers or enum names;
// int values numbers or strings. Errors name the span at fault.
Result<QList<model::Span>> parseOtlpTraceJson(const QByteArray &json);

} // namespace spyglass::plugins::common
