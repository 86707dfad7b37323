// Trace waterfall costs at 1k, 10k and 100k spans (1M with
// SPYGLASS_BENCH_MILLION=1): row-model build (what runs on the thread pool
// when a trace opens), first paint of a 1400x900 waterfall, paint while
// scrolling (a new offset each iteration), and an in-trace search.
// Google Benchmark, not a CTest test:
//   QT_QPA_PLATFORM=offscreen ./bench_trace_waterfall
#include "app/gui/traces/trace_row_model.h"
#include "app/gui/traces/trace_waterfall_view.h"
#include "tests/app/gui/traces/trace_fixtures.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <benchmark/benchmark.h>
#include <map>

using namespace spyglass;
using namespace spyglass::gui::traces;

namespace {

const QList<model::Span> &spans(int n)
{
    static std::map<int, QList<model::Span>> cache;
    auto it = cache.find(n);
    if (it == cache.end())
        it = cache.emplace(n, fixtures::syntheticTrace(n)).first;
    return it->second;
}

void BM_BuildRowModel(benchmark::State &state)
{
    const QList<model::Span> &input = spans(int(state.range(0)));
    for (auto _ : state) {
        TraceRowModel m = TraceRowModel::build(input);
        benchmark::DoNotOptimize(m.rowCount());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_FirstPaint(benchmark::State &state)
{
    auto model = std::make_shared<TraceRowModel>(TraceRowModel::build(spans(int(state.range(0)))));
    TraceWaterfallView view;
    view.resize(1400, 900);
    view.setModel(model);
    QImage img(view.size(), QImage::Format_ARGB32_Premultiplied);
    for (auto _ : state) {
        view.viewport()->update();
        view.render(&img);
        benchmark::DoNotOptimize(view.lastPaintedRowCount());
    }
    state.counters["rows_painted"] = view.lastPaintedRowCount();
}

void BM_ScrollPaint(benchmark::State &state)
{
    auto model = std::make_shared<TraceRowModel>(TraceRowModel::build(spans(int(state.range(0)))));
    TraceWaterfallView view;
    view.resize(1400, 900);
    view.setModel(model);
    QImage img(view.size(), QImage::Format_ARGB32_Premultiplied);
    view.render(&img);
    QScrollBar *sb = view.verticalScrollBar();
    int offset = 0;
    for (auto _ : state) {
        offset = (offset + 7919 * TraceWaterfallView::kRowHeight) % std::max(1, sb->maximum());
        sb->setValue(offset);
        view.render(&img);
    }
}

void BM_Search(benchmark::State &state)
{
    const TraceRowModel model = TraceRowModel::build(spans(int(state.range(0))));
    for (auto _ : state)
        benchmark::DoNotOptimize(model.search(QStringLiteral("operation 42")).size());
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void sizes(benchmark::internal::Benchmark *b)
{
    b->Arg(1'000)->Arg(10'000)->Arg(100'000);
    if (qEnvironmentVariableIntValue("SPYGLASS_BENCH_MILLION") == 1)
        b->Arg(1'000'000);
    b->Unit(benchmark::kMillisecond);
}

} // namespace

BENCHMARK(BM_BuildRowModel)->Apply(sizes);
BENCHMARK(BM_FirstPaint)->Apply(sizes);
BENCHMARK(BM_ScrollPaint)->Apply(sizes);
BENCHMARK(BM_Search)->Apply(sizes);

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
