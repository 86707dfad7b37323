#pragma once

#include "core/model/labels.h"

#include <QString>
#include <QStringList>

namespace spyglass::gui::logs {

// Edits LogQL text the way Grafana's "filter for / filter out" buttons do,
// keeping the rest of the query (spacing, comments) as typed. Works on
// half-valid queries too: it only needs the first stream selector.
class LogqlQueryRewriter
{
public:
    // Stream scope: `{a="b"}` -> `{a="b", label="value"}` (or `!=`).
    // Pipeline scope: appends ` | label="value"` (or `!=`) at the end of the
    // first selector's pipeline, i.e. before a metric query's `[range]`.
    // A filter already present is not added twice; the opposite one is
    // replaced. An empty query becomes `{label="value"}`.
    static QString addLabelFilter(const QString &query, const QString &label, const QString &value,
                                  bool include, bool streamScope);
    // ` |= "text"` (or `!=`) appended to the pipeline, as above.
    static QString addLineFilter(const QString &query, const QString &text, bool include);

    // The strings of positive line filters (`|= "x"`, and `|~ "x"` when x
    // has no regex metacharacters), for highlighting matches.
    static QStringList lineFilterTerms(const QString &query);

    // `{a="b", c="d"}`, for "show context" queries.
    static QString selectorFor(const model::Labels &labels);
    // Go string literal: "...", with \ and " escaped.
    static QString quote(const QString &value);

    // Where the first stream selector's pipeline ends (index into query),
    // and the selector's [open, close] braces; false when there is none.
    static bool locate(const QString &query, qsizetype *open, qsizetype *close, qsizetype *pipelineEnd);
};

} // namespace spyglass::gui::logs
