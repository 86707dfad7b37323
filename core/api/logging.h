#pragma once

#include <QLoggingCategory>

namespace spyglass::api {
// "spyglass.api": the embedded HTTP server and the APIs served on it.
Q_DECLARE_LOGGING_CATEGORY(lcApi)
} // namespace spyglass::api
