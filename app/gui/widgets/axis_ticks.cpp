#include "app/gui/widgets/axis_ticks.h"

#include <QDateTime>
#include <array>
#include <cmath>

namespace spyglass::gui::widgets {

ValueTicks niceValueTicks(double lo, double hi, int maxTicks)
{
    ValueTicks out;
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (lo > hi)
        std::swap(lo, hi);
    if (lo == hi) {
        const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    maxTicks = std::max(maxTicks, 2);
    const double raw = (hi - lo) / double(maxTicks - 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag * 10;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (mag * m >= raw) {
            step = mag * m;
            break;
        }
    }
    out.step = step;
    out.min = std::floor(lo / step) * step;
    out.max = std::ceil(hi / step) * step;
    if (out.max <= out.min)
        out.max = out.min + step;
    // Index-based so rounding errors do not accumulate or drop the last tick.
    const int n = int(std::llround((out.max - out.min) / step));
    for (int i = 0; i <= n; ++i) {
        double v = out.min + i * step;
        if (std::abs(v) < step * 1e-9)
            v = 0;
        out.values.push_back(v);
    }
    return out;
}

namespace {

struct Prefix
{
    double factor;
    const char16_t *symbol;
};

constexpr std::array<Prefix, 9> kPrefixes{{
    {1e15, u"P"},
    {1e12, u"T"},
    {1e9, u"G"},
    {1e6, u"M"},
    {1e3, u"k"},
    {1, u""},
    {1e-3, u"m"},
    {1e-6, u"µ"},
    {1e-9, u"n"},
}};

const Prefix &prefixFor(double magnitude)
{
    if (magnitude == 0)
        return kPrefixes[5];
    for (const auto &p : kPrefixes)
        if (magnitude >= p.factor)
            return p;
    return kPrefixes.back();
}

QString trimZeros(QString s)
{
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0')))
            s.chop(1);
        if (s.endsWith(QLatin1Char('.')))
            s.chop(1);
    }
    return s;
}

} // namespace

QString formatSi(double value, double step, double scale)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (value == 0)
        return QStringLiteral("0");
    // The prefix follows the larger of value and step so one axis uses one
    // scale ("0", "500m", "1") only where the step itself is sub-unit.
    const double mag = scale > 0 ? scale : std::max(std::abs(value), std::abs(step));
    const Prefix &p = prefixFor(mag);
    const double scaledStep = step > 0 ? step / p.factor : 0;
    int decimals = 0;
    if (scaledStep > 0 && scaledStep < 1)
        decimals = std::min(9, int(std::ceil(-std::log10(scaledStep) - 1e-9)));
    QString num = QString::number(value / p.factor, 'f', decimals);
    if (num == QLatin1String("-0"))
        num = QStringLiteral("0");
    return trimZeros(num) + QString::fromUtf16(p.symbol);
}

QString formatSiPrecise(double value)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (value == 0)
        return QStringLiteral("0");
    // Plain digits read best where they fit; prefixes only for the extremes.
    const double mag = std::abs(value);
    if (mag >= 1e-3 && mag < 1e6)
        return QString::number(value, 'g', 7);
    const Prefix &p = prefixFor(mag);
    return trimZeros(QString::number(value / p.factor, 'f', 3)) + QString::fromUtf16(p.symbol);
}

namespace {

constexpr std::int64_t kSec = 1000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;

constexpr std::array<std::int64_t, 28> kTimeSteps{
    1,         2,          5,         10,        20,        50,       100,
    200,       500,        kSec,      2 * kSec,  5 * kSec,  10 * kSec, 15 * kSec,
    30 * kSec, kMin,       2 * kMin,  5 * kMin,  10 * kMin, 15 * kMin, 30 * kMin,
    kHour,     2 * kHour,  3 * kHour, 6 * kHour, 12 * kHour, kDay,    7 * kDay};

QString timeLabel(const QDateTime &dt, std::int64_t stepMs, bool newDay)
{
    if (stepMs >= kDay)
        return dt.toString(QStringLiteral("MM/dd"));
    if (stepMs < kSec)
        return dt.toString(QStringLiteral("HH:mm:ss.zzz"));
    if (stepMs < kMin)
        return dt.toString(QStringLiteral("HH:mm:ss"));
    if (newDay)
        return dt.toString(QStringLiteral("MM/dd HH:mm"));
    return dt.toString(QStringLiteral("HH:mm"));
}

} // namespace

TimeTicks niceTimeTicks(std::int64_t fromMs, std::int64_t toMs, int maxTicks, const QTimeZone &zone)
{
    TimeTicks out;
    if (toMs <= fromMs || maxTicks < 1)
        return out;
    const std::int64_t span = toMs - fromMs;
    std::int64_t step = 0;
    for (std::int64_t s : kTimeSteps) {
        if (span / s <= maxTicks) {
            step = s;
            break;
        }
    }
    if (step == 0) {
        // Beyond weeks: whole multiples of a week.
        step = 7 * kDay * ((span / (7 * kDay)) / maxTicks + 1);
    }
    out.stepMs = step;

    // Round in local time so ticks land on the zone's clock (03:00, midnight).
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(fromMs, zone);
    const std::int64_t offsetMs = std::int64_t(start.offsetFromUtc()) * 1000;
    std::int64_t local = fromMs + offsetMs;
    std::int64_t first = (local / step) * step;
    if (first < local)
        first += step;
    int previousDay = -1;
    for (std::int64_t l = first; l - offsetMs <= toMs; l += step) {
        const std::int64_t t = l - offsetMs;
        const QDateTime dt = QDateTime::fromMSecsSinceEpoch(t, zone);
        const int day = dt.date().day();
        const bool newDay = previousDay != -1 && day != previousDay;
        previousDay = day;
        out.ticks.push_back({t, timeLabel(dt, step, newDay)});
        if (out.ticks.size() > maxTicks * 2)
            break; // guard against odd zone offsets
    }
    return out;
}

} // namespace spyglass::gui::widgets
