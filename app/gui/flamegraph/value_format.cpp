#include "app/gui/flamegraph/value_format.h"

#include <QStringList>
#include <cmath>

namespace spyglass::gui::flamegraph {

ValueUnit unitFromTypeId(const QString &typeId)
{
    const QStringList parts = typeId.split(u':');
    const QString unit = parts.size() > 2 ? parts[2].toLower() : QString();
    if (unit == u"nanoseconds" || unit == u"ns")
        return ValueUnit::Nanoseconds;
    if (unit == u"bytes")
        return ValueUnit::Bytes;
    return ValueUnit::Count;
}

namespace {

QString number(double v)
{
    // Three significant digits read well in tooltips and tables.
    const double a = std::abs(v);
    return QString::number(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

} // namespace

QString formatValue(std::int64_t value, ValueUnit unit)
{
    const double v = double(value);
    const double a = std::abs(v);
    switch (unit) {
    case ValueUnit::Nanoseconds:
        if (a >= 3600e9)
            return number(v / 3600e9) + QStringLiteral(" h");
        if (a >= 60e9)
            return number(v / 60e9) + QStringLiteral(" min");
        if (a >= 1e9)
            return number(v / 1e9) + QStringLiteral(" s");
        if (a >= 1e6)
            return number(v / 1e6) + QStringLiteral(" ms");
        if (a >= 1e3)
            return number(v / 1e3) + QStringLiteral(" µs");
        return QString::number(value) + QStringLiteral(" ns");
    case ValueUnit::Bytes: {
        static const char *const prefixes[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        if (a < 1024)
            return QString::number(value) + QStringLiteral(" B");
        double scaled = v / 1024;
        int i = 0;
        while (std::abs(scaled) >= 1024 && i < 4) {
            scaled /= 1024;
            ++i;
        }
        return number(scaled) + u' ' + QLatin1String(prefixes[i]);
    }
    case ValueUnit::Count:
        break;
    }
    if (a < 10'000)
        return QString::number(value);
    if (a < 1e6)
        return number(v / 1e3) + QStringLiteral(" k");
    if (a < 1e9)
        return number(v / 1e6) + QStringLiteral(" M");
    return number(v / 1e9) + QStringLiteral(" G");
}

QString formatShare(double fraction)
{
    const double pct = fraction * 100;
    if (pct == 0)
        return QStringLiteral("0 %");
    return QString::number(pct, 'f', std::abs(pct) >= 10 ? 1 : 2) + QStringLiteral(" %");
}

} // namespace spyglass::gui::flamegraph
