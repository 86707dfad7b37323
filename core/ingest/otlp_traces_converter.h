#pragma once

#include "core/ingest/ingest_types.h"
#include "core/model/result.h"

#include <QByteArrayView>

namespace opentelemetry::proto::collector::trace::v1 {
class ExportTraceServiceRequest;
}

namespace spyglass::ingest {

// OTLP spans -> model::Span: raw 16/8-byte ids, every attribute with its
// type (resource, span, event, link), scope name/version, service name
// from the resource's service.name ("unknown_service" when absent). Spans
// with a missing or malformed trace/span id, or an end before the start,
// are rejected and counted.
class OtlpTracesConverter
{
public:
    static SpansConversion convert(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest &request);
    static Result<SpansConversion> decode(QByteArrayView body, PayloadEncoding encoding);
};

} // namespace spyglass::ingest
