#pragma once

#include <QLoggingCategory>

namespace spyglass::ingest {
// "spyglass.ingest": receivers and the scraper.
Q_DECLARE_LOGGING_CATEGORY(lcIngest)
} // namespace spyglass::ingest
