#pragma once

#include <QLoggingCategory>

namespace spyglass::datasource {
// "spyglass.datasource": plugin discovery and datasource creation.
Q_DECLARE_LOGGING_CATEGORY(lcDatasource)
} // namespace spyglass::datasource
