#pragma once

#include <QList>
#include <cstdint>
#include <span>

namespace spyglass::gui::widgets {

// One point of a decimated series, still in data coordinates.
struct PlotPoint
{
    std::int64_t t = 0; // Unix ms
    double v = 0;
    friend bool operator==(const PlotPoint &, const PlotPoint &) = default;
};

// A run of points drawn as one connected polyline; a new segment starts after
// a gap (missing data, NaN or a stale marker).
using PlotSegment = QList<PlotPoint>;

struct DecimationInput
{
    std::span<const std::int64_t> times; // increasing
    std::span<const double> values;      // same length as times
    std::int64_t fromMs = 0;             // visible range
    std::int64_t toMs = 0;
    int columns = 0;                     // pixel columns of the plot area
    // Consecutive samples further apart than this are not connected
    // (0 = connect everything except across NaN).
    std::int64_t maxGapMs = 0;
};

// Min/max decimation: each pixel column keeps at most its minimum and maximum
// (in time order), so peaks survive while drawing cost follows pixels, not
// data size. One sample on each side outside the range is kept so lines run
// to the plot edges. NaN values (including Prometheus stale markers) and gaps
// wider than maxGapMs end the current segment.
QList<PlotSegment> decimateMinMax(const DecimationInput &in);

// The typical spacing of samples (median of the first deltas), used to
// decide what counts as a gap; 0 when there are fewer than two samples.
std::int64_t typicalStepMs(std::span<const std::int64_t> times);

} // namespace spyglass::gui::widgets
