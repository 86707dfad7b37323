#include "core/dashboard/interval.h"

#include "core/model/time_range.h"

#include <algorithm>

namespace spyglass::dashboard {

std::int64_t roundIntervalMs(std::int64_t ms)
{
    // Thresholds and results from Grafana's kbn.roundInterval.
    struct Step
    {
        std::int64_t below;
        std::int64_t result;
    };
    static constexpr Step steps[] = {
        {10, 1},           {15, 10},          {35, 20},           {75, 50},           {150, 100},
        {350, 200},        {750, 500},        {1500, 1000},       {3500, 2000},       {7500, 5000},
        {12500, 10000},    {17500, 15000},    {25000, 20000},     {45000, 30000},     {90000, 60000},
        {210000, 120000},  {450000, 300000},  {750000, 600000},   {1050000, 900000},  {1500000, 1200000},
        {2700000, 1800000}, {5400000, 3600000}, {9000000, 7200000}, {16200000, 10800000}, {32400000, 21600000},
        {86400000, 43200000}, {604800000, 86400000}, {1814400000, 604800000}, {3628800000, 2592000000},
    };
    for (const Step &s : steps)
        if (ms < s.below)
            return s.result;
    return 31536000000; // 1y
}

std::int64_t calculateIntervalMs(model::TimestampMs from, model::TimestampMs to, int maxDataPoints,
                                 std::int64_t minIntervalMs)
{
    const std::int64_t range = std::max<std::int64_t>(to - from, 1);
    const std::int64_t raw = range / std::max(maxDataPoints, 1);
    std::int64_t interval = roundIntervalMs(raw);
    if (minIntervalMs > 0 && interval < minIntervalMs)
        interval = minIntervalMs;
    return std::max<std::int64_t>(interval, 1);
}

std::int64_t rateIntervalMs(std::int64_t intervalMs, std::int64_t scrapeIntervalMs)
{
    const std::int64_t scrape = scrapeIntervalMs > 0 ? scrapeIntervalMs : 15000;
    return std::max(intervalMs + scrape, 4 * scrape);
}

QString formatInterval(std::int64_t ms) { return model::formatDuration(ms); }

} // namespace spyglass::dashboard
