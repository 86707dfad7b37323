#pragma once

#include "core/model/sample.h"

#include <QString>
#include <cstdint>

namespace spyglass::dashboard {

// Grafana's interval rounding (kbn.roundInterval): a raw range/points step
// snapped to a "nice" value (1s, 5s, 15s, 1m, 5m, ...).
std::int64_t roundIntervalMs(std::int64_t ms);

// $__interval for a panel: range / maxDataPoints, rounded, never below the
// panel's or datasource's minimum interval (`minIntervalMs`, 0 = none).
std::int64_t calculateIntervalMs(model::TimestampMs from, model::TimestampMs to, int maxDataPoints,
                                 std::int64_t minIntervalMs);

// $__rate_interval as Grafana defines it: max($__interval + scrape interval,
// 4 * scrape interval).
std::int64_t rateIntervalMs(std::int64_t intervalMs, std::int64_t scrapeIntervalMs);

// "15s", "1m", "250ms", "1h30m".
QString formatInterval(std::int64_t ms);

} // namespace spyglass::dashboard
