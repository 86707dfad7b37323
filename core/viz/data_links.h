#pragma once

#include "core/model/frame.h"

#include <QString>

namespace spyglass::viz {

// Where a data link is activated: the field and row under the mouse.
struct DataLinkContext
{
    const model::Frame *frame = nullptr;
    const model::Field *field = nullptr;
    qsizetype row = -1;
    QString fieldDisplayName;
};

// Grafana's data link variables: ${__value.raw}, ${__value.text},
// ${__value.numeric}, ${__value.time}, ${__field.name}, ${__field.displayName},
// ${__field.labels}, ${__field.labels.x}, ${__series.name}, ${__data.fields.x}
// (another field of the same row, by name, or ${__data.fields[i]}). Values are
// inserted raw; ${...:percentencode} percent-encodes. Unknown variables stay as
// written (dashboard variables were interpolated before).
QString interpolateDataLink(const QString &url, const DataLinkContext &ctx);

} // namespace spyglass::viz
