#pragma once

#include "core/model/labels.h"

#include <QColor>
#include <QString>
#include <QStringView>
#include <cstdint>

namespace spyglass::gui::logs {

// Grafana's log levels, in the order the volume histogram stacks them.
enum class LogLevel : std::uint8_t { Unknown, Trace, Debug, Info, Warn, Error, Critical };
inline constexpr int kLogLevelCount = 7;

QString logLevelName(LogLevel level);
QColor logLevelColor(LogLevel level);
// "warning", "WARN", "err", "fatal", "3" (syslog) ... -> the level; Unknown otherwise.
LogLevel parseLogLevel(QStringView text);

// The level of a line the way Grafana guesses it: a level-ish label first
// (level, detected_level, severity, lvl, loglevel), then `level=x` /
// `"level":"x"` in the line, then a bare ERROR/WARN/INFO/... word near the
// start. Only the first few hundred characters are looked at, because this
// runs for every one of a million lines.
LogLevel detectLogLevel(const model::Labels &labels, const model::Labels &metadata,
                        const model::Labels &parsed, QStringView line);

} // namespace spyglass::gui::logs
