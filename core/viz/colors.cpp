#include "core/viz/colors.h"

#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>

namespace spyglass::viz {

namespace {

const QHash<QString, QColor> &namedColors()
{
    // Grafana's dark-theme palette (packages/grafana-data/src/themes/palette).
    static const QHash<QString, QColor> table = [] {
        QHash<QString, QColor> t;
        auto add = [&t](const char *hue, const char *dark, const char *semiDark, const char *main, const char *light,
                        const char *superLight) {
            const QString h = QString::fromLatin1(hue);
            t.insert(QStringLiteral("dark-") + h, QColor(QString::fromLatin1(dark)));
            t.insert(QStringLiteral("semi-dark-") + h, QColor(QString::fromLatin1(semiDark)));
            t.insert(h, QColor(QString::fromLatin1(main)));
            t.insert(QStringLiteral("light-") + h, QColor(QString::fromLatin1(light)));
            t.insert(QStringLiteral("super-light-") + h, QColor(QString::fromLatin1(superLight)));
        };
        add("red", "#C4162A", "#E02F44", "#F2495C", "#FF7383", "#FFA6B0");
        add("orange", "#FA6400", "#FF780A", "#FF9830", "#FFB357", "#FFCB7D");
        add("yellow", "#E0B400", "#F2CC0C", "#FADE2A", "#FFEE52", "#FFF899");
        add("green", "#37872D", "#56A64B", "#73BF69", "#96D98D", "#C8F2C2");
        add("blue", "#1F60C4", "#3274D9", "#5794F2", "#8AB8FF", "#C0D8FF");
        add("purple", "#8F3BB8", "#A352CC", "#B877D9", "#CA95E5", "#DEB6F2");
        t.insert(QStringLiteral("text"), QColor(0xcc, 0xcc, 0xdc));
        t.insert(QStringLiteral("transparent"), QColor(0, 0, 0, 0));
        t.insert(QStringLiteral("white"), QColor(Qt::white));
        t.insert(QStringLiteral("black"), QColor(Qt::black));
        return t;
    }();
    return table;
}

QColor lerp(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QColor gradient(const QList<QColor> &stops, double t)
{
    t = std::clamp(std::isnan(t) ? 0.0 : t, 0.0, 1.0);
    if (stops.size() == 1)
        return stops.front();
    const double pos = t * double(stops.size() - 1);
    const int i = std::min(int(pos), int(stops.size()) - 2);
    return lerp(stops.at(i), stops.at(i + 1), pos - i);
}

} // namespace

QColor resolveColor(const QString &name)
{
    const QString n = name.trimmed();
    if (auto it = namedColors().constFind(n); it != namedColors().constEnd())
        return *it;
    if (n.startsWith(u'#'))
        return QColor(n);
    static const QRegularExpression rgb(QStringLiteral(R"(^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$)"));
    if (const auto m = rgb.match(n); m.hasMatch()) {
        QColor c(int(m.captured(1).toDouble()), int(m.captured(2).toDouble()), int(m.captured(3).toDouble()));
        if (m.hasCaptured(4) && !m.captured(4).isEmpty())
            c.setAlphaF(float(m.captured(4).toDouble()));
        return c;
    }
    const QColor c(n); // CSS names like "dark" are invalid and stay so
    return c;
}

QColor classicPaletteColor(int index)
{
    // Grafana's classic palette, in its order.
    static const QList<QColor> palette = {
        QColor(0x73BF69), QColor(0xF2CC0C), QColor(0x8AB8FF), QColor(0xFF780A), QColor(0xF2495C),
        QColor(0x5794F2), QColor(0xB877D9), QColor(0x705DA0), QColor(0x37872D), QColor(0xFADE2A),
        QColor(0x447EBC), QColor(0xC15C17), QColor(0x890F02), QColor(0x0A437C), QColor(0x6D1F62),
        QColor(0x584477), QColor(0xB7DBAB), QColor(0xF4D598), QColor(0x70DBED), QColor(0xF9BA8F),
        QColor(0xF29191), QColor(0x82B5D8), QColor(0xE5A8E2), QColor(0xAEA2E0), QColor(0x629E51),
        QColor(0xE5AC0E), QColor(0x64B0C8), QColor(0xE0752D), QColor(0xBF1B00), QColor(0x0A50A1),
        QColor(0x962D82), QColor(0x614D93)};
    const int n = int(palette.size());
    return palette.at(((index % n) + n) % n);
}

bool isContinuousScheme(const QString &modeId) { return modeId.startsWith(u"continuous-"); }

QColor continuousColor(const QString &schemeId, double t)
{
    const QColor green = resolveColor(QStringLiteral("green")), yellow = resolveColor(QStringLiteral("yellow")),
                 red = resolveColor(QStringLiteral("red")), blue = resolveColor(QStringLiteral("blue")),
                 purple = resolveColor(QStringLiteral("purple"));
    if (schemeId == u"continuous-RdYlGr")
        return gradient({red, yellow, green}, t);
    if (schemeId == u"continuous-BlYlRd")
        return gradient({blue, yellow, red}, t);
    if (schemeId == u"continuous-YlRd")
        return gradient({yellow, red}, t);
    if (schemeId == u"continuous-BlPu")
        return gradient({blue, purple}, t);
    if (schemeId == u"continuous-YlBl")
        return gradient({yellow, blue}, t);
    if (schemeId == u"continuous-blues")
        return gradient({resolveColor(QStringLiteral("super-light-blue")), resolveColor(QStringLiteral("dark-blue"))}, t);
    if (schemeId == u"continuous-reds")
        return gradient({resolveColor(QStringLiteral("super-light-red")), resolveColor(QStringLiteral("dark-red"))}, t);
    if (schemeId == u"continuous-greens")
        return gradient({resolveColor(QStringLiteral("super-light-green")), resolveColor(QStringLiteral("dark-green"))}, t);
    if (schemeId == u"continuous-purples")
        return gradient({resolveColor(QStringLiteral("super-light-purple")), resolveColor(QStringLiteral("dark-purple"))}, t);
    return gradient({green, yellow, red}, t);
}

} // namespace spyglass::viz
