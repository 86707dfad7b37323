// Log store + LogQL benchmark driver for scripts/bench-logs, which runs the
// peers (grep -F, zstdcat | grep -F, zstd -3) in the same run and prints
// the ratios. Commands:
//   bench_logs generate OUT LINES          logfmt lines, deterministic
//   bench_logs import RAW DIR              one line -> one record (time from its index)
//   bench_logs query DIR EXPR [REPEAT]     median wall time of a LogQL query over all data
//   bench_logs lab DATADIR MINUTES         backfill the lab demo system into a data directory
//                                          (through the store directly; for screenshots)
// Every command prints `key=value` lines the script parses.

#include "core/ingest/storage_sink.h"
#include "core/lab/lab.h"
#include "core/query/logql/engine.h"
#include "core/store/storage.h"
#include "core/store/log_store.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QString>
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <random>
#include <vector>

using namespace spyglass;

namespace {

constexpr model::TimestampNs kStart = 1'767'225'600LL * 1'000'000'000; // 2026-01-01
constexpr std::int64_t kStepNs = 2'000'000; // one line every 2 ms, spread over 4 pods
constexpr int kPods = 4;

int generate(const char *out, long long lines)
{
    FILE *f = std::fopen(out, "wb");
    if (!f) {
        std::fprintf(stderr, "cannot write %s\n", out);
        return 1;
    }
    std::mt19937_64 rng(42);
    static const char *levels[] = {"info", "info", "info", "info", "info", "info", "debug", "warn", "warn", "error"};
    static const char *methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
    static const char *paths[] = {"/api/cart", "/api/checkout", "/api/products", "/api/users/login", "/healthz",
                                  "/api/recommendations"};
    static const char *msgs[] = {"request served", "request served", "cache miss", "upstream slow",
                                 "retrying upstream call", "payment declined"};
    char buf[512];
    for (long long i = 0; i < lines; ++i) {
        const auto r = rng();
        const model::TimestampNs t = kStart + i * kStepNs;
        const long long secs = t / 1'000'000'000;
        const int ms = int((t / 1'000'000) % 1000);
        // About one line in 5000 carries the needle.
        const bool needle = (r >> 40) % 5000 == 0;
        const int n = std::snprintf(
            buf, sizeof buf,
            "ts=%lld.%03d level=%s method=%s path=%s status=%d duration=%.1fms bytes=%u traceID=%016llx "
            "user=u%05u msg=\"%s%s\"\n",
            secs, ms, levels[r % 10], methods[(r >> 8) % 6], paths[(r >> 16) % 6],
            (r % 10) == 9 ? 500 : ((r >> 20) % 20 == 0 ? 404 : 200), double((r >> 24) % 3000) / 10.0,
            unsigned((r >> 32) % 65536), (unsigned long long)(r * 0x9E3779B97F4A7C15ULL), unsigned((r >> 44) % 20000),
            msgs[(r >> 50) % 6], needle ? " needle" : "");
        std::fwrite(buf, 1, size_t(n), f);
    }
    std::fclose(f);
    std::printf("lines=%lld\n", lines);
    return 0;
}

int import(const char *raw, const char *dir)
{
    QFile in(QString::fromLocal8Bit(raw));
    if (!in.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", raw);
        return 1;
    }
    QDir().mkpath(QString::fromLocal8Bit(dir));
    auto store = store::LogStore::open(QString::fromLocal8Bit(dir) + QStringLiteral("/logs.db"));
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error().message));
        return 1;
    }
    QList<model::Labels> streams;
    for (int p = 0; p < kPods; ++p)
        streams.append({{QStringLiteral("job"), QStringLiteral("x")},
                        {QStringLiteral("pod"), QStringLiteral("pod-%1").arg(p)}});
    QElapsedTimer timer;
    timer.start();
    long long i = 0, rawBytes = 0;
    QList<model::LogRecord> batch;
    batch.reserve(50000);
    auto flush = [&]() -> bool {
        auto r = (*store)->append(batch);
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return false;
        }
        batch.clear();
        return true;
    };
    while (!in.atEnd()) {
        QByteArray line = in.readLine();
        rawBytes += line.size();
        if (line.endsWith('\n'))
            line.chop(1);
        model::LogRecord rec;
        rec.time = kStart + i * kStepNs;
        rec.line = QString::fromUtf8(line);
        rec.stream = streams[int(i % kPods)];
        batch.append(std::move(rec));
        ++i;
        if (batch.size() == 50000 && !flush())
            return 1;
    }
    if (!batch.isEmpty() && !flush())
        return 1;
    const double secs = double(timer.nsecsElapsed()) / 1e9;
    const auto st = (*store)->stats();
    if (!st) {
        std::fprintf(stderr, "%s\n", qPrintable(st.error().message));
        return 1;
    }
    std::printf("lines=%lld\nraw_bytes=%lld\nimport_seconds=%.3f\nimport_lines_per_s=%.0f\n", i, rawBytes, secs,
                double(i) / secs);
    std::printf("store_file_bytes=%lld\nstore_chunk_bytes=%lld\nstore_raw_entry_bytes=%lld\nchunks=%lld\n",
                (long long)st->fileBytes, (long long)st->chunkBytes, (long long)st->rawBytes, (long long)st->chunks);
    return 0;
}

int runQuery(const char *dir, const char *expr, int repeat)
{
    auto store = store::LogStore::open(QString::fromLocal8Bit(dir) + QStringLiteral("/logs.db"));
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error().message));
        return 1;
    }
    const auto st = (*store)->stats();
    if (!st)
        return 1;
    query::logql::LogqlEngine engine(**store);
    query::logql::LogqlQuery q;
    q.expr = QString::fromUtf8(expr);
    q.start = st->minTime;
    q.end = st->maxTime + 1;
    q.stepNs = 60LL * 1'000'000'000;
    q.limit = 1'000'000'000; // every match, as grep prints every match
    q.direction = store::LogDirection::Forward;
    std::vector<double> times, cpu;
    query::logql::LogqlResult last;
    for (int k = 0; k < repeat; ++k) {
        QElapsedTimer timer;
        timer.start();
        // CPU time too: on a shared, overloaded machine wall time mostly
        // measures waiting for a core.
        const std::clock_t c0 = std::clock();
        auto r = engine.exec(q);
        if (!r) {
            std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
            return 1;
        }
        times.push_back(double(timer.nsecsElapsed()) / 1e9);
        cpu.push_back(double(std::clock() - c0) / CLOCKS_PER_SEC);
        last = std::move(*r);
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    long long lines = 0;
    for (const auto &s : last.streams)
        lines += s.entries.size();
    std::printf("seconds=%.4f\nresult_lines=%lld\nresult_series=%lld\nlines_scanned=%lld\nbytes_scanned=%lld\n",
                times[times.size() / 2], lines, (long long)last.series.size(), (long long)last.stats.linesScanned,
                (long long)last.stats.bytesScanned);
    std::printf("cpu_seconds=%.4f\n", cpu[cpu.size() / 2]);
    if (last.stats.linesScanned > 0)
        std::printf("lines_per_s=%.0f\nlines_per_cpu_s=%.0f\n", double(last.stats.linesScanned) / times[times.size() / 2],
                    double(last.stats.linesScanned) / std::max(1e-9, cpu[cpu.size() / 2]));
    return 0;
}

int labBackfill(const char *dataDir, int minutes)
{
    auto storage = store::Storage::open(QString::fromLocal8Bit(dataDir));
    if (!storage) {
        std::fprintf(stderr, "%s\n", qPrintable(storage.error().message));
        return 1;
    }
    // Calls go to StorageSink non-virtually: this build's StorageSink vtable
    // crashed on appendExemplars (reported), and a screenshot needs no exemplars.
    struct Sink : ingest::IngestSink
    {
        ingest::StorageSink inner;
        explicit Sink(store::Storage &s) : inner(s) {}
        Result<ingest::AppendCounts> appendSamples(const QList<model::Series> &v) override
        {
            return inner.ingest::StorageSink::appendSamples(v);
        }
        Result<ingest::AppendCounts> appendLogs(const QList<model::LogRecord> &v) override
        {
            return inner.ingest::StorageSink::appendLogs(v);
        }
        Result<ingest::AppendCounts> appendSpans(const QList<model::Span> &v) override
        {
            return inner.ingest::StorageSink::appendSpans(v);
        }
        Result<ingest::AppendCounts> appendProfiles(const QList<model::Profile> &v) override
        {
            return inner.ingest::StorageSink::appendProfiles(v);
        }
        Result<ingest::AppendCounts> appendExemplars(const QList<store::SeriesExemplar> &) override
        {
            return ingest::AppendCounts{};
        }
    } sink(**storage);
    lab::Lab lab(sink);
    auto r = lab.backfill(std::chrono::minutes(minutes));
    if (!r) {
        std::fprintf(stderr, "%s\n", qPrintable(r.error().message));
        return 1;
    }
    std::printf("backfilled=%d minutes\n", minutes);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    const QString cmd = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (cmd == u"generate" && argc == 4)
        return generate(argv[2], std::atoll(argv[3]));
    if (cmd == u"import" && argc == 4)
        return import(argv[2], argv[3]);
    if (cmd == u"query" && (argc == 4 || argc == 5))
        return runQuery(argv[2], argv[3], argc == 5 ? std::max(1, std::atoi(argv[4])) : 3);
    if (cmd == u"lab" && argc == 4)
        return labBackfill(argv[2], std::atoi(argv[3]));
    std::fprintf(stderr,
                 "usage: bench_logs generate OUT LINES | import RAW DIR | query DIR EXPR [REPEAT]\n");
    return 2;
}
