#include "core/datasource/datasource.h"

#include <algorithm>

namespace spyglass::datasource {

std::int64_t QueryRequest::effectiveStepMs() const
{
    if (stepMs > 0)
        return stepMs;
    constexpr std::int64_t kSecond = 1000;
    const std::int64_t range = std::max<std::int64_t>(0, to - from);
    const std::int64_t points = maxDataPoints > 0 ? maxDataPoints : 1000;
    // Ceil so the number of points never exceeds maxDataPoints, then to whole
    // seconds because Prometheus-style backends and their caches like round steps.
    const std::int64_t raw = (range + points - 1) / points;
    const std::int64_t seconds = (raw + kSecond - 1) / kSecond;
    return std::max<std::int64_t>(1, seconds) * kSecond;
}

QString capabilityName(Capability c)
{
    switch (c) {
    case Capability::Metrics:
        return QStringLiteral("metrics");
    case Capability::Logs:
        return QStringLiteral("logs");
    case Capability::Traces:
        return QStringLiteral("traces");
    case Capability::Profiles:
        return QStringLiteral("profiles");
    }
    return {};
}

std::optional<Capability> capabilityFromName(QStringView name)
{
    for (Capability c : allCapabilities())
        if (name == capabilityName(c))
            return c;
    return std::nullopt;
}

QStringList capabilityNames(Capabilities caps)
{
    QStringList out;
    for (Capability c : allCapabilities())
        if (caps.testFlag(c))
            out.push_back(capabilityName(c));
    return out;
}

} // namespace spyglass::datasource
