#pragma once

#include <QColor>
#include <QString>
#include <QStringView>

namespace spyglass::gui::flamegraph {

// The package/module part of a function name, which frames are coloured by:
//   Go   "encoding/json.(*decodeState).value" -> "encoding/json", "main.run" -> "main"
//   C++  "std::vector<int>::push_back" -> "std"
//   JS   "app.js:handleRequest" -> "app.js"
//   perf "[kernel.kallsyms]" and plain names -> the name itself
QString packageOf(QStringView function);

// A stable colour per package: the same package gets the same colour in
// every profile and every run (not Qt's per-process randomised qHash).
QColor packageColor(QStringView package);

// Self share mode: cool grey (no self time) to hot orange-red (the biggest
// self share in view); `intensity` in [0, 1].
QColor selfShareColor(double intensity);

enum class DiffPalette { RedBlue, BlueOrange };

// delta in [-1, 1]: relative change, positive = grew in the comparison.
// Red/blue: red grew, blue shrank. Blue/orange (colour-blind safe): orange
// grew, blue shrank. Zero is a neutral grey.
QColor diffColor(double delta, DiffPalette palette);

// Black or white, whichever reads better on `background`.
QColor textColorOn(const QColor &background);

} // namespace spyglass::gui::flamegraph
