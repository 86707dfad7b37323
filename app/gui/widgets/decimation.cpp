#include "app/gui/widgets/decimation.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace spyglass::gui::widgets {

namespace {

// Collects the extremes of one pixel column of one segment.
struct Bucket
{
    bool empty = true;
    std::int64_t column = 0;
    PlotPoint min;
    PlotPoint max;

    void add(std::int64_t col, PlotPoint p)
    {
        if (empty) {
            empty = false;
            column = col;
            min = max = p;
            return;
        }
        if (p.v < min.v)
            min = p;
        if (p.v > max.v)
            max = p;
    }

    void flushInto(PlotSegment &seg)
    {
        if (empty)
            return;
        if (min == max) {
            seg.push_back(min);
        } else if (min.t <= max.t) {
            seg.push_back(min);
            seg.push_back(max);
        } else {
            seg.push_back(max);
            seg.push_back(min);
        }
        empty = true;
    }
};

} // namespace

QList<PlotSegment> decimateMinMax(const DecimationInput &in)
{
    QList<PlotSegment> out;
    const auto n = std::min(in.times.size(), in.values.size());
    if (n == 0 || in.columns <= 0 || in.toMs <= in.fromMs)
        return out;

    auto first = std::lower_bound(in.times.begin(), in.times.begin() + n, in.fromMs);
    auto last = std::upper_bound(first, in.times.begin() + n, in.toMs);
    std::size_t begin = std::size_t(first - in.times.begin());
    std::size_t end = std::size_t(last - in.times.begin());
    if (begin > 0)
        --begin;
    if (end < n)
        ++end;

    const double span = double(in.toMs - in.fromMs);
    const double perMs = double(in.columns) / span;
    auto columnOf = [&](std::int64_t t) {
        return std::int64_t(std::floor(double(t - in.fromMs) * perMs));
    };

    PlotSegment seg;
    Bucket bucket;
    bool havePrev = false;
    std::int64_t prevT = 0;
    auto closeSegment = [&] {
        bucket.flushInto(seg);
        if (!seg.isEmpty())
            out.push_back(std::move(seg));
        seg = PlotSegment();
        havePrev = false;
    };

    for (std::size_t i = begin; i < end; ++i) {
        const std::int64_t t = in.times[i];
        const double v = in.values[i];
        if (std::isnan(v)) {
            closeSegment();
            continue;
        }
        if (havePrev && in.maxGapMs > 0 && t - prevT > in.maxGapMs)
            closeSegment();
        const std::int64_t col = columnOf(t);
        if (!bucket.empty && bucket.column != col)
            bucket.flushInto(seg);
        bucket.add(col, PlotPoint{t, v});
        havePrev = true;
        prevT = t;
    }
    closeSegment();
    return out;
}

std::int64_t typicalStepMs(std::span<const std::int64_t> times)
{
    if (times.size() < 2)
        return 0;
    // A bounded sample of deltas is enough: regular data has one step, and
    // the median ignores the occasional gap or double scrape.
    const std::size_t count = std::min<std::size_t>(times.size() - 1, 1024);
    std::vector<std::int64_t> deltas;
    deltas.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        deltas.push_back(times[i + 1] - times[i]);
    auto mid = deltas.begin() + std::ptrdiff_t(deltas.size() / 2);
    std::nth_element(deltas.begin(), mid, deltas.end());
    return std::max<std::int64_t>(*mid, 0);
}

} // namespace spyglass::gui::widgets
