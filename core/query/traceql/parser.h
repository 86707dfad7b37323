#pragma once

#include "core/model/result.h"
#include "core/query/traceql/ast.h"

namespace spyglass::query::traceql {

// TraceQL as Tempo documents it, parsed into a Query. Errors carry the
// 1-based column (line 1) of the offending token in Error::column and the
// query in Error::source.
class TraceqlParser
{
public:
    static Result<Query> parse(const QString &query);
};

} // namespace spyglass::query::traceql
