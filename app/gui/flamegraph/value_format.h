#pragma once

#include <QString>
#include <cstdint>

namespace spyglass::gui::flamegraph {

// What a profile's values count, so they are shown as people read them:
// CPU time as time, memory with binary prefixes, the rest as counts.
enum class ValueUnit { Count, Nanoseconds, Bytes };

// From a Pyroscope profile type id "name:sample_type:sample_unit:period_type:period_unit".
ValueUnit unitFromTypeId(const QString &typeId);

// "1.25 s", "340 ms", "12.0 MiB", "1.2 k" (counts below 10 000 are exact).
QString formatValue(std::int64_t value, ValueUnit unit);

// "12.34 %" with two decimals below 10 % and one above, "0 %" for zero.
QString formatShare(double fraction);

} // namespace spyglass::gui::flamegraph
