// Profiles: 24 hours of 15-second CPU profiles of one service (5,760
// profiles, ~600 distinct stacks each out of a pool of 20,000 stacks over
// 2,000 functions, ~1,500 samples of 10 ms per profile, like a Go service
// sampled at 100 Hz). Measures
//   BM_ProfileWrite   store write throughput (ProfileStore::append, batches of 60 = 15 min)
//   BM_MergeQuery     latency of the merged flame graph of 1 h / 6 h / 24 h through
//                     ProfileQueryEngine::merge (selector -> CallTree)
//   BM_MergeInMemory  the peer: summing the same model::Profiles held in memory by stack
// Google Benchmark: ./bench_profile_merge
#include "core/query/profile/profile_query.h"
#include "core/store/profile_store.h"

#include <QHash>
#include <QTemporaryDir>
#include <benchmark/benchmark.h>
#include <random>

using namespace spyglass;

namespace {

constexpr int kProfiles = 5760;
constexpr std::int64_t kStep = 15'000'000'000LL;
constexpr model::TimestampNs kBase = 1'700'000'000'000'000'000;
const QString kType = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

struct Data
{
    QList<QString> functions;
    QList<QList<std::uint32_t>> stacks; // leaf first
    QList<model::Profile> profiles;
};

const Data &data()
{
    static const Data d = [] {
        Data d;
        std::mt19937_64 rng(42);
        for (int i = 0; i < 2000; ++i)
            d.functions.push_back(QStringLiteral("github.com/acme/shop/pkg%1.(*Type%2).Method%3")
                                      .arg(i % 40)
                                      .arg(i % 17)
                                      .arg(i));
        // Stacks as paths in a random call tree: each new stack extends a
        // prefix of an earlier one, so they share roots like real ones.
        QList<QList<std::uint32_t>> rootFirst;
        rootFirst.push_back({0, 1, 2});
        std::uniform_int_distribution<int> fn(3, 1999);
        for (int i = 1; i < 20'000; ++i) {
            const QList<std::uint32_t> &base = rootFirst[qsizetype(rng() % std::uint64_t(rootFirst.size()))];
            const int keep = std::max<int>(2, int(rng() % std::uint64_t(base.size() + 1)));
            QList<std::uint32_t> s = base.mid(0, std::min<qsizetype>(keep, base.size()));
            const int extra = 1 + int(rng() % 6);
            for (int k = 0; k < extra && s.size() < 40; ++k)
                s.push_back(std::uint32_t(fn(rng)));
            rootFirst.push_back(s);
        }
        for (const auto &s : rootFirst)
            d.stacks.push_back(QList<std::uint32_t>(s.crbegin(), s.crend()));
        // Zipf-like popularity: a few hot stacks, a long tail.
        std::vector<double> weights(d.stacks.size());
        for (std::size_t i = 0; i < weights.size(); ++i)
            weights[i] = 1.0 / double(i + 10);
        std::discrete_distribution<int> pick(weights.begin(), weights.end());
        for (int p = 0; p < kProfiles; ++p) {
            model::Profile prof;
            prof.typeId = kType;
            prof.labels = model::Labels{{QStringLiteral("service_name"), QStringLiteral("shop")}};
            prof.time = kBase + p * kStep;
            prof.durationNs = kStep;
            prof.period = 10'000'000;
            prof.functionNames = d.functions;
            QHash<int, std::int64_t> counts;
            for (int s = 0; s < 1500; ++s)
                counts[pick(rng)] += 10'000'000;
            for (auto it = counts.cbegin(); it != counts.cend(); ++it)
                prof.stacks.push_back({d.stacks[it.key()], it.value(), {}});
            d.profiles.push_back(std::move(prof));
        }
        return d;
    }();
    return d;
}

struct StoreFixture
{
    QTemporaryDir dir;
    std::unique_ptr<store::ProfileStore> store;
};

StoreFixture &filledStore()
{
    static StoreFixture f = [] {
        StoreFixture f;
        auto s = store::ProfileStore::open(f.dir.filePath(QStringLiteral("profiles.db")));
        if (!s)
            qFatal("%s", qPrintable(s.error().toString()));
        const Data &d = data();
        for (int i = 0; i < kProfiles; i += 60)
            if (auto r = (*s)->append(d.profiles.mid(i, 60)); !r)
                qFatal("%s", qPrintable(r.error().toString()));
        f.store = std::move(*s);
        return f;
    }();
    return f;
}

void BM_ProfileWrite(benchmark::State &state)
{
    const Data &d = data();
    qint64 profiles = 0, entries = 0;
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir dir;
        auto s = store::ProfileStore::open(dir.filePath(QStringLiteral("profiles.db")));
        if (!s) {
            state.SkipWithError(s.error().toString().toUtf8().constData());
            return;
        }
        state.ResumeTiming();
        for (int i = 0; i < kProfiles; i += 60) {
            const auto r = (*s)->append(d.profiles.mid(i, 60));
            if (!r) {
                state.SkipWithError(r.error().toString().toUtf8().constData());
                return;
            }
            profiles += r->profiles;
            entries += r->entries;
        }
        state.PauseTiming();
        if (const auto st = (*s)->stats())
            state.counters["bytes_per_entry"] = double(st->dataBytes) / double(entries);
        s->reset();
        state.ResumeTiming();
    }
    state.counters["profiles_per_s"] = benchmark::Counter(double(profiles), benchmark::Counter::kIsRate);
    state.counters["entries_per_s"] = benchmark::Counter(double(entries), benchmark::Counter::kIsRate);
}

void BM_MergeQuery(benchmark::State &state)
{
    const int hours = int(state.range(0));
    store::ProfileStore &s = *filledStore().store;
    const query::profile::ProfileQueryEngine engine(s);
    const auto selector = query::profile::ProfileSelector::parse(kType + QStringLiteral("{service_name=\"shop\"}"));
    const model::TimestampNs to = kBase + kProfiles * kStep - 1;
    const model::TimestampNs from = to - hours * 3600LL * 1'000'000'000 + 1;
    qint64 nodes = 0;
    for (auto _ : state) {
        const auto tree = engine.merge(*selector, from, to);
        if (!tree) {
            state.SkipWithError(tree.error().toString().toUtf8().constData());
            return;
        }
        nodes = tree->size();
        benchmark::DoNotOptimize(tree->total());
    }
    state.counters["profiles"] = double(hours * 240);
    state.counters["tree_nodes"] = double(nodes);
}

void BM_MergeInMemory(benchmark::State &state)
{
    const int hours = int(state.range(0));
    const Data &d = data();
    const qsizetype n = hours * 240;
    for (auto _ : state) {
        QHash<QList<std::uint32_t>, std::int64_t> sums;
        for (qsizetype i = d.profiles.size() - n; i < d.profiles.size(); ++i)
            for (const model::Profile::Stack &st : d.profiles[i].stacks)
                sums[st.functions] += st.value;
        benchmark::DoNotOptimize(sums.size());
    }
    state.counters["profiles"] = double(n);
}

} // namespace

BENCHMARK(BM_ProfileWrite)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_MergeQuery)->Arg(1)->Arg(6)->Arg(24)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_MergeInMemory)->Arg(1)->Arg(6)->Arg(24)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK_MAIN();
