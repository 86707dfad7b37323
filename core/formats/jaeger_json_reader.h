#pragma once

#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace spyglass::formats {

// Jaeger's JSON trace format: the UI's "Download JSON" export and the
// query API's answers ({"data": [trace...]}), a single trace object
// ({"traceID", "spans", "processes"}) or an array of traces.
//   spans:      traceID/spanID hex, operationName, startTime/duration in
//               microseconds, references (CHILD_OF in the same trace is
//               the parent, others are links), processID -> processes
//   tags:       span.kind -> kind, error=true / otel.status_code -> status,
//               the rest typed attributes; process tags -> resource
//   logs:       span events (name from the "event"/"message" field)
// Everything is decoded before returning: an error names the file and the
// trace/span index and field.
class JaegerJsonReader
{
public:
    static bool looksLikeJaeger(const QByteArray &json);
    static Result<QList<model::Span>> parse(const QByteArray &json, const QString &name);
};

} // namespace spyglass::formats
