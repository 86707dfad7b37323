#pragma once

#include <QString>
#include <optional>

namespace spyglass::viz {

// A formatted value split the way Grafana splits it, so a stat panel can draw
// the suffix smaller than the number.
struct FormattedValue
{
    QString prefix;
    QString text;
    QString suffix;

    QString toString() const { return prefix + text + suffix; }
};

// Grafana's toFixed(): with no decimals given, as many as the magnitude needs
// (1.5 -> "1.50", 12.3 -> "12.3", 1234 -> "1234"; integers get none).
QString toFixed(double value, std::optional<int> decimals = std::nullopt);
// Grafana's automatic decimals for a value (getDecimalsForValue).
int decimalsForValue(double value);

// Formats `value` in a Grafana unit id (short, percent, percentunit, s, ms,
// µs, ns, bytes, decbytes, bits, bps, Bps, reqps, ops, none, celsius,
// currencyUSD, "suffix:<text>", "prefix:<text>", ...), with Grafana's scaling:
// 1536 bytes -> "1.50 KiB", 0.0123 s -> "12.3 ms", percentunit 0.256 -> "25.6%".
// An unknown id is appended as a suffix, like Grafana does for custom units.
FormattedValue formatValue(double value, const QString &unit, std::optional<int> decimals = std::nullopt);

// Whether the id is one formatValue() knows (not just a custom suffix).
bool isKnownUnit(const QString &unit);

} // namespace spyglass::viz
