#pragma once

#include <QByteArray>
#include <QStringView>

namespace spyglass {

// Appends `s` as a quoted JSON string (UTF-8, control characters escaped).
// For the hand-written JSON of the APIs, which is much faster than
// building QJsonDocuments for large results.
void appendJsonString(QByteArray &out, QStringView s);

} // namespace spyglass
