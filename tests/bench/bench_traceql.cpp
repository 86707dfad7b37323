// TraceQL search over a store of 1,000,000 spans (100,000 traces of 10
// spans, bench_trace_spans.h): latency and spans scanned per second of
//   { span.http.status_code >= 500 }                                (no index: every trace read)
//   { resource.service.name = "payment" && duration > 100ms }       (index narrows candidates)
//   { resource.service.name = "frontend" } >> { span.http.status_code >= 500 }  (structural)
// each with Tempo's default limit of 20 traces and with no limit (every
// match: a full scan for the first and third). Google Benchmark:
//   ./bench_traceql
// The store is built once into $SPYGLASS_BENCH_DIR (default
// /tmp/spyglass-bench-traceql) and reused while its span count matches;
// SPYGLASS_BENCH_TRACES sets the trace count (default 100,000).
#include "core/query/traceql/engine.h"
#include "core/store/span_store.h"
#include "tests/bench/bench_trace_spans.h"

#include <QDir>
#include <QElapsedTimer>
#include <benchmark/benchmark.h>
#include <cstdio>

using namespace spyglass;

namespace {

qint64 traceCount()
{
    const qint64 n = qEnvironmentVariableIntValue("SPYGLASS_BENCH_TRACES");
    return n > 0 ? n : 100'000;
}

store::SpanStore *benchStore()
{
    static std::unique_ptr<store::SpanStore> store = [] {
        const QString dir = qEnvironmentVariableIsSet("SPYGLASS_BENCH_DIR")
            ? qEnvironmentVariable("SPYGLASS_BENCH_DIR")
            : QStringLiteral("/tmp/spyglass-bench-traceql");
        QDir().mkpath(dir);
        const QString path = dir + QStringLiteral("/traces-%1.db").arg(traceCount());
        auto s = store::SpanStore::open(path);
        if (!s)
            qFatal("%s", qPrintable(s.error().toString()));
        const auto stats = (*s)->stats();
        if (!stats || stats->spans != traceCount() * 10) {
            std::fprintf(stderr, "building %s (%lld spans)...\n", qPrintable(path), traceCount() * 10);
            QElapsedTimer timer;
            timer.start();
            QList<model::Span> batch;
            for (qint64 t = 0; t < traceCount(); ++t) {
                batch += bench::benchTrace(quint64(t));
                if (batch.size() >= 10'000 || t + 1 == traceCount()) {
                    if (auto r = (*s)->append(batch); !r)
                        qFatal("%s", qPrintable(r.error().toString()));
                    batch.clear();
                }
            }
            std::fprintf(stderr, "built in %.1f s (%.0f spans/s)\n", timer.elapsed() / 1e3,
                         traceCount() * 10 / (timer.elapsed() / 1e3));
        }
        return std::move(*s);
    }();
    return store.get();
}

const char *kQueries[] = {
    "{ span.http.status_code >= 500 }",
    "{ resource.service.name = \"payment\" && duration > 100ms }",
    "{ resource.service.name = \"frontend\" } >> { span.http.status_code >= 500 }",
};

void BM_TraceqlSearch(benchmark::State &state)
{
    const QString q = QString::fromLatin1(kQueries[state.range(0)]);
    const int limit = int(state.range(1));
    const query::traceql::TraceqlEngine engine(*benchStore());
    qint64 spans = 0, traces = 0, matched = 0;
    for (auto _ : state) {
        query::traceql::SearchRequest req;
        req.query = q;
        req.limit = limit;
        const auto r = engine.search(req);
        if (!r) {
            state.SkipWithError(r.error().toString().toUtf8().constData());
            return;
        }
        spans += r->inspectedSpans;
        traces += r->inspectedTraces;
        matched = r->traces.size();
    }
    state.SetLabel(q.toStdString());
    state.counters["spans_scanned_per_s"] = benchmark::Counter(double(spans), benchmark::Counter::kIsRate);
    state.counters["spans_scanned"] = double(spans) / double(state.iterations());
    state.counters["traces_read"] = double(traces) / double(state.iterations());
    state.counters["matched_traces"] = double(matched);
}

} // namespace

BENCHMARK(BM_TraceqlSearch)
    ->ArgsProduct({{0, 1, 2}, {20}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();
BENCHMARK(BM_TraceqlSearch)
    ->ArgsProduct({{0, 1, 2}, {0}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK_MAIN();
