#include "app/gui/flamegraph/frame_palette.h"

#include <array>
#include <algorithm>
#include <cmath>

namespace spyglass::gui::flamegraph {

QString packageOf(QStringView f)
{
    if (f.isEmpty())
        return {};
    // Bracketed names are modules already ([kernel.kallsyms], [unknown]).
    if (f.startsWith(u'['))
        return f.toString();
    // C++: the outermost namespace (ignoring a leading return type).
    const qsizetype paren = f.indexOf(u'(');
    const qsizetype colons = f.indexOf(u"::");
    if (colons > 0 && (paren < 0 || colons < paren)) {
        QStringView head = f.left(colons);
        const qsizetype space = head.lastIndexOf(u' ');
        if (space >= 0)
            head = head.mid(space + 1);
        return head.toString();
    }
    // JS and similar "file:function".
    const qsizetype colon = f.indexOf(u':');
    if (colon > 0 && (paren < 0 || colon < paren))
        return f.left(colon).toString();
    // Go: the import path, then the package name up to the first dot after
    // the last slash: "github.com/x/y.(*T).M" -> "github.com/x/y".
    const QStringView beforeParen = paren >= 0 ? f.left(paren) : f;
    const qsizetype slash = beforeParen.lastIndexOf(u'/');
    const qsizetype dot = f.indexOf(u'.', slash + 1);
    if (dot > 0)
        return f.left(dot).toString();
    return f.toString();
}

namespace {

// Muted, distinct hues that stay readable with dark text, close to what
// Pyroscope and Grafana's flame graph use.
constexpr std::array<unsigned, 20> kPackageColors{
    0xC9A65E, 0x8AB17D, 0xE76F51, 0x6FA8DC, 0xF4A261, 0xB59BD8, 0x7DC3B6, 0xE9C46A,
    0xD98C8C, 0x9CC36B, 0x86A9E8, 0xE0A458, 0xC38DC0, 0x74B49B, 0xD4B483, 0x9DB4C0,
    0xEF8E6B, 0xA3C4A8, 0xCBA3E0, 0xD8C15B};

std::uint32_t fnv1a(QStringView s)
{
    std::uint32_t h = 2166136261u;
    for (QChar c : s) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return h;
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    // 8-bit channels: what a raster paint device stores, so a painted pixel
    // compares equal to the colour it was painted with.
    auto channel = [t](int x, int y) { return int(std::lround(x + (y - x) * t)); };
    return QColor(channel(a.red(), b.red()), channel(a.green(), b.green()), channel(a.blue(), b.blue()));
}

} // namespace

QColor packageColor(QStringView package)
{
    return QColor::fromRgb(kPackageColors[fnv1a(package) % kPackageColors.size()]);
}

QColor selfShareColor(double intensity)
{
    const double t = std::sqrt(std::clamp(intensity, 0.0, 1.0)); // small shares still show
    return mix(QColor(0x5a, 0x60, 0x6b), QColor(0xf2, 0x5c, 0x2b), t);
}

QColor diffColor(double delta, DiffPalette palette)
{
    const QColor neutral(0x8e, 0x8e, 0x9e);
    const QColor grew = palette == DiffPalette::RedBlue ? QColor(0xe0, 0x2f, 0x44) : QColor(0xf5, 0x8c, 0x1b);
    const QColor shrank = palette == DiffPalette::RedBlue ? QColor(0x32, 0x74, 0xd9) : QColor(0x1f, 0x60, 0xc4);
    // Slightly concave: a 10 % change is tinted, a doubling is strong.
    const double t = std::pow(std::min(std::abs(delta), 1.0), 0.7);
    return mix(neutral, delta >= 0 ? grew : shrank, t);
}

QColor textColorOn(const QColor &background)
{
    const double luma = 0.299 * background.redF() + 0.587 * background.greenF() + 0.114 * background.blueF();
    return luma > 0.5 ? QColor(0x11, 0x12, 0x17) : QColor(0xf4, 0xf5, 0xf5);
}

} // namespace spyglass::gui::flamegraph
