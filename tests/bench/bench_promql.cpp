// PromQL engine range queries over the embedded store, on data shaped like
// /work/shared/bench/gen_om.py's (same metric names and label values, so the
// queries of scripts/bench-vs-prometheus apply): 40 % counters
// http_requests_total{service,route,status}, 50 % histogram series
// http_request_duration_seconds_{bucket,count,sum}{service,route[,le]}, the
// rest gauges; 15 s spacing. Queries run over the whole span at step 60,
// starting 7.5 s after the first sample like the side-by-side script.
//
// The store is filled once per process (in a temporary directory), outside
// the timed loops. BM_Query measures the engine alone; BM_QueryJson adds the
// Prometheus JSON encoding, which the HTTP API pays on top.
//
// Run: bench_promql [--benchmark_filter=...]; SPYGLASS_BENCH_SERIES /
// SPYGLASS_BENCH_SAMPLES override the default 1000 x 1000. Not a CTest test.
#include "core/query/promql/engine.h"
#include "core/query/queryable.h"
#include "core/store/storage.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <benchmark/benchmark.h>
#include <cmath>
#include <cstdlib>

using namespace spyglass;

namespace {

constexpr std::int64_t kStartMs = 1699999200000; // gen_om.py's default start
constexpr std::int64_t kIntervalMs = 15000;

int envInt(const char *name, int fallback)
{
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? fallback : v.toInt();
}

int nSeries() { return envInt("SPYGLASS_BENCH_SERIES", 1000); }
int nSamples() { return envInt("SPYGLASS_BENCH_SAMPLES", 1000); }

int poisson(QRandomGenerator &rng, double lam)
{
    if (lam > 30)
        return std::max(0, int(std::lround(lam + std::sqrt(lam) * (rng.generateDouble() * 2 - 1))));
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

QString svc(int i) { return QStringLiteral("svc-%1").arg(i % 20, 2, 10, QLatin1Char('0')); }
QString route(int i) { return QStringLiteral("/api/v1/res%1").arg(i, 4, 10, QLatin1Char('0')); }

// Appends in batches of ~100k samples, as the OpenMetrics importer does.
class Loader
{
public:
    explicit Loader(store::MetricStore &ms) : m_ms(ms) {}
    ~Loader() { flush(); }
    void add(model::Series s)
    {
        m_batch.series.push_back(std::move(s));
        if (m_batch.sampleCount() >= 100000)
            flush();
    }
    void flush()
    {
        if (m_batch.series.isEmpty())
            return;
        if (auto r = m_ms.append(m_batch); !r)
            qFatal("append failed: %s", qPrintable(r.error().toString()));
        m_batch.series.clear();
    }

private:
    store::MetricStore &m_ms;
    store::SampleBatch m_batch;
};

void fill(store::MetricStore &ms, int series, int samples)
{
    QRandomGenerator rng(1);
    Loader load(ms);
    const char *statuses[] = {"200", "201", "404", "500", "503"};
    const int counters = series * 4 / 10;
    const int histograms = series / 2 / 14;
    const int gauges = series - counters - histograms * 14;
    auto ts = [](int i) { return kStartMs + std::int64_t(i) * kIntervalMs; };

    for (int c = 0; c < counters; ++c) {
        const int j = c / 5;
        model::Series s{model::Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                      {QStringLiteral("service"), svc(j)},
                                      {QStringLiteral("route"), route(j / 20)},
                                      {QStringLiteral("status"), QString::fromLatin1(statuses[c % 5])}},
                        {}};
        const double rate = std::exp(rng.generateDouble() * 3 - 1.5) * (c % 5 == 0 ? 1.0 : 0.05);
        double v = std::floor(rng.generateDouble() * rate * 86400);
        for (int i = 0; i < samples; ++i) {
            v = rng.bounded(2000) == 0 ? 0 : v + poisson(rng, rate * 15);
            s.samples.push_back({ts(i), v});
        }
        load.add(std::move(s));
    }

    const double les[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
    const QString leNames[] = {QStringLiteral("0.005"), QStringLiteral("0.01"), QStringLiteral("0.025"),
                               QStringLiteral("0.05"),  QStringLiteral("0.1"),  QStringLiteral("0.25"),
                               QStringLiteral("0.5"),   QStringLiteral("1.0"),  QStringLiteral("2.5"),
                               QStringLiteral("5.0"),   QStringLiteral("10.0"), QStringLiteral("+Inf")};
    for (int h = 0; h < histograms; ++h) {
        const model::Labels base{{QStringLiteral("service"), svc(h)}, {QStringLiteral("route"), route(h / 20)}};
        QList<model::Series> group;
        for (const QString &le : leNames)
            group.push_back({base.with(QStringLiteral("__name__"), QStringLiteral("http_request_duration_seconds_bucket"))
                                 .with(QStringLiteral("le"), le),
                             {}});
        group.push_back({base.with(QStringLiteral("__name__"), QStringLiteral("http_request_duration_seconds_count")), {}});
        group.push_back({base.with(QStringLiteral("__name__"), QStringLiteral("http_request_duration_seconds_sum")), {}});
        const double scale = 0.02 + rng.generateDouble() * 0.2;
        QList<double> cum(12, 0.0);
        double sum = 0;
        for (int i = 0; i < samples; ++i) {
            if (rng.bounded(2000) == 0) {
                cum.fill(0);
                sum = 0;
            }
            const int n = poisson(rng, 5);
            for (int k = 0; k < n; ++k) {
                const double lat = -std::log(1 - rng.generateDouble()) * scale;
                sum += lat;
                for (int b = 0; b < 12; ++b)
                    if (b == 11 || lat <= les[b])
                        cum[b] += 1;
            }
            for (int b = 0; b < 12; ++b)
                group[b].samples.push_back({ts(i), cum[b]});
            group[12].samples.push_back({ts(i), cum[11]});
            group[13].samples.push_back({ts(i), sum});
        }
        for (auto &s : group)
            load.add(std::move(s));
    }

    for (int g = 0; g < gauges; ++g) {
        model::Series s{model::Labels{{QStringLiteral("__name__"), QStringLiteral("node_cpu_temperature_celsius")},
                                      {QStringLiteral("service"), svc(g)},
                                      {QStringLiteral("instance"), QStringLiteral("10.1.0.%1:9100").arg(g)}},
                        {}};
        double v = 35 + rng.bounded(35);
        for (int i = 0; i < samples; ++i) {
            v = std::round((v + rng.generateDouble() - 0.5) * 100) / 100;
            s.samples.push_back({ts(i), v});
        }
        load.add(std::move(s));
    }
}

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<store::Storage> storage;
    std::unique_ptr<query::MetricStoreQueryable> queryable;
    query::promql::Engine engine;
    std::int64_t start = 0;
    std::int64_t end = 0;

    Fixture()
    {
        auto s = store::Storage::open(dir.path());
        if (!s)
            qFatal("cannot open the store: %s", qPrintable(s.error().toString()));
        storage = std::move(*s);
        fill(storage->metrics(), nSeries(), nSamples());
        queryable = std::make_unique<query::MetricStoreQueryable>(storage->metrics());
        start = kStartMs + 7500; // no sample on a window edge
        end = kStartMs + std::int64_t(nSamples() - 1) * kIntervalMs;
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

struct NamedQuery
{
    const char *name;
    const char *expr;
};

// The side-by-side script's queries plus a few that stress other paths.
const NamedQuery kQueries[] = {
    {"sum_rate", "sum by (service) (rate(http_requests_total[5m]))"},
    {"hq99", "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"},
    {"raw_selector", "http_requests_total{service=~\"svc-0[0-4]\"}"},
    {"topk5", "topk(5, rate(http_requests_total[5m]))"},
    {"hq99_by_service",
     "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))"},
    {"err_ratio",
     "sum(rate(http_requests_total{status=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"},
    {"avg_over_time", "avg_over_time(node_cpu_temperature_celsius[10m])"},
};

void setCounters(benchmark::State &state, const query::promql::QueryResult &r)
{
    std::int64_t points = 0;
    for (const auto &s : r.matrix)
        points += s.samples.size();
    state.counters["series"] = double(r.matrix.size());
    state.counters["points"] = double(points);
}

void BM_Query(benchmark::State &state, const char *expr)
{
    Fixture &f = fixture();
    const QString q = QString::fromUtf8(expr);
    query::promql::QueryResult last;
    for (auto _ : state) {
        auto r = f.engine.rangeQuery(*f.queryable, q, f.start, f.end, 60000);
        if (!r) {
            state.SkipWithError(qPrintable(r.error().toString()));
            return;
        }
        last = std::move(*r);
        benchmark::DoNotOptimize(last);
    }
    setCounters(state, last);
}

void BM_QueryJson(benchmark::State &state, const char *expr)
{
    Fixture &f = fixture();
    const QString q = QString::fromUtf8(expr);
    qsizetype bytes = 0;
    for (auto _ : state) {
        auto r = f.engine.rangeQuery(*f.queryable, q, f.start, f.end, 60000);
        if (!r) {
            state.SkipWithError(qPrintable(r.error().toString()));
            return;
        }
        const QByteArray json = query::promql::toPrometheusJson(r);
        bytes = json.size();
        benchmark::DoNotOptimize(json.constData());
    }
    state.counters["json_bytes"] = double(bytes);
}

// The selection alone: label index lookups, no sample reads.
void BM_Select(benchmark::State &state)
{
    Fixture &f = fixture();
    auto m = model::LabelMatcher::create(model::LabelMatcher::Op::RegexMatch, QStringLiteral("service"),
                                         QStringLiteral("svc-0[0-4]"));
    auto n = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                         QStringLiteral("http_requests_total"));
    qsizetype count = 0;
    for (auto _ : state) {
        auto refs = f.queryable->select({*n, *m});
        if (!refs) {
            state.SkipWithError(qPrintable(refs.error().toString()));
            return;
        }
        count = refs->size();
    }
    state.counters["series"] = double(count);
}
BENCHMARK(BM_Select)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    QLoggingCategory::setFilterRules(QStringLiteral("spyglass.store.debug=false"));
    for (const auto &q : kQueries) {
        benchmark::RegisterBenchmark((std::string("BM_Query/") + q.name).c_str(), BM_Query, q.expr)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((std::string("BM_QueryJson/") + q.name).c_str(), BM_QueryJson, q.expr)
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
