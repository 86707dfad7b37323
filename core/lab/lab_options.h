#pragma once

#include <QString>
#include <chrono>
#include <cstdint>

namespace spyglass::lab {

// How the simulated "mythical beasts" shop is driven.
struct LabOptions
{
    std::uint64_t seed = 1;
    // Mean requests per second over a load cycle (bursty load swings around it).
    double requestsPerSecond = 5.0;
    // k6-style virtual users the requests are spread over (a span attribute
    // and the requester's instance count in its metrics).
    int virtualUsers = 4;
    // Share of POSTs failing with a database constraint error; failures are
    // correlated with server version 2.0.0 (x1.6) versus 1.9.2 (x0.4).
    double postErrorRate = 0.10;
    // Load swings between ~0.3x and ~1.7x of the rate over this period; 0 = flat.
    std::chrono::seconds burstPeriod{120};
    // Real-time mode wakes this often.
    std::chrono::milliseconds tick{1000};
    // Metrics are "scraped" (written as samples) at multiples of this.
    std::chrono::milliseconds scrapeInterval{15'000};
    // CPU and allocation profiles cover windows of this length.
    std::chrono::milliseconds profileInterval{15'000};
    // Whether the Lab feeds its spans to its SpanMetricsGenerator itself
    // (writing to a store directly) or the receiving side does (delivering
    // through the receivers, whose StorageSink feeds the same generator);
    // either way the Lab flushes it at each simulated scrape.
    bool feedSpanMetrics = true;
};

// Incidents a learner can switch on while the lab runs.
struct LabFaults
{
    // Extra latency on every request to this endpoint ("/owlbear"); empty = none.
    QString slowEndpoint;
    double addedLatencyMs = 0;
    // Additional share of requests (any method) failing with HTTP 500.
    double errorRate = 0;
    // The server keeps a reference to every request: RSS grows, allocation
    // profiles show cache.remember.
    bool memoryLeak = false;
    // beasts.validateName spins on every request: CPU profiles are dominated
    // by it and requests get slower.
    bool cpuHotLoop = false;

    friend bool operator==(const LabFaults &, const LabFaults &) = default;
};

} // namespace spyglass::lab
