#pragma once

#include "core/model/result.h"

#include <QString>
#include <QVariantMap>

namespace spyglass::plugins::common {

// A duration option of a trace search ("minDuration": "100ms", "1.5s") as the
// "<n>ms" both Tempo and Jaeger accept; empty when the option is unset, an
// error naming the option when it is not a duration.
Result<QString> durationOption(const QVariantMap &options, const QString &key);

} // namespace spyglass::plugins::common
