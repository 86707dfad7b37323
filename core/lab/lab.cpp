#include "core/lab/lab.h"

#include "core/ingest/ingest_sink.h"
#include "core/ingest/span_metrics_generator.h"

#include <QDateTime>
#include <algorithm>

namespace spyglass::lab {

namespace {
constexpr std::int64_t kNsPerMs = 1'000'000;

model::TimestampNs nowNs() { return QDateTime::currentMSecsSinceEpoch() * kNsPerMs; }
} // namespace

Lab::Lab(ingest::IngestSink &sink, LabOptions options, ingest::SpanMetricsGenerator *spanMetrics)
    : m_sink(sink), m_spanMetrics(spanMetrics), m_sim(std::move(options))
{
}

Lab::~Lab() { stop(); }

Result<void> Lab::advance(model::TimestampNs to)
{
    std::lock_guard deliver(m_deliverMutex);
    LabBatch batch;
    bool feedSpanMetrics = true;
    {
        std::lock_guard lock(m_mutex);
        batch = m_sim.step(to);
        feedSpanMetrics = m_sim.options().feedSpanMetrics;
    }
    // Spans first: a log line or exemplar never points at a trace that is
    // not stored yet.
    QString error;
    const auto record = [&](const char *what, const Result<ingest::AppendCounts> &r) -> std::int64_t {
        if (r)
            return r->accepted;
        if (error.isEmpty())
            error = QStringLiteral("lab: delivering %1 failed: %2").arg(QLatin1String(what), r.error().toString());
        return 0;
    };
    LabStats delta;
    if (!batch.spans.isEmpty()) {
        delta.spans = record("spans", m_sink.appendSpans(batch.spans));
        if (m_spanMetrics && feedSpanMetrics)
            m_spanMetrics->consume(batch.spans);
    }
    if (!batch.series.isEmpty())
        delta.samples = record("samples", m_sink.appendSamples(batch.series));
    if (!batch.exemplars.isEmpty())
        delta.exemplars = record("exemplars", m_sink.appendExemplars(batch.exemplars));
    if (m_spanMetrics && !batch.scrapeTimes.isEmpty()) {
        auto flushed = m_spanMetrics->flush(batch.scrapeTimes.back());
        if (flushed)
            delta.samples += flushed->samples;
        else if (error.isEmpty())
            error = QStringLiteral("lab: writing span metrics failed: %1").arg(flushed.error().toString());
    }
    if (!batch.logs.isEmpty()) {
        // Each stream's lines must arrive in time order.
        std::stable_sort(batch.logs.begin(), batch.logs.end(),
                         [](const model::LogRecord &a, const model::LogRecord &b) { return a.time < b.time; });
        delta.logs = record("logs", m_sink.appendLogs(batch.logs));
    }
    if (!batch.profiles.isEmpty())
        delta.profiles = record("profiles", m_sink.appendProfiles(batch.profiles));

    std::lock_guard lock(m_mutex);
    m_stats.requests += batch.requests;
    m_stats.spans += delta.spans;
    m_stats.samples += delta.samples;
    m_stats.logs += delta.logs;
    m_stats.profiles += delta.profiles;
    m_stats.exemplars += delta.exemplars;
    m_stats.simulatedUntil = to;
    if (!error.isEmpty()) {
        ++m_stats.failedBatches;
        m_stats.lastError = error;
        return std::unexpected(Error::io(error));
    }
    return {};
}

Result<LabStats> Lab::backfill(std::chrono::milliseconds duration, model::TimestampNs end)
{
    if (isRunning())
        return std::unexpected(Error::invalid(QStringLiteral("lab: cannot backfill while running")));
    if (duration.count() <= 0)
        return std::unexpected(Error::invalid(QStringLiteral("lab: backfill duration must be positive")));
    std::int64_t chunk = 0;
    {
        std::lock_guard lock(m_mutex);
        m_sim.setClock(end - std::int64_t(duration.count()) * kNsPerMs);
        chunk = std::int64_t(std::max<std::int64_t>(1000, m_sim.options().scrapeInterval.count())) * kNsPerMs;
    }
    model::TimestampNs t = end - std::int64_t(duration.count()) * kNsPerMs;
    while (t < end) {
        // Batches end on scrape boundaries so every scrape gets its span-metrics flush.
        t = std::min(end, (t / chunk + 1) * chunk);
        if (auto r = advance(t); !r)
            return std::unexpected(r.error());
    }
    return stats();
}

Result<LabStats> Lab::backfill(std::chrono::milliseconds duration) { return backfill(duration, nowNs()); }

Result<void> Lab::start()
{
    std::lock_guard t(m_threadMutex);
    if (m_running)
        return {};
    if (m_thread.joinable())
        m_thread.join();
    {
        std::lock_guard lock(m_mutex);
        const model::TimestampNs now = nowNs();
        // A clock far behind (or ahead of) now would replay or skip hours:
        // start from now instead.
        if (m_sim.clock() == 0 || now - m_sim.clock() > 5 * 60'000 * kNsPerMs || m_sim.clock() > now)
            m_sim.setClock(now);
    }
    m_stopping = false;
    m_running = true;
    m_thread = std::thread([this] { run(); });
    return {};
}

void Lab::run()
{
    auto next = std::chrono::steady_clock::now();
    for (;;) {
        std::chrono::milliseconds tick;
        {
            std::lock_guard lock(m_mutex);
            tick = std::max(std::chrono::milliseconds(10), m_sim.options().tick);
        }
        next += tick;
        {
            std::unique_lock l(m_threadMutex);
            if (m_wake.wait_until(l, next, [this] { return m_stopping; }))
                break;
        }
        // Errors are kept in stats(); the lab keeps running so a store that
        // was briefly busy does not end the demo.
        (void)advance(nowNs());
    }
    std::lock_guard l(m_threadMutex);
    m_running = false;
}

void Lab::stop()
{
    {
        std::lock_guard l(m_threadMutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id())
        m_thread.join();
    std::lock_guard l(m_threadMutex);
    m_running = false;
}

bool Lab::isRunning() const
{
    std::lock_guard l(m_threadMutex);
    return m_running;
}

LabOptions Lab::options() const
{
    std::lock_guard lock(m_mutex);
    return m_sim.options();
}

void Lab::setRequestsPerSecond(double rps)
{
    std::lock_guard lock(m_mutex);
    m_sim.setRequestsPerSecond(std::max(0.0, rps));
}

void Lab::setVirtualUsers(int n)
{
    std::lock_guard lock(m_mutex);
    m_sim.setVirtualUsers(n);
}

void Lab::setPostErrorRate(double rate)
{
    std::lock_guard lock(m_mutex);
    m_sim.setPostErrorRate(std::clamp(rate, 0.0, 1.0));
}

LabFaults Lab::faults() const
{
    std::lock_guard lock(m_mutex);
    return m_sim.faults();
}

void Lab::setFaults(const LabFaults &faults)
{
    std::lock_guard lock(m_mutex);
    m_sim.setFaults(faults);
}

LabStats Lab::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace spyglass::lab
