// Span ingest through the store: SpanStore::append of synthetic traces
// (10 spans each, bench_trace_spans.h) into a fresh traces.db, in batches
// of 100, 1,000 and 10,000 spans (a receiver's batch sizes), each batch
// one durable transaction. Reports spans/s. Google Benchmark:
//   ./bench_span_ingest [--benchmark_filter=...]
// SPYGLASS_BENCH_SPANS sets the spans written per run (default 200,000).
#include "core/store/span_store.h"
#include "tests/bench/bench_trace_spans.h"

#include <QTemporaryDir>
#include <benchmark/benchmark.h>

using namespace spyglass;

namespace {

qint64 spansPerRun()
{
    const qint64 n = qEnvironmentVariableIntValue("SPYGLASS_BENCH_SPANS");
    return n > 0 ? n : 200'000;
}

void BM_SpanAppend(benchmark::State &state)
{
    const int batchSpans = int(state.range(0));
    const qint64 total = spansPerRun();
    // Batches built before timing: the figure is the store's, not the generator's.
    QList<QList<model::Span>> batches;
    quint64 t = 0;
    for (qint64 written = 0; written < total; written += batchSpans) {
        QList<model::Span> batch;
        batch.reserve(batchSpans);
        while (batch.size() < batchSpans)
            batch += bench::benchTrace(t++);
        batches.push_back(std::move(batch));
    }
    qint64 spans = 0;
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir dir;
        auto store = store::SpanStore::open(dir.filePath(QStringLiteral("traces.db")));
        if (!store) {
            state.SkipWithError(store.error().toString().toUtf8().constData());
            return;
        }
        state.ResumeTiming();
        for (const QList<model::Span> &batch : batches) {
            const auto r = (*store)->append(batch);
            if (!r) {
                state.SkipWithError(r.error().toString().toUtf8().constData());
                return;
            }
            spans += r->spans;
        }
        state.PauseTiming();
        const auto stats = (*store)->stats();
        if (stats)
            state.counters["bytes_per_span"] = double(stats->fileBytes) / double(stats->spans);
        store->reset();
        state.ResumeTiming();
    }
    state.counters["spans_per_s"] = benchmark::Counter(double(spans), benchmark::Counter::kIsRate);
    state.counters["batches"] = double(batches.size());
}

} // namespace

BENCHMARK(BM_SpanAppend)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

BENCHMARK_MAIN();
