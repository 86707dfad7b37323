#pragma once

#include "core/model/result.h"
#include "core/store/span_store.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace spyglass::gui::traces {

// The spans of an OTLP file grouped by trace, with a summary per trace
// (the same shape the store's search returns), biggest trace first.
struct TraceFileContents
{
    QHash<QByteArray, QList<model::Span>> traces;
    QList<store::TraceSummary> summaries;
    std::int64_t spanCount = 0;
    std::int64_t rejectedSpans = 0;
    QStringList problems;
};

// Reads an OTLP traces file (ExportTraceServiceRequest as OTLP/JSON, or
// binary protobuf when it does not start with '{'). Blocking: call it on
// a worker thread.
Result<TraceFileContents> loadTraceFile(const QString &path);
// Grouping and summaries alone (for spans from any source).
TraceFileContents groupSpansByTrace(QList<model::Span> spans);

} // namespace spyglass::gui::traces
