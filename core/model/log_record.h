#pragma once

#include "core/model/labels.h"

#include <QString>
#include <cstdint>

namespace spyglass::model {

// Log timestamps are Unix nanoseconds, as in Loki and OTLP.
using TimestampNs = std::int64_t;

struct LogRecord
{
    TimestampNs time = 0;
    QString line;
    Labels stream;             // indexed labels identifying the stream
    Labels structuredMetadata; // per-line, not indexed
    QString severity;          // OTLP severity text, when known
};

} // namespace spyglass::model
