#pragma once

#include "core/model/frame.h"
#include "core/model/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

namespace spyglass::viz {

// Grafana's panel transformations over frames, in the JSON shape dashboards
// store ({"id": "...", "options": {...}, "disabled": false}). Supported ids:
// reduce, organize, merge, labelsToFields, joinByField (alias
// seriesToColumns), filterByValue, filterFieldsByName, calculateField,
// sortBy, limit, seriesToRows, renameByRegex, groupBy.
QStringList supportedTransformations();

// Applies the transformations in order; disabled ones are skipped. An unknown
// id or malformed options give an error naming the transformation's position.
Result<model::Frames> applyTransformations(const model::Frames &frames, const QJsonArray &transformations);
Result<model::Frames> applyTransformation(const model::Frames &frames, const QString &id, const QJsonObject &options);

// Row-picking helper shared with table views: a field with the given rows
// (-1 = null: NaN for numbers, empty for strings). Int64 fields with nulls
// become Float64 so nulls stay visible.
model::Field pickRows(const model::Field &field, const QList<qsizetype> &rows);
// The same field under a new name (labels dropped, since a rename replaces
// the label-derived display name).
model::Field renamedField(const model::Field &field, const QString &name);

} // namespace spyglass::viz
