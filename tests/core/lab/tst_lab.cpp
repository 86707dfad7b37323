#include "core/ingest/ingest_sink.h"
#include "core/ingest/span_metrics_generator.h"
#include "core/ingest/storage_sink.h"
#include "core/lab/lab.h"
#include "core/lab/lab_simulator.h"
#include "core/model/label_matcher.h"
#include "core/query/promql/engine.h"
#include "core/query/queryable.h"
#include "core/store/storage.h"

#include <QMap>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <mutex>

using namespace spyglass;
using lab::Lab;
using lab::LabBatch;
using lab::LabFaults;
using lab::LabOptions;
using lab::LabSimulator;
using model::Span;

namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kNsPerMs = 1'000'000;
// A fixed, scrape-aligned start (2023-11-14T22:13:00Z) so tests do not depend on the clock.
constexpr std::int64_t kT0 = 1'700'000'000LL * kNsPerS - 20 * kNsPerS;

// Runs a simulator for `seconds` in 1 s ticks and concatenates its output.
LabBatch runFor(LabSimulator &sim, int seconds)
{
    LabBatch all;
    sim.setClock(kT0);
    QMap<model::Labels, qsizetype> seriesIndex;
    for (int i = 1; i <= seconds; ++i) {
        LabBatch b = sim.step(kT0 + i * kNsPerS);
        all.spans += b.spans;
        // One entry per label set across batches, as in a store.
        for (const auto &s : b.series) {
            const auto it = seriesIndex.constFind(s.labels);
            if (it == seriesIndex.cend()) {
                seriesIndex.insert(s.labels, all.series.size());
                all.series.append(s);
            } else {
                all.series[*it].samples += s.samples;
            }
        }
        all.logs += b.logs;
        all.profiles += b.profiles;
        all.scrapeTimes += b.scrapeTimes;
        all.requests += b.requests;
    }
    return all;
}

QString attr(const Span &s, const char *key)
{
    for (const auto &a : s.attributes)
        if (a.key == QLatin1String(key))
            return a.value.toString();
    return {};
}

// The value of `name` summed over all series at scrape `t`.
double sumAt(const LabBatch &b, const QString &name, model::TimestampMs t)
{
    double sum = 0;
    for (const auto &s : b.series)
        if (s.labels.metricName() == name)
            for (const auto &p : s.samples)
                if (p.t == t)
                    sum += p.v;
    return sum;
}

// Records what the Lab delivers, in memory.
class MemorySink : public ingest::IngestSink
{
public:
    Result<ingest::AppendCounts> appendSamples(const QList<model::Series> &s) override
    {
        std::lock_guard l(m);
        samples += s.size();
        return ingest::AppendCounts{s.size(), 0, {}};
    }
    Result<ingest::AppendCounts> appendLogs(const QList<model::LogRecord> &r) override
    {
        std::lock_guard l(m);
        logs += r.size();
        return ingest::AppendCounts{r.size(), 0, {}};
    }
    Result<ingest::AppendCounts> appendSpans(const QList<Span> &s) override
    {
        std::lock_guard l(m);
        if (failSpans)
            return std::unexpected(Error{Error::Kind::Unavailable, QStringLiteral("span store is busy"), {}, 0, 0});
        spans += s.size();
        return ingest::AppendCounts{s.size(), 0, {}};
    }
    Result<ingest::AppendCounts> appendProfiles(const QList<model::Profile> &p) override
    {
        std::lock_guard l(m);
        profiles += p.size();
        return ingest::AppendCounts{p.size(), 0, {}};
    }
    std::mutex m;
    bool failSpans = false;
    std::int64_t samples = 0, logs = 0, spans = 0, profiles = 0;
};

} // namespace

class TestLab : public QObject
{
    Q_OBJECT
private slots:
    void deterministicWithSeed();
    void tracesAreWellFormed();
    void metricsCountServerSpans();
    void logsCarryTraceIds();
    void postErrorsCorrelateWithVersion();
    void profilesMatchEndpoints();
    void faults();
    void backfillIntoStorageAndQuery();
    void startStopIsClean();
    void sinkErrorsAreReported();
};

void TestLab::deterministicWithSeed()
{
    LabOptions o;
    o.seed = 42;
    LabSimulator a(o), b(o);
    const LabBatch x = runFor(a, 60), y = runFor(b, 60);
    QVERIFY(x.requests > 100);
    QCOMPARE(x.requests, y.requests);
    QCOMPARE(x.spans.size(), y.spans.size());
    for (qsizetype i = 0; i < x.spans.size(); ++i) {
        QCOMPARE(x.spans[i].traceId, y.spans[i].traceId);
        QCOMPARE(x.spans[i].spanId, y.spans[i].spanId);
        QCOMPARE(x.spans[i].start, y.spans[i].start);
        QCOMPARE(x.spans[i].end, y.spans[i].end);
        QCOMPARE(x.spans[i].name, y.spans[i].name);
    }
    QCOMPARE(x.logs.size(), y.logs.size());
    for (qsizetype i = 0; i < x.logs.size(); ++i)
        QCOMPARE(x.logs[i].line, y.logs[i].line);
    QCOMPARE(x.series.size(), y.series.size());
    for (qsizetype i = 0; i < x.series.size(); ++i) {
        QCOMPARE(x.series[i].labels, y.series[i].labels);
        QCOMPARE(x.series[i].samples.size(), y.series[i].samples.size());
        QCOMPARE(x.series[i].samples.back().v, y.series[i].samples.back().v);
    }

    o.seed = 43;
    LabSimulator c(o);
    const LabBatch z = runFor(c, 60);
    QVERIFY(!z.spans.isEmpty());
    QVERIFY(z.spans.front().traceId != x.spans.front().traceId);
}

void TestLab::tracesAreWellFormed()
{
    LabSimulator sim;
    const LabBatch b = runFor(sim, 120);
    QVERIFY(b.requests > 200);
    QHash<QByteArray, QList<Span>> traces;
    for (const auto &s : b.spans) {
        QCOMPARE(s.traceId.size(), 16);
        QCOMPARE(s.spanId.size(), 8);
        QVERIFY(s.end > s.start);
        QVERIFY(!s.serviceName.isEmpty());
        traces[s.traceId].append(s);
    }
    QCOMPARE(traces.size(), qsizetype(b.requests));
    int withLinks = 0;
    for (const auto &spans : std::as_const(traces)) {
        QHash<QByteArray, const Span *> byId;
        int roots = 0;
        for (const auto &s : spans) {
            byId.insert(s.spanId, &s);
            roots += s.parentSpanId.isEmpty();
        }
        QCOMPARE(roots, 1);
        QCOMPARE(byId.size(), spans.size()); // span ids unique within the trace
        for (const auto &s : spans) {
            if (s.parentSpanId.isEmpty()) {
                QCOMPARE(s.serviceName, QStringLiteral("mythical-requester"));
                QCOMPARE(s.kind, Span::Kind::Client);
                continue;
            }
            const Span *parent = byId.value(s.parentSpanId);
            QVERIFY2(parent, "every parent is in the trace");
            QVERIFY(s.start >= parent->start);
            if (s.kind != Span::Kind::Consumer) // async consumers outlive the producer
                QVERIFY(s.end <= parent->end);
            if (s.kind == Span::Kind::Server) {
                QCOMPARE(parent->kind, Span::Kind::Client);
                QCOMPARE(attr(s, "http.method"), attr(*parent, "http.method"));
                QCOMPARE(attr(s, "http.status_code"), attr(*parent, "http.status_code"));
                QVERIFY(LabSimulator::beasts().contains(attr(s, "http.target").mid(1)));
            }
            if (s.name.startsWith(u"pg.query:"))
                QVERIFY(!attr(s, "db.statement").isEmpty());
            if (s.kind == Span::Kind::Consumer) {
                QCOMPARE(s.links.size(), 1);
                QCOMPARE(s.links.front().spanId, s.parentSpanId);
                ++withLinks;
            }
        }
    }
    QVERIFY(withLinks > 10);
}

void TestLab::metricsCountServerSpans()
{
    LabSimulator sim;
    const LabBatch b = runFor(sim, 90);
    QCOMPARE(b.scrapeTimes.size(), 6); // every 15 s
    for (const model::TimestampMs t : b.scrapeTimes) {
        qint64 serverSpans = 0, serverErrors = 0;
        for (const auto &s : b.spans)
            if (s.kind == Span::Kind::Server && s.end <= t * kNsPerMs) {
                ++serverSpans;
                serverErrors += s.status == Span::Status::Error;
            }
        QVERIFY(serverSpans > 0);
        QCOMPARE(sumAt(b, QStringLiteral("mythical_request_times_count"), t), double(serverSpans));
        QCOMPARE(sumAt(b, QStringLiteral("http_server_request_duration_seconds_count"), t), double(serverSpans));
        double errors = 0;
        for (const auto &s : b.series)
            if (s.labels.metricName() == u"mythical_request_times_count" && s.labels.value(u"status") == u"500")
                for (const auto &p : s.samples)
                    if (p.t == t)
                        errors += p.v;
        QCOMPARE(errors, double(serverErrors));
    }
    // Buckets are cumulative and end with +Inf == count.
    for (const auto &s : b.series) {
        if (s.labels.metricName() != u"mythical_request_times_bucket" || s.labels.value(u"le") != u"+Inf")
            continue;
        const model::Labels count = s.labels.without(u"le").with(QStringLiteral("__name__"),
                                                                 QStringLiteral("mythical_request_times_count"));
        bool found = false;
        for (const auto &c : b.series)
            if (c.labels == count) {
                QCOMPARE(c.samples.back().v, s.samples.back().v);
                found = true;
            }
        QVERIFY(found);
    }
    // Counters never go down.
    for (const auto &s : b.series)
        if (s.labels.metricName().endsWith(u"_total") || s.labels.metricName().endsWith(u"_count"))
            for (qsizetype i = 1; i < s.samples.size(); ++i)
                QVERIFY(s.samples[i].v >= s.samples[i - 1].v);
    QCOMPARE(sumAt(b, QStringLiteral("up"), b.scrapeTimes.back()), 4.0);
}

void TestLab::logsCarryTraceIds()
{
    LabSimulator sim;
    const LabBatch b = runFor(sim, 60);
    QSet<QString> traceIds, spanIds;
    for (const auto &s : b.spans) {
        traceIds.insert(QString::fromLatin1(s.traceId.toHex()));
        spanIds.insert(QString::fromLatin1(s.spanId.toHex()));
    }
    static const QRegularExpression traceRe(QStringLiteral("traceID=([0-9a-f]{32})"));
    static const QRegularExpression spanRe(QStringLiteral("spanID=([0-9a-f]{16})"));
    QVERIFY(b.logs.size() >= 2 * b.requests);
    int errors = 0;
    for (const auto &l : b.logs) {
        const auto m = traceRe.match(l.line);
        QVERIFY2(m.hasMatch(), qPrintable(l.line));
        QVERIFY(traceIds.contains(m.captured(1)));
        QVERIFY(spanIds.contains(spanRe.match(l.line).captured(1)));
        QCOMPARE(l.structuredMetadata.value(u"trace_id"), m.captured(1));
        QCOMPARE(l.stream.value(u"job"), QStringLiteral("alloy"));
        QVERIFY(LabSimulator::services().contains(l.stream.value(u"service_name")));
        QVERIFY(LabSimulator::beasts().contains(l.stream.value(u"beast")));
        const bool isError = l.stream.value(u"level") == u"error";
        QCOMPARE(l.line.contains(u"status=Error"), isError);
        QVERIFY(l.line.startsWith(isError ? u"level=error " : u"level=info "));
        errors += isError;
    }
    QVERIFY(errors > 0);
}

void TestLab::postErrorsCorrelateWithVersion()
{
    LabOptions o;
    o.requestsPerSecond = 20;
    LabSimulator sim(o);
    const LabBatch b = runFor(sim, 300);
    QHash<QString, int> posts, failed;
    int otherErrors = 0;
    for (const auto &s : b.spans) {
        if (s.kind != Span::Kind::Server)
            continue;
        QString version;
        for (const auto &a : s.resourceAttributes)
            if (a.key == u"service.version")
                version = a.value.toString();
        if (attr(s, "http.method") == u"POST") {
            ++posts[version];
            failed[version] += s.status == Span::Status::Error;
        } else {
            otherErrors += s.status == Span::Status::Error;
        }
    }
    QCOMPARE(otherErrors, 0); // without faults only POSTs fail
    const int allPosts = posts.value(QStringLiteral("1.9.2")) + posts.value(QStringLiteral("2.0.0"));
    const double rate = double(failed.value(QStringLiteral("1.9.2")) + failed.value(QStringLiteral("2.0.0"))) / allPosts;
    QVERIFY2(rate > 0.06 && rate < 0.14, qPrintable(QString::number(rate)));
    const double v1 = double(failed.value(QStringLiteral("1.9.2"))) / posts.value(QStringLiteral("1.9.2"));
    const double v2 = double(failed.value(QStringLiteral("2.0.0"))) / posts.value(QStringLiteral("2.0.0"));
    QVERIFY2(v2 > 2 * v1, qPrintable(QStringLiteral("%1 vs %2").arg(v2).arg(v1)));
}

void TestLab::profilesMatchEndpoints()
{
    LabSimulator sim;
    const LabBatch b = runFor(sim, 30);
    // 2 windows x 4 instances x (cpu, alloc)
    QCOMPARE(b.profiles.size(), 16);
    bool sawPostHandler = false;
    for (const auto &p : b.profiles) {
        QVERIFY(model::ProfileType::parse(p.typeId).has_value());
        QVERIFY(LabSimulator::services().contains(p.labels.value(u"service_name")));
        QCOMPARE(p.durationNs, 15 * kNsPerS);
        QVERIFY(p.total() > 0);
        for (const auto &s : p.stacks)
            for (auto f : s.functions)
                QVERIFY(f < std::uint32_t(p.functionNames.size()));
        if (p.labels.value(u"service_name") == u"mythical-server" && p.typeId.startsWith(u"process_cpu"))
            sawPostHandler |= p.functionNames.contains(QStringLiteral("handlers.postBeast"));
        QVERIFY(!p.functionNames.contains(QStringLiteral("beasts.validateName")));
    }
    QVERIFY(sawPostHandler);
}

void TestLab::faults()
{
    LabOptions o;
    o.requestsPerSecond = 20;
    LabSimulator sim(o);
    LabFaults f;
    f.slowEndpoint = QStringLiteral("/owlbear");
    f.addedLatencyMs = 400;
    f.errorRate = 0.3;
    f.memoryLeak = true;
    f.cpuHotLoop = true;
    sim.setFaults(f);
    const LabBatch b = runFor(sim, 60);
    double slow = 0, other = 0;
    int nSlow = 0, nOther = 0, getErrors = 0;
    for (const auto &s : b.spans) {
        if (s.kind != Span::Kind::Server)
            continue;
        const double ms = double(s.duration()) / kNsPerMs;
        if (attr(s, "http.target") == u"/owlbear") {
            slow += ms;
            ++nSlow;
        } else {
            other += ms;
            ++nOther;
        }
        getErrors += attr(s, "http.method") == u"GET" && s.status == Span::Status::Error;
    }
    QVERIFY(slow / nSlow > 350);
    QVERIFY(other / nOther < 150);
    QVERIFY(getErrors > 0);

    // The hot loop dominates the servers' CPU; the leak grows RSS.
    for (const auto &p : b.profiles) {
        if (p.labels.value(u"service_name") != u"mythical-server" || !p.typeId.startsWith(u"process_cpu"))
            continue;
        const auto hot = p.functionNames.indexOf(QStringLiteral("beasts.validateName"));
        QVERIFY(hot >= 0);
        std::int64_t hotValue = 0;
        for (const auto &s : p.stacks)
            if (s.functions.front() == std::uint32_t(hot))
                hotValue += s.value;
        QVERIFY(hotValue * 2 > p.total());
    }
    for (const auto &s : b.series)
        if (s.labels.metricName() == u"process_resident_memory_bytes" && s.labels.value(u"job") == u"mythical-server")
            QVERIFY(s.samples.back().v - s.samples.front().v > 50e6);
}

void TestLab::backfillIntoStorageAndQuery()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto storage = store::Storage::open(dir.path());
    QVERIFY2(storage, qPrintable(storage ? QString() : storage.error().toString()));
    ingest::StorageSink sink(**storage);
    ingest::SpanMetricsGenerator spanMetrics((*storage)->metrics());
    LabOptions o;
    o.requestsPerSecond = 4;
    Lab lab(sink, o, &spanMetrics);
    const std::int64_t end = kT0 + 10 * 60 * kNsPerS;
    auto stats = lab.backfill(std::chrono::minutes(10), end);
    QVERIFY2(stats, qPrintable(stats ? QString() : stats.error().toString()));
    QVERIFY(stats->requests > 1000);
    QCOMPARE(stats->failedBatches, 0);
    QVERIFY(stats->spans >= 3 * stats->requests);
    QVERIFY(stats->logs >= 2 * stats->requests);
    QCOMPARE(stats->profiles, 10 * 4 * 4 * 2); // 40 windows of 15 s, 4 instances, 2 types
    QCOMPARE(stats->simulatedUntil, end);

    query::MetricStoreQueryable q((*storage)->metrics());
    query::promql::Engine engine;
    const model::TimestampMs t = end / kNsPerMs;
    const auto vector = [&](const QString &expr) {
        auto r = engine.instantQuery(q, expr, t);
        if (!r)
            qWarning() << expr << r.error().toString();
        return r ? r->vector : QList<query::promql::InstantSample>{};
    };
    // The intro-to-mltp MLT dashboard's queries.
    const auto p95 = vector(QStringLiteral(
        "histogram_quantile(0.95, sum(rate(mythical_request_times_bucket[1m])) by (le, beast))"));
    QCOMPARE(p95.size(), 5);
    for (const auto &s : p95)
        QVERIFY(s.v > 0 && s.v < 1000);
    const auto calls = vector(QStringLiteral(
        "sum by (http_target)(rate(traces_spanmetrics_calls_total{span_kind=\"SPAN_KIND_SERVER\"}[5m]))"));
    QCOMPARE(calls.size(), 5);
    const auto errs = vector(QStringLiteral(
        "sum(increase(traces_spanmetrics_calls_total{status_code=\"STATUS_CODE_ERROR\",http_target=~\".*\",service_version=~\"2.0.0\"}[5m]))"));
    QCOMPARE(errs.size(), 1);
    QVERIFY(errs.front().v > 0);
    const auto graph = vector(QStringLiteral("sum by (client, server)(traces_service_graph_request_total)"));
    QVERIFY(!graph.isEmpty());
    QCOMPARE(graph.front().labels.value(u"client"), QStringLiteral("mythical-requester"));
    QCOMPARE(graph.front().labels.value(u"server"), QStringLiteral("mythical-server"));

    // Counts in the store agree with the spans: all server requests ended before `end` minus a margin.
    const auto count = vector(QStringLiteral("sum(http_server_request_duration_seconds_count)"));
    QCOMPARE(count.size(), 1);
    QVERIFY(count.front().v > 0.95 * double(stats->requests));
    QVERIFY(count.front().v <= double(stats->requests));

    // Logs: the dashboard's stream, and their trace ids resolve to stored traces.
    auto matcher = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("job"),
                                               QStringLiteral("alloy"));
    QVERIFY(matcher);
    auto logs = (*storage)->logs().select({*matcher}, kT0, end + 60 * kNsPerS, store::LogDirection::Backward, 50);
    QVERIFY2(logs, qPrintable(logs ? QString() : logs.error().toString()));
    QCOMPARE(logs->size(), 50);
    static const QRegularExpression traceRe(QStringLiteral("traceID=([0-9a-f]{32})"));
    for (const auto &l : std::as_const(*logs)) {
        const auto id = QByteArray::fromHex(traceRe.match(l.line).captured(1).toLatin1());
        auto trace = (*storage)->traces().trace(id);
        QVERIFY2(trace, qPrintable(trace ? QString() : trace.error().toString()));
        QVERIFY(trace->size() >= 3);
    }

    // Profiles: one CPU series per instance.
    auto cpu = (*storage)->profiles().selectSeries(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), {});
    QVERIFY2(cpu, qPrintable(cpu ? QString() : cpu.error().toString()));
    QCOMPARE(cpu->size(), 4);

    // Backfill refuses nonsense.
    QVERIFY(!lab.backfill(std::chrono::milliseconds(0), end));
}

void TestLab::startStopIsClean()
{
    MemorySink sink;
    LabOptions o;
    o.requestsPerSecond = 500;
    o.tick = std::chrono::milliseconds(20);
    Lab lab(sink, o);
    QVERIFY(!lab.isRunning());
    QVERIFY(lab.start());
    QVERIFY(lab.isRunning());
    QVERIFY(lab.start()); // idempotent
    QTRY_VERIFY_WITH_TIMEOUT(lab.stats().spans > 0, 20000);
    lab.setRequestsPerSecond(50);
    lab.setFaults(LabFaults{QStringLiteral("/unicorn"), 100, 0.5, true, true});
    QCOMPARE(lab.faults().addedLatencyMs, 100.0);
    lab.stop();
    QVERIFY(!lab.isRunning());
    const auto after = lab.stats();
    {
        std::lock_guard l(sink.m);
        QCOMPARE(sink.spans, after.spans); // every delivered batch is counted, nothing in flight
        QCOMPARE(sink.logs, after.logs);
    }
    QTest::qWait(100);
    QCOMPARE(lab.stats().spans, after.spans); // nothing after stop
    QVERIFY(lab.backfill(std::chrono::seconds(30)));
    // Restart after stop works, then the destructor stops it.
    QVERIFY(lab.start());
    QVERIFY(lab.isRunning());
}

void TestLab::sinkErrorsAreReported()
{
    MemorySink sink;
    sink.failSpans = true;
    Lab lab(sink);
    auto r = lab.backfill(std::chrono::seconds(30), kT0 + 30 * kNsPerS);
    QVERIFY(!r);
    QVERIFY(r.error().message.contains(QStringLiteral("span store is busy")));
    QCOMPARE(lab.stats().failedBatches, 1);
    QVERIFY(lab.stats().lastError.contains(QStringLiteral("spans")));
}

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
