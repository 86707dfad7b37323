#pragma once

#include <QString>
#include <QStringList>

namespace spyglass::viz {

// Grafana panel type ids Spyglass renders natively (after legacy migration:
// graph->timeseries, singlestat->stat, table-old->table,
// grafana-piechart-panel->piechart). "row" is a layout element, listed so a
// dashboard check does not flag it.
QStringList supportedPanelTypes();
bool isSupportedPanelType(const QString &type);

} // namespace spyglass::viz
