#pragma once

#include "core/model/label_matcher.h"
#include "core/model/result.h"

#include <QString>

namespace spyglass::query::profile {

// `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x", env=~"prod|dev"}`:
// an optional profile type id, then Prometheus-style label matchers
// (=, !=, =~, !~; "double", 'single' or `back-quoted` strings). Matchers on
// sample labels (span_id, trace_id, span_name, or any name starting with
// "sample.", written without that prefix in the profile) select stacks
// rather than series, so `{service_name="x", span_id="abc"}` is the part of
// x's profile spent in that span.
struct ProfileSelector
{
    QString typeId; // empty: any type (only allowed where the caller says so)
    model::LabelMatchers seriesMatchers;
    model::LabelMatchers stackMatchers;

    // Errors carry the query text as source and the 1-based column.
    static Result<ProfileSelector> parse(const QString &text);
    // Just `{...}` (Pyroscope's label_selector); a type id is refused.
    static Result<ProfileSelector> parseMatchers(const QString &text);
    static bool isStackLabel(const QString &name);

    QString toString() const;
};

} // namespace spyglass::query::profile
