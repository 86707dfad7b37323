// Store throughput and size on gen_om.py-like data (see
// /work/shared/bench/README.md): 40 % counters with Poisson increments and
// rare resets, 50 % histogram series (12 cumulative buckets + _count +
// _sum), 10 % gauges (memory in 4 KiB pages, temperatures with 2 decimals),
// 15 s spacing. Reports bytes per sample on disk and in chunks, and what
// zstd would save on top of the XOR encoding.
//
// Run: bench_store [--benchmark_filter=...]; SPYGLASS_BENCH_SERIES /
// SPYGLASS_BENCH_SAMPLES override the default 1000 x 1000.
#include "core/store/storage.h"
#include "core/store/xor_chunk.h"

#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <benchmark/benchmark.h>
#include <cmath>
#include <zstd.h>

using namespace spyglass;
using namespace spyglass::store;

namespace {

int envInt(const char *name, int fallback)
{
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? fallback : v.toInt();
}

int poisson(QRandomGenerator &rng, double lam)
{
    const double l = std::exp(-lam);
    int k = 0;
    double p = 1;
    for (;;) {
        p *= rng.generateDouble();
        if (p <= l)
            return k;
        ++k;
    }
}

QList<model::Series> generate(int nSeries, int nSamples)
{
    QRandomGenerator rng(1);
    const std::int64_t t0 = 1699999200000;
    auto ts = [&](int i) { return t0 + std::int64_t(i) * 15000; };
    QList<model::Series> out;
    const int counters = nSeries * 4 / 10;
    const int histograms = nSeries / 2 / 14;
    const QString les[] = {QStringLiteral("0.005"), QStringLiteral("0.01"), QStringLiteral("0.025"),
                           QStringLiteral("0.05"),  QStringLiteral("0.1"),  QStringLiteral("0.25"),
                           QStringLiteral("0.5"),   QStringLiteral("1.0"),  QStringLiteral("2.5"),
                           QStringLiteral("5.0"),   QStringLiteral("10.0"), QStringLiteral("+Inf")};
    for (int c = 0; c < counters; ++c) {
        model::Series s{
            model::Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                          {QStringLiteral("service"), QStringLiteral("svc-%1").arg(c % 20)},
                          {QStringLiteral("route"), QStringLiteral("/api/r%1").arg(c / 100)},
                          {QStringLiteral("status"), QString::number(200 + c % 5)},
                          {QStringLiteral("i"), QString::number(c)}},
            {}};
        double v = 0;
        const double lam = 1 + rng.bounded(20);
        for (int i = 0; i < nSamples; ++i) {
            v = rng.bounded(2000) == 0 ? 0 : v + poisson(rng, lam);
            s.samples.push_back({ts(i), v});
        }
        out.push_back(std::move(s));
    }
    for (int h = 0; h < histograms; ++h) {
        const model::Labels base{{QStringLiteral("service"), QStringLiteral("svc-%1").arg(h % 20)},
                                 {QStringLiteral("route"), QStringLiteral("/api/h%1").arg(h)}};
        QList<model::Series> group;
        for (const auto &le : les)
            group.push_back({base.with(QStringLiteral("__name__"),
                                       QStringLiteral("http_request_duration_seconds_bucket"))
                                 .with(QStringLiteral("le"), le),
                             {}});
        group.push_back({base.with(QStringLiteral("__name__"),
                                   QStringLiteral("http_request_duration_seconds_count")),
                         {}});
        group.push_back({base.with(QStringLiteral("__name__"),
                                   QStringLiteral("http_request_duration_seconds_sum")),
                         {}});
        QList<double> cum(12, 0.0);
        double sum = 0;
        for (int i = 0; i < nSamples; ++i) {
            if (rng.bounded(2000) == 0) {
                cum.fill(0);
                sum = 0;
            }
            const int n = poisson(rng, 5);
            for (int k = 0; k < n; ++k) {
                const double lat = -std::log(1 - rng.generateDouble()) * 0.2;
                sum += lat;
                for (int b = 0; b < 12; ++b)
                    if (b == 11 || lat <= les[b].toDouble())
                        cum[b] += 1;
            }
            for (int b = 0; b < 12; ++b)
                group[b].samples.push_back({ts(i), cum[b]});
            group[12].samples.push_back({ts(i), cum[11]});
            group[13].samples.push_back({ts(i), sum});
        }
        out.append(group);
    }
    for (int g = 0; out.size() < nSeries; ++g) {
        const bool mem = g % 2 == 0;
        model::Series s{
            model::Labels{
                {QStringLiteral("__name__"), mem ? QStringLiteral("process_resident_memory_bytes")
                                                 : QStringLiteral("node_cpu_temperature_celsius")},
                {QStringLiteral("service"), QStringLiteral("svc-%1").arg(g % 20)},
                {QStringLiteral("instance"), QStringLiteral("host-%1:9100").arg(g)}},
            {}};
        double v = mem ? 4096.0 * (20000 + rng.bounded(50000)) : 40 + rng.bounded(20);
        for (int i = 0; i < nSamples; ++i) {
            if (mem)
                v += 4096.0 * (int(rng.bounded(201)) - 100);
            else
                v = std::round((v + (rng.generateDouble() - 0.5)) * 100) / 100;
            s.samples.push_back({ts(i), v});
        }
        out.push_back(std::move(s));
    }
    return out;
}

// Just enough of the text format to read gen_om.py's output (no escapes,
// timestamps in seconds), so the figures compare with promtool's import of
// the same file. The real importer lives in core/formats.
QList<model::Series> loadGenOm(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(path));
    QHash<QByteArray, qsizetype> index;
    QList<model::Series> out;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype close = line.lastIndexOf('}');
        const qsizetype sp = line.indexOf(' ', close < 0 ? 0 : close);
        const QByteArray key = line.left(sp);
        const QList<QByteArray> rest = line.mid(sp + 1).split(' ');
        const model::Sample sample{std::int64_t(rest.value(1).toDouble() * 1000),
                                   rest.value(0).toDouble()};
        auto it = index.constFind(key);
        if (it != index.cend()) {
            out[*it].samples.push_back(sample);
            continue;
        }
        const qsizetype open = key.indexOf('{');
        QList<model::Label> labels{{QStringLiteral("__name__"),
                                    QString::fromUtf8(key.left(open < 0 ? key.size() : open))}};
        if (open >= 0) {
            for (const QByteArray &kv : key.mid(open + 1, key.size() - open - 2).split(',')) {
                const qsizetype eq = kv.indexOf('=');
                labels.push_back({QString::fromUtf8(kv.left(eq)),
                                  QString::fromUtf8(kv.mid(eq + 2, kv.size() - eq - 3))});
            }
        }
        index.insert(key, out.size());
        out.push_back({model::Labels(labels), {sample}});
    }
    return out;
}

const QList<model::Series> &data()
{
    // SPYGLASS_BENCH_OM=file.om: use gen_om.py's output instead of the
    // built-in generator.
    static const QList<model::Series> d = qEnvironmentVariableIsSet("SPYGLASS_BENCH_OM")
                                              ? loadGenOm(qEnvironmentVariable("SPYGLASS_BENCH_OM"))
                                              : generate(envInt("SPYGLASS_BENCH_SERIES", 1000),
                                                         envInt("SPYGLASS_BENCH_SAMPLES", 1000));
    return d;
}

std::int64_t totalSamples()
{
    std::int64_t n = 0;
    for (const auto &s : data())
        n += s.samples.size();
    return n;
}

// Import like the OpenMetrics importer does: whole series, batches of ~100k samples.
void importAll(MetricStore &ms)
{
    SampleBatch b;
    for (const auto &s : data()) {
        b.series.push_back(s);
        if (b.sampleCount() >= 100000) {
            if (!ms.append(b))
                std::abort();
            b.series.clear();
        }
    }
    if (!b.series.isEmpty() && !ms.append(b))
        std::abort();
}

void BM_Import(benchmark::State &state)
{
    MetricStoreStats st;
    for (auto _ : state) {
        QTemporaryDir dir;
        auto s = Storage::open(dir.path());
        importAll((*s)->metrics());
        st = *(*s)->metrics().stats();
    }
    const double n = double(totalSamples());
    state.counters["samples/s"] =
        benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["file_bytes/sample"] = double(st.fileBytes) / n;
    state.counters["chunk_bytes/sample"] = double(st.chunkBytes) / n;
    state.counters["chunks"] = double(st.chunks);
}
BENCHMARK(BM_Import)->Unit(benchmark::kMillisecond)->Iterations(1);

// Size after the store is closed (WAL checkpointed into the database file).
void BM_SizeAfterClose(benchmark::State &state)
{
    qint64 bytes = 0;
    for (auto _ : state) {
        QTemporaryDir tmp;
        // SPYGLASS_BENCH_KEEP_DIR keeps the database for inspection (sqlite3 + dbstat).
        const QString keep = qEnvironmentVariable("SPYGLASS_BENCH_KEEP_DIR");
        const QString dir = keep.isEmpty() ? tmp.path() : keep;
        {
            auto s = Storage::open(dir);
            importAll((*s)->metrics());
        }
        bytes = QFileInfo(dir + QStringLiteral("/spyglass.db")).size();
    }
    state.counters["db_bytes/sample"] = double(bytes) / double(totalSamples());
}
BENCHMARK(BM_SizeAfterClose)->Unit(benchmark::kMillisecond)->Iterations(1);

// Scrape-like ingestion: every series gets one sample per append.
void BM_ScrapeAppend(benchmark::State &state)
{
    QTemporaryDir dir;
    auto s = Storage::open(dir.path());
    MetricStore &ms = (*s)->metrics();
    const int nSeries = int(state.range(0));
    int i = 0;
    for (auto _ : state) {
        SampleBatch b;
        for (int k = 0; k < nSeries; ++k)
            b.series.push_back(
                {data()[k].labels, {data()[k].samples[i % data()[k].samples.size()]}});
        ++i;
        if (!ms.append(b))
            std::abort();
    }
    state.counters["samples/s"] =
        benchmark::Counter(double(state.iterations()) * nSeries, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScrapeAppend)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(200);

void BM_ReadAll(benchmark::State &state)
{
    QTemporaryDir dir;
    auto s = Storage::open(dir.path());
    MetricStore &ms = (*s)->metrics();
    importAll(ms);
    auto refs = ms.select({*model::LabelMatcher::create(
        model::LabelMatcher::Op::RegexMatch, QStringLiteral("__name__"), QStringLiteral(".+"))});
    std::int64_t n = 0;
    for (auto _ : state) {
        for (const auto &r : *refs)
            n += ms.samples(r.id, 0, std::numeric_limits<std::int64_t>::max())->size();
    }
    state.counters["samples/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ReadAll)->Unit(benchmark::kMillisecond);

// One hour (240 samples) out of every series: the dashboard case.
void BM_ReadWindow(benchmark::State &state)
{
    QTemporaryDir dir;
    auto s = Storage::open(dir.path());
    MetricStore &ms = (*s)->metrics();
    importAll(ms);
    auto refs = ms.select(
        {*model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                      QStringLiteral("http_requests_total"))});
    const std::int64_t mint = 1699999200000 + 500 * 15000LL;
    std::int64_t n = 0;
    for (auto _ : state)
        for (const auto &r : *refs)
            n += ms.samples(r.id, mint, mint + 3600000)->size();
    state.counters["samples/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsRate);
    state.counters["series"] = double(refs->size());
}
BENCHMARK(BM_ReadWindow)->Unit(benchmark::kMillisecond);

// Would zstd pay on top of XOR? Per chunk (how the store could apply it)
// and per series (all its chunks as one frame), at level 3 and 19.
void BM_ZstdGain(benchmark::State &state)
{
    std::int64_t xorBytes = 0, perChunk3 = 0, perChunkBest = 0, perSeries3 = 0;
    for (auto _ : state) {
        xorBytes = perChunk3 = perChunkBest = perSeries3 = 0;
        for (const auto &s : data()) {
            QByteArray all;
            for (const QByteArray &c : encodeXorChunks(s.samples)) {
                xorBytes += c.size();
                all += c;
                QByteArray out(qsizetype(ZSTD_compressBound(size_t(c.size()))), Qt::Uninitialized);
                const size_t z3 = ZSTD_compress(out.data(), size_t(out.size()), c.constData(),
                                                size_t(c.size()), 3);
                const size_t z19 = ZSTD_compress(out.data(), size_t(out.size()), c.constData(),
                                                 size_t(c.size()), 19);
                // The store would keep the smaller of XOR and zstd(XOR).
                perChunk3 += std::min<std::int64_t>(c.size(), std::int64_t(z3));
                perChunkBest += std::min<std::int64_t>(c.size(), std::int64_t(z19));
            }
            QByteArray out(qsizetype(ZSTD_compressBound(size_t(all.size()))), Qt::Uninitialized);
            perSeries3 += std::int64_t(ZSTD_compress(out.data(), size_t(out.size()),
                                                     all.constData(), size_t(all.size()), 3));
        }
    }
    const double n = double(totalSamples());
    state.counters["xor_bytes/sample"] = double(xorBytes) / n;
    state.counters["zstd3_chunk_bytes/sample"] = double(perChunk3) / n;
    state.counters["zstd19_chunk_bytes/sample"] = double(perChunkBest) / n;
    state.counters["zstd3_series_bytes/sample"] = double(perSeries3) / n;
}
BENCHMARK(BM_ZstdGain)->Unit(benchmark::kMillisecond)->Iterations(1);

} // namespace

int main(int argc, char **argv)
{
    QLoggingCategory::setFilterRules(QStringLiteral("spyglass.store.debug=false"));
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
