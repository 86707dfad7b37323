#pragma once

#include "core/ingest/ingest_types.h"
#include "core/model/result.h"

#include <QByteArrayView>

namespace opentelemetry::proto::collector::logs::v1 {
class ExportLogsServiceRequest;
}

namespace spyglass::ingest {

// OTLP logs -> LogRecords, following Loki's OTLP endpoint:
//  - stream labels: Loki's default index resource attributes (service.name,
//    service.namespace, service.instance.id, deployment.environment(.name),
//    cloud.*, k8s.* and container.name), dots -> underscores, service_name
//    "unknown_service" when absent; plus `level` (the severity text lower-cased,
//    or derived from severity_number) so `{service_name="x", level="error"}` works;
//  - structured metadata: the record's attributes, the other resource
//    attributes, scope_name/scope_version, severity_text, severity_number,
//    trace_id/span_id (hex), flags, event_name, observed_timestamp;
//  - the line: a string body as is, any other body as JSON;
//  - the time: time_unix_nano, else observed_time_unix_nano.
class OtlpLogsConverter
{
public:
    static LogsConversion convert(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest &request);
    static Result<LogsConversion> decode(QByteArrayView body, PayloadEncoding encoding);

    // "error" for SEVERITY_NUMBER_ERROR..ERROR4 and so on; empty for 0.
    static QString levelForSeverityNumber(int number);
};

} // namespace spyglass::ingest
