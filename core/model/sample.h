#pragma once

#include "core/model/labels.h"

#include <QList>
#include <bit>
#include <cstdint>
#include <limits>

namespace spyglass::model {

// Metric timestamps are Unix milliseconds, as in Prometheus.
using TimestampMs = std::int64_t;

struct Sample
{
    TimestampMs t = 0;
    double v = 0;
};

// Prometheus's staleness marker: one specific NaN bit pattern, distinct from
// an ordinary NaN sample value.
constexpr std::uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double staleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool isStaleNaN(double v) { return std::bit_cast<std::uint64_t>(v) == kStaleNaNBits; }

// One series' samples, in increasing time order.
struct Series
{
    Labels labels;
    QList<Sample> samples;
};

// An exemplar attached to a sample (OpenMetrics / remote_write).
struct Exemplar
{
    Labels labels;
    double value = 0;
    TimestampMs t = 0;
    bool hasTimestamp = false;
};

} // namespace spyglass::model
