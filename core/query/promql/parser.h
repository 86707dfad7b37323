#pragma once

#include "core/model/result.h"
#include "core/query/promql/ast.h"
#include "core/query/promql/lexer.h"

#include <QString>

namespace spyglass::query::promql {

// Recursive-descent parser for the full PromQL grammar of current Prometheus,
// with its type checks. Errors read like Prometheus's:
// `1:8: parse error: unexpected end of input` (Error::toString()).
class PromqlParser
{
public:
    static Result<ExprPtr> parse(const QString &query);

    // A series selector alone (`foo{a="b"}`), as /api/v1/series' match[] takes.
    static Result<model::LabelMatchers> parseSelector(const QString &text);
};

} // namespace spyglass::query::promql
