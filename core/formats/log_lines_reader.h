#pragma once

#include "core/model/log_record.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace spyglass::formats {

struct LogLinesReadOptions
{
    // Stream labels added to every record (filename and service_name
    // default to the file's name and its name without extensions).
    model::Labels labels;
    // Time of lines before the first one that carries a timestamp.
    model::TimestampNs fallbackTime = 0;
};

// Plain log files, one record per line (the line kept as written):
//   JSON lines  - time from ts/time/timestamp/@timestamp/t (RFC 3339 or Unix
//                 seconds/ms/us/ns), level from level/lvl/severity/log.level;
//   logfmt      - the same keys;
//   text        - a leading RFC 3339 / "YYYY-MM-DD HH:MM:SS[.fff]" timestamp,
//                 optionally in [brackets]; a level word (ERROR, WARN, ...)
//                 near the start.
// A line without a timestamp takes its predecessor's (continuation lines
// such as stack traces stay next to their record). Stream labels:
// filename, service_name and level (detected, else "unknown"). Records come
// back sorted by time (stable). Fails on a binary file, naming the line.
class LogLinesReader
{
public:
    static Result<QList<model::LogRecord>> parse(const QByteArray &data, const QString &name,
                                                 const LogLinesReadOptions &options = {});
    // "error", "warn", "info", "debug", "trace", "fatal" or empty.
    static QString normalizeLevel(QStringView text);
    // A timestamp as found in logs, in Unix nanoseconds.
    static std::optional<model::TimestampNs> parseTime(const QString &text);
};

// Loki query_range (or query) JSON answers saved to a file, as Grafana's
// "Download data" or `logcli --output=jsonl`-less scripts produce:
// {"status":"success","data":{"resultType":"streams","result":[{"stream":{..},
// "values":[["<ns>","line"(, {"structuredMetadata":{..}} or {..})]]}]}}.
// The object may also be the bare "data" part.
class LokiExportReader
{
public:
    static bool looksLikeLokiExport(const QByteArray &json);
    static Result<QList<model::LogRecord>> parse(const QByteArray &json, const QString &name);
};

} // namespace spyglass::formats
