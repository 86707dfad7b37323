#pragma once

#include "core/model/cancel_token.h"
#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/query/logql/ast.h"
#include "core/store/log_store.h"

#include <QList>
#include <QString>

namespace spyglass::query::logql {

struct LogqlQuery
{
    QString expr;
    // Range queries: [start, end] with `step`; log lines are read from
    // [start, end) (Loki's end is exclusive). Instant queries: start == end.
    model::TimestampNs start = 0;
    model::TimestampNs end = 0;
    std::int64_t stepNs = 0;
    std::int64_t intervalNs = 0; // log queries: at most one line per interval per stream
    store::LogDirection direction = store::LogDirection::Backward;
    qsizetype limit = 100; // log queries
    bool instant = false;
};

struct LogEntryOut
{
    model::TimestampNs time = 0;
    QString line;
    model::Labels metadata; // structured metadata
    model::Labels parsed;   // labels added by parsers / formatters
};

struct LogStreamOut
{
    model::Labels labels; // everything, as Loki's default "stream" object
    QList<LogEntryOut> entries;
};

struct SeriesOut
{
    model::Labels labels;
    QList<std::pair<model::TimestampNs, double>> points;
};

struct LogqlStats
{
    std::int64_t linesScanned = 0;
    std::int64_t bytesScanned = 0;
    std::int64_t linesReturned = 0;
    std::int64_t streamsRead = 0;
    double execSeconds = 0;
};

struct LogqlResult
{
    enum class Type { Streams, Matrix, Vector, Scalar };
    Type type = Type::Streams;
    QList<LogStreamOut> streams; // Streams, in the query's direction
    QList<SeriesOut> series;     // Matrix; Vector (one point each)
    double scalar = 0;
    model::TimestampNs scalarTime = 0;
    LogqlStats stats;
    store::LogDirection direction = store::LogDirection::Backward;

    static QString typeName(Type t); // "streams", "matrix", "vector", "scalar"

    // Logs: one frame of kind Logs (Time ms, Line, labels, tsNs,
    // structuredMetadata, parsed). Metrics: one TimeSeries frame per series.
    model::Frames toFrames() const;
};

// Evaluates LogQL over the log store: log queries stream chunk by chunk and
// stop at the limit; metric queries evaluate all steps at once per node
// (each stream is read once for the whole range).
class LogqlEngine
{
public:
    explicit LogqlEngine(const store::LogStore &store) : m_store(store) {}

    Result<LogqlResult> exec(const LogqlQuery &query, const CancelToken &cancel = {}) const;
    Result<LogqlResult> exec(const ExprPtr &expr, const LogqlQuery &query, const CancelToken &cancel = {}) const;

private:
    const store::LogStore &m_store;
};

} // namespace spyglass::query::logql
