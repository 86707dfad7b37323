#pragma once

#include "core/model/result.h"

#include <QByteArrayView>

namespace google::protobuf {
class Message;
}

namespace spyglass::ingest {

// Reads OTLP/JSON into the matching protobuf message. OTLP/JSON is proto3
// JSON with differences protobuf's own parser gets wrong: trace/span/profile
// ids are hex strings (not base64), and senders mix int64 as strings and
// numbers. Keys may be lowerCamelCase or the proto names; enums integers or
// names; unknown keys are ignored (the spec requires it). Uses simdjson, so
// large bodies parse fast; the message is filled through reflection, so one
// decoder serves every OTLP signal (and any other message).
class OtlpJsonDecoder
{
public:
    // `out` is cleared first. Errors name the JSON path, e.g.
    // "resourceSpans[0].scopeSpans[1].spans[3].traceId: ...".
    static Result<void> decode(QByteArrayView json, google::protobuf::Message &out);
};

} // namespace spyglass::ingest
