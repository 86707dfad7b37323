#pragma once

#include "core/model/result.h"
#include "core/query/logql/ast.h"

#include <optional>

namespace spyglass::query::logql {

// Parses LogQL as Loki 3 documents it. Errors use Loki's wording and carry
// the position (Error::line / Error::column, 1-based), e.g.
// `parse error at line 1, col 8: syntax error: unexpected IDENTIFIER`.
class LogqlParser
{
public:
    static Result<ExprPtr> parse(const QString &query);
    // Just the stream selector `{...}` (series / labels API `match[]` / `query`).
    static Result<model::LabelMatchers> parseSelector(const QString &selector);
};

// Go's time.ParseDuration plus Prometheus's d/w/y: "1h30m", "1.5s", "250ms",
// "3us". Returns seconds.
std::optional<double> parseGoDuration(QStringView text);
// go-humanize's ParseBytes: "10KB" (1000s), "10KiB" (1024s), "5 MB", "42".
std::optional<double> parseHumanBytes(QStringView text);

} // namespace spyglass::query::logql
