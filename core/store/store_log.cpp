#include "core/store/store_log.h"

namespace spyglass::store {
Q_LOGGING_CATEGORY(lcStore, "spyglass.store")
}
