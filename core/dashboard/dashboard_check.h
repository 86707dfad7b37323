#pragma once

#include "core/dashboard/dashboard.h"
#include "core/dashboard/datasource_mapper.h"

#include <QList>
#include <QString>

namespace spyglass::dashboard {

// One line of `spyglass-core dashboard check`.
struct PanelCheck
{
    int id = -1;
    QString title;
    QString type;       // after migration
    QString datasource; // as referenced ("mimir (prometheus)", "default", "-- Mixed --")
    bool supported = false;
    QString reason;     // "supported", "migrated from graph", "unsupported panel type ..."
    QString rowTitle;   // the row it sits in, if any
};

// Every panel of the dashboard (rows' children included, rows themselves
// not): whether Spyglass renders its type, and why not. Datasource
// references are reported as written; with a mapper, unmatched ones are
// flagged in the reason too (they do not make a panel unsupported).
QList<PanelCheck> checkDashboard(const Dashboard &dashboard, const DatasourceMapper *mapper = nullptr);

} // namespace spyglass::dashboard
