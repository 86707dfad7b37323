#pragma once

#include <QList>
#include <QString>
#include <QTimeZone>
#include <cstdint>

namespace spyglass::gui::widgets {

struct ValueTicks
{
    double min = 0;  // axis range, widened to whole steps
    double max = 1;
    double step = 1;
    QList<double> values;
};

// "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi] with at most about
// maxTicks ticks. A flat range (lo == hi) is widened around the value.
ValueTicks niceValueTicks(double lo, double hi, int maxTicks);

// A value with SI prefix (k, M, G, T, P / m, µ, n), with as many decimals as
// `step` needs so neighbouring ticks stay distinct: 1500 -> "1.5k".
// `scale`, when given, picks the prefix instead (e.g. the axis' largest
// magnitude, so one axis reads "0.8, 1, 1.2" and not "800m, 1, 1.2").
QString formatSi(double value, double step, double scale = 0);
// A value with enough digits for a tooltip: plain up to a million
// ("1234.5"), SI-prefixed beyond ("2.5M", "12.5µ").
QString formatSiPrecise(double value);

struct TimeTick
{
    std::int64_t t = 0;
    QString label;
};

struct TimeTicks
{
    std::int64_t stepMs = 0;
    QList<TimeTick> ticks;
};

// Ticks on round clock times (every 15 s, 5 min, 3 h, day, ...) so that
// at most maxTicks fit in [fromMs, toMs]; labels show what changes at that
// step (seconds, minutes, dates) in the given zone.
TimeTicks niceTimeTicks(std::int64_t fromMs, std::int64_t toMs, int maxTicks,
                        const QTimeZone &zone);

} // namespace spyglass::gui::widgets
