#include "core/viz/units.h"

#include <QHash>
#include <QStringList>
#include <cmath>
#include <functional>

namespace spyglass::viz {

namespace {

using Formatter = std::function<FormattedValue(double, std::optional<int>)>;

QString jsNumber(double v)
{
    // JavaScript's String(number) for the values toFixed() produces: shortest
    // round-trip representation, no trailing zeros.
    if (v == 0)
        return QStringLiteral("0");
    QString s = QString::number(v, 'g', 15);
    if (s.contains(u'e')) {
        const double back = s.toDouble();
        if (back == v)
            return s;
    }
    return s;
}

FormattedValue fixedUnit(double v, std::optional<int> d, const QString &unit)
{
    return {{}, toFixed(v, d), unit.isEmpty() ? QString() : u' ' + unit};
}

FormattedValue fixedScaled(double v, std::optional<int> d, const QString &suffix)
{
    return {{}, toFixed(v, d), suffix};
}

double logb(double base, double v) { return std::log(v) / std::log(base); }

// Grafana's scaledUnits(): divide by factor^k, k from the magnitude, clamped
// to the suffixes available.
FormattedValue scaled(double v, std::optional<int> d, double factor, const QStringList &suffixes, int offset = 0)
{
    if (!std::isfinite(v))
        return {{}, std::isnan(v) ? QStringLiteral("NaN") : (v > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity")), {}};
    const int siIndex = v == 0 ? 0 : int(std::floor(logb(factor, std::abs(v))));
    const int idx = std::clamp(offset + siIndex, 0, int(suffixes.size()) - 1);
    return {{}, toFixed(v / std::pow(factor, idx - offset), d), suffixes.at(idx)};
}

FormattedValue binaryPrefix(double v, std::optional<int> d, const QString &unit, int offset = 0)
{
    static const QStringList prefixes = {QString(), QStringLiteral("Ki"), QStringLiteral("Mi"), QStringLiteral("Gi"),
                                         QStringLiteral("Ti"), QStringLiteral("Pi"), QStringLiteral("Ei"),
                                         QStringLiteral("Zi"), QStringLiteral("Yi")};
    QStringList units;
    for (qsizetype i = offset; i < prefixes.size(); ++i)
        units << u' ' + prefixes.at(i) + unit;
    return scaled(v, d, 1024, units);
}

FormattedValue siPrefix(double v, std::optional<int> d, const QString &unit, int offset = 0)
{
    static const QStringList prefixes = {QStringLiteral("f"), QStringLiteral("p"), QStringLiteral("n"),
                                         QStringLiteral("µ"), QStringLiteral("m"), QString(),
                                         QStringLiteral("k"), QStringLiteral("M"), QStringLiteral("G"),
                                         QStringLiteral("T"), QStringLiteral("P"), QStringLiteral("E"),
                                         QStringLiteral("Z"), QStringLiteral("Y")};
    QStringList units;
    for (const QString &p : prefixes)
        units << u' ' + p + unit;
    return scaled(v, d, 1000, units, 5 + offset);
}

FormattedValue countUnit(double v, std::optional<int> d, const QString &symbol)
{
    static const QStringList units = {QString(), QStringLiteral("K"), QStringLiteral("M"), QStringLiteral("B"),
                                      QStringLiteral("T")};
    FormattedValue f = scaled(v, d, 1000, units);
    f.suffix += u' ' + symbol;
    return f;
}

FormattedValue shortUnit(double v, std::optional<int> d)
{
    static const QStringList units = {QString(), QStringLiteral(" K"), QStringLiteral(" Mil"), QStringLiteral(" Bil"),
                                      QStringLiteral(" Tri"), QStringLiteral(" Quadr"), QStringLiteral(" Quint"),
                                      QStringLiteral(" Sext"), QStringLiteral(" Sept")};
    return scaled(v, d, 1000, units);
}

FormattedValue toMilliSeconds(double v, std::optional<int> d);

FormattedValue toSeconds(double v, std::optional<int> d)
{
    const double a = std::abs(v);
    if (a < 1)
        return toMilliSeconds(v * 1000, d);
    if (a < 60)
        return fixedUnit(v, d, QStringLiteral("s"));
    if (a < 3600)
        return fixedScaled(v / 60, d, QStringLiteral(" min"));
    if (a < 86400)
        return fixedScaled(v / 3600, d, QStringLiteral(" hour"));
    if (a < 604800)
        return fixedScaled(v / 86400, d, QStringLiteral(" day"));
    if (a < 31536000)
        return fixedScaled(v / 604800, d, QStringLiteral(" week"));
    return fixedScaled(v / 3.15569e7, d, QStringLiteral(" year"));
}

FormattedValue toMilliSeconds(double v, std::optional<int> d)
{
    const double a = std::abs(v);
    if (a < 1000)
        return fixedUnit(v, d, QStringLiteral("ms"));
    if (a < 60000)
        return fixedScaled(v / 1000, d, QStringLiteral(" s"));
    if (a < 3600000)
        return fixedScaled(v / 60000, d, QStringLiteral(" min"));
    if (a < 86400000)
        return fixedScaled(v / 3600000, d, QStringLiteral(" hour"));
    if (a < 31536000000.0)
        return fixedScaled(v / 86400000, d, QStringLiteral(" day"));
    return fixedScaled(v / 31536000000.0, d, QStringLiteral(" year"));
}

FormattedValue toMicroSeconds(double v, std::optional<int> d)
{
    const double a = std::abs(v);
    if (a < 1000)
        return fixedUnit(v, d, QStringLiteral("µs"));
    if (a < 1000000)
        return fixedScaled(v / 1000, d, QStringLiteral(" ms"));
    return fixedScaled(v / 1000000, d, QStringLiteral(" s"));
}

FormattedValue toNanoSeconds(double v, std::optional<int> d)
{
    const double a = std::abs(v);
    if (a < 1000)
        return fixedUnit(v, d, QStringLiteral("ns"));
    if (a < 1e6)
        return fixedScaled(v / 1e3, d, QStringLiteral(" µs"));
    if (a < 1e9)
        return fixedScaled(v / 1e6, d, QStringLiteral(" ms"));
    if (a < 60e9)
        return fixedScaled(v / 1e9, d, QStringLiteral(" s"));
    if (a < 3600e9)
        return fixedScaled(v / 60e9, d, QStringLiteral(" min"));
    if (a < 86400e9)
        return fixedScaled(v / 3600e9, d, QStringLiteral(" hour"));
    return fixedScaled(v / 86400e9, d, QStringLiteral(" day"));
}

const QHash<QString, Formatter> &formatters()
{
    static const QHash<QString, Formatter> table = [] {
        QHash<QString, Formatter> t;
        auto add = [&t](const char *id, Formatter f) { t.insert(QString::fromUtf8(id), std::move(f)); };
        add("none", [](double v, std::optional<int> d) { return FormattedValue{{}, toFixed(v, d), {}}; });
        add("short", shortUnit);
        add("percent", [](double v, std::optional<int> d) { return FormattedValue{{}, toFixed(v, d), QStringLiteral("%")}; });
        add("percentunit", [](double v, std::optional<int> d) { return FormattedValue{{}, toFixed(100 * v, d), QStringLiteral("%")}; });
        add("s", toSeconds);
        add("ms", toMilliSeconds);
        add("µs", toMicroSeconds);
        add("us", toMicroSeconds);
        add("ns", toNanoSeconds);
        add("m", [](double v, std::optional<int> d) { return toSeconds(v * 60, d); });
        add("h", [](double v, std::optional<int> d) { return toSeconds(v * 3600, d); });
        add("d", [](double v, std::optional<int> d) { return toSeconds(v * 86400, d); });
        add("bytes", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("B")); });
        add("decbytes", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("B")); });
        add("bits", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("b")); });
        add("decbits", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("b")); });
        add("kbytes", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("B"), 1); });
        add("mbytes", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("B"), 2); });
        add("gbytes", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("B"), 3); });
        add("deckbytes", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("B"), 1); });
        add("decmbytes", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("B"), 2); });
        add("decgbytes", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("B"), 3); });
        add("bps", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("bps")); });
        add("Bps", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("B/s")); });
        add("binbps", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("b/s")); });
        add("binBps", [](double v, std::optional<int> d) { return binaryPrefix(v, d, QStringLiteral("B/s")); });
        add("pps", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("p/s")); });
        add("hertz", [](double v, std::optional<int> d) { return siPrefix(v, d, QStringLiteral("Hz")); });
        add("reqps", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("req/s")); });
        add("rps", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("req/s")); });
        add("ops", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("ops/s")); });
        add("wps", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("wr/s")); });
        add("iops", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("io/s")); });
        add("reqpm", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("req/min")); });
        add("opm", [](double v, std::optional<int> d) { return countUnit(v, d, QStringLiteral("ops/min")); });
        add("celsius", [](double v, std::optional<int> d) { return FormattedValue{{}, toFixed(v, d), QStringLiteral("°C")}; });
        add("fahrenheit", [](double v, std::optional<int> d) { return FormattedValue{{}, toFixed(v, d), QStringLiteral("°F")}; });
        add("currencyUSD", [](double v, std::optional<int> d) {
            FormattedValue f = scaled(v, d, 1000, {QString(), QStringLiteral("K"), QStringLiteral("M"), QStringLiteral("B"), QStringLiteral("T")});
            f.prefix = QStringLiteral("$");
            return f;
        });
        add("currencyEUR", [](double v, std::optional<int> d) {
            FormattedValue f = scaled(v, d, 1000, {QString(), QStringLiteral("K"), QStringLiteral("M"), QStringLiteral("B"), QStringLiteral("T")});
            f.prefix = QStringLiteral("€");
            return f;
        });
        add("bool", [](double v, std::optional<int>) { return FormattedValue{{}, v != 0 ? QStringLiteral("True") : QStringLiteral("False"), {}}; });
        add("bool_on_off", [](double v, std::optional<int>) { return FormattedValue{{}, v != 0 ? QStringLiteral("On") : QStringLiteral("Off"), {}}; });
        add("bool_yes_no", [](double v, std::optional<int>) { return FormattedValue{{}, v != 0 ? QStringLiteral("Yes") : QStringLiteral("No"), {}}; });
        return t;
    }();
    return table;
}

} // namespace

int decimalsForValue(double value)
{
    const double a = std::abs(value);
    if (a == 0 || !std::isfinite(a))
        return 0;
    const int log10 = int(std::floor(std::log(a) / std::log(10.0)));
    int dec = -log10 + 1;
    const double magn = std::pow(10.0, -dec);
    const double norm = a / magn;
    if (norm > 2.25)
        ++dec;
    if (std::fmod(value, 1.0) == 0)
        dec = 0;
    return std::max(0, dec);
}

QString toFixed(double value, std::optional<int> decimals)
{
    if (std::isnan(value))
        return QStringLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    const int dec = std::max(0, decimals.value_or(decimalsForValue(value)));
    if (value == 0)
        return QString::number(0.0, 'f', dec);
    const double factor = dec ? std::pow(10.0, dec) : 1.0;
    const QString formatted = jsNumber(std::round(value * factor) / factor);
    if (formatted.contains(u'e'))
        return formatted;
    const qsizetype dot = formatted.indexOf(u'.');
    const int precision = dot < 0 ? 0 : int(formatted.size() - dot - 1);
    if (precision < dec)
        return (precision ? formatted : formatted + u'.') + QString(dec - precision, u'0');
    return formatted;
}

FormattedValue formatValue(double value, const QString &unit, std::optional<int> decimals)
{
    if (std::isnan(value))
        return {{}, QStringLiteral("NaN"), {}};
    if (unit.isEmpty())
        return {{}, toFixed(value, decimals), {}};
    if (unit.startsWith(u"suffix:"))
        return {{}, toFixed(value, decimals), unit.mid(7)};
    if (unit.startsWith(u"prefix:"))
        return {unit.mid(7), toFixed(value, decimals), {}};
    if (unit.startsWith(u"si:"))
        return siPrefix(value, decimals, unit.mid(3));
    if (unit.startsWith(u"count:"))
        return countUnit(value, decimals, unit.mid(6));
    const auto &t = formatters();
    if (auto it = t.constFind(unit); it != t.constEnd())
        return (*it)(value, decimals);
    return {{}, toFixed(value, decimals), u' ' + unit};
}

bool isKnownUnit(const QString &unit)
{
    return unit.isEmpty() || formatters().contains(unit) || unit.startsWith(u"suffix:") || unit.startsWith(u"prefix:")
        || unit.startsWith(u"si:") || unit.startsWith(u"count:");
}

} // namespace spyglass::viz
