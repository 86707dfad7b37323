#pragma once

#include "core/model/result.h"
#include "core/model/sample.h"

#include <QDateTime>
#include <QString>
#include <cstdint>

namespace spyglass::model {

// Prometheus-style durations: "1h30m", "5m", "250ms", "2d", "1w", "1y".
// Returns milliseconds. Plain numbers are seconds and may be fractional
// ("1.5" = 1500 ms), as the HTTP API's step parameter allows.
Result<std::int64_t> parseDuration(QStringView text);
QString formatDuration(std::int64_t ms); // "1h30m", "15s", "250ms"

// A point in time as the APIs accept it: RFC 3339 or Unix seconds
// (fractional allowed). Returns Unix milliseconds.
Result<TimestampMs> parseTimestamp(QStringView text);

// A time range as Grafana users write it: each end is either absolute
// (RFC 3339, Unix seconds or milliseconds) or relative to now, like
// "now", "now-6h", "now-1d/d" (rounded to the start of the day) or "now/w".
// The raw text is kept so a relative range moves with the clock.
class TimeRange
{
public:
    TimeRange() = default;
    static Result<TimeRange> parse(const QString &from, const QString &to);
    static TimeRange absolute(TimestampMs from, TimestampMs to);
    static TimeRange lastMs(std::int64_t ms); // "now-<d>" to "now"

    const QString &fromText() const { return m_from; }
    const QString &toText() const { return m_to; }
    bool isRelative() const;

    // Resolves both ends against `nowMs` (UTC). Rounding (`/d`) uses UTC.
    TimestampMs fromMs(TimestampMs nowMs) const;
    TimestampMs toMs(TimestampMs nowMs) const;

    // "Last 6 hours" for relative ranges, otherwise "2024-01-01 10:00 to ...".
    QString displayText() const;

    friend bool operator==(const TimeRange &, const TimeRange &) = default;

private:
    QString m_from = QStringLiteral("now-1h");
    QString m_to = QStringLiteral("now");
};

// Resolves one end of a range ("now-5m", "2024-01-01T00:00:00Z", "1700000000").
Result<TimestampMs> resolveTimeExpression(QStringView text, TimestampMs nowMs, bool roundUp);

TimestampMs nowMs();

} // namespace spyglass::model
