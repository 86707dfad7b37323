#pragma once

#include "core/lab/lab_options.h"
#include "core/lab/lab_simulator.h"
#include "core/model/result.h"

#include <QString>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace spyglass::ingest {
class IngestSink;
class SpanMetricsGenerator;
} // namespace spyglass::ingest

namespace spyglass::lab {

// What the lab has delivered so far (all accepted by the sink).
struct LabStats
{
    std::int64_t requests = 0;
    std::int64_t spans = 0;
    std::int64_t samples = 0;
    std::int64_t logs = 0;
    std::int64_t profiles = 0;
    std::int64_t exemplars = 0;
    std::int64_t failedBatches = 0; // batches the sink refused (see lastError)
    model::TimestampNs simulatedUntil = 0;
    QString lastError;
};

// The demo system ("Lab"): runs a LabSimulator and delivers what it produces
// through an IngestSink, either instantly for a past window (backfill, so a
// learner sees data at once) or in real time on a thread of its own.
// When a SpanMetricsGenerator is given, every span also feeds it and it is
// flushed at each scrape, giving Tempo's traces_spanmetrics_* series.
// All methods are thread-safe; controls take effect from the next tick.
class Lab
{
public:
    // The sink (and the generator) must outlive the Lab.
    explicit Lab(ingest::IngestSink &sink, LabOptions options = {},
                 ingest::SpanMetricsGenerator *spanMetrics = nullptr);
    ~Lab(); // stops
    Lab(const Lab &) = delete;
    Lab &operator=(const Lab &) = delete;

    // Generates [end - duration, end) at once (in scrape-interval batches)
    // and leaves the clock at `end`. Fails while running, or when the sink
    // refuses a batch (what was delivered before stays).
    Result<LabStats> backfill(std::chrono::milliseconds duration, model::TimestampNs end);
    // Backfill ending now.
    Result<LabStats> backfill(std::chrono::milliseconds duration);

    // Generates in real time, one batch per tick, until stop(). Continues
    // from the clock when it is recent (e.g. after a backfill), else starts now.
    Result<void> start();
    // Returns once the current batch is delivered and the thread has ended.
    void stop();
    bool isRunning() const;

    LabOptions options() const;
    void setRequestsPerSecond(double rps);
    void setVirtualUsers(int n);
    void setPostErrorRate(double rate);
    LabFaults faults() const;
    void setFaults(const LabFaults &faults);

    LabStats stats() const;

private:
    // Simulates up to `to` and delivers it; the error of the first refused batch.
    Result<void> advance(model::TimestampNs to);
    void run();

    ingest::IngestSink &m_sink;
    ingest::SpanMetricsGenerator *m_spanMetrics;

    mutable std::mutex m_mutex; // simulator and stats
    LabSimulator m_sim;
    LabStats m_stats;

    std::mutex m_deliverMutex; // one delivery at a time, in order

    mutable std::mutex m_threadMutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_running = false;
    std::thread m_thread;
};

} // namespace spyglass::lab
