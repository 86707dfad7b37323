#pragma once

// The batches store_crash_writer appends and tst_crash_safety verifies.

#include "core/store/metric_store.h"

namespace crashtest {

constexpr int kSeriesPerBatch = 8;
constexpr int kSamplesPerSeries = 50;

inline spyglass::model::Labels seriesLabels(int round, int k)
{
    return spyglass::model::Labels{{QStringLiteral("__name__"), QStringLiteral("crash_series")},
                                   {QStringLiteral("round"), QString::number(round)},
                                   {QStringLiteral("k"), QString::number(k)}};
}

// One new series per batch as well, so series creation is covered too.
inline spyglass::model::Labels markerLabels(int round, int n)
{
    return spyglass::model::Labels{{QStringLiteral("__name__"), QStringLiteral("crash_marker")},
                                   {QStringLiteral("round"), QString::number(round)},
                                   {QStringLiteral("batch"), QString::number(n)}};
}

inline std::int64_t sampleTime(int n, int j)
{
    return std::int64_t(n) * kSamplesPerSeries * 1000 + j * 1000;
}

inline double sampleValue(int n, int k, int j)
{
    return n * 1000.0 + k * 0.25 + j;
}

inline spyglass::store::SampleBatch batch(int round, int n)
{
    spyglass::store::SampleBatch b;
    for (int k = 0; k < kSeriesPerBatch; ++k) {
        spyglass::model::Series s{seriesLabels(round, k), {}};
        // Odd batches arrive in reverse time order inside the batch, so
        // in-batch sorting, chunk extension and new chunks all happen.
        for (int j = 0; j < kSamplesPerSeries; ++j) {
            const int jj = n % 2 ? kSamplesPerSeries - 1 - j : j;
            s.samples.push_back({sampleTime(n, jj), sampleValue(n, k, jj)});
        }
        b.series.push_back(std::move(s));
    }
    b.series.push_back({markerLabels(round, n), {{sampleTime(n, 0), double(n)}}});
    return b;
}

} // namespace crashtest
