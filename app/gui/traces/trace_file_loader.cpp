#include "app/gui/traces/trace_file_loader.h"

#include "core/ingest/otlp_traces_converter.h"

#include <QFile>
#include <algorithm>

namespace spyglass::gui::traces {

TraceFileContents groupSpansByTrace(QList<model::Span> spans)
{
    TraceFileContents out;
    out.spanCount = spans.size();
    QList<QByteArray> order;
    for (model::Span &s : spans) {
        auto it = out.traces.find(s.traceId);
        if (it == out.traces.end()) {
            order.push_back(s.traceId);
            it = out.traces.insert(s.traceId, {});
        }
        it->push_back(std::move(s));
    }
    for (const QByteArray &id : order) {
        const QList<model::Span> &list = out.traces[id];
        store::TraceSummary sum;
        sum.traceId = id;
        sum.start = list.first().start;
        sum.end = list.first().end;
        for (const model::Span &s : list) {
            sum.start = std::min(sum.start, s.start);
            sum.end = std::max(sum.end, s.end);
            sum.errorCount += s.status == model::Span::Status::Error ? 1 : 0;
            if (s.parentSpanId.isEmpty() && sum.rootSpanName.isEmpty()) {
                sum.rootServiceName = s.serviceName;
                sum.rootSpanName = s.name;
            }
        }
        sum.spanCount = list.size();
        out.summaries.push_back(sum);
    }
    std::stable_sort(out.summaries.begin(), out.summaries.end(),
                     [](const store::TraceSummary &a, const store::TraceSummary &b) { return a.spanCount > b.spanCount; });
    return out;
}

Result<TraceFileContents> loadTraceFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("%1: cannot open: %2").arg(path, file.errorString())));
    const QByteArray body = file.readAll();
    const QByteArray head = body.left(64).trimmed();
    const ingest::PayloadEncoding encoding =
        head.startsWith('{') ? ingest::PayloadEncoding::Json : ingest::PayloadEncoding::Protobuf;
    Result<ingest::SpansConversion> conv = ingest::OtlpTracesConverter::decode(body, encoding);
    if (!conv) {
        Error e = conv.error();
        e.message = QStringLiteral("%1: not an OTLP traces file: %2").arg(path, e.message);
        return fail(std::move(e));
    }
    if (conv->spans.isEmpty())
        return fail(Error::badData(QStringLiteral("%1: the file holds no valid spans%2")
                                       .arg(path, conv->problems.isEmpty()
                                                      ? QString()
                                                      : QStringLiteral(" (") + conv->problems.join(QStringLiteral("; ")) + QLatin1Char(')'))));
    TraceFileContents out = groupSpansByTrace(std::move(conv->spans));
    out.rejectedSpans = conv->rejectedSpans;
    out.problems = conv->problems;
    return out;
}

} // namespace spyglass::gui::traces
