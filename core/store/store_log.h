#pragma once

#include <QLoggingCategory>

namespace spyglass::store {
Q_DECLARE_LOGGING_CATEGORY(lcStore)
}
