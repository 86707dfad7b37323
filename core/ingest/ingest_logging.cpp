#include "core/ingest/ingest_logging.h"

namespace spyglass::ingest {
Q_LOGGING_CATEGORY(lcIngest, "spyglass.ingest")
} // namespace spyglass::ingest
