#pragma once

#include "core/model/result.h"

#include <QString>
#include <functional>
#include <memory>

namespace spyglass::query::logql {

// What a template sees: label values, the current line and its time.
struct TemplateContext
{
    std::function<QString(const QString &)> label; // "" when absent
    QString line;
    std::int64_t timeNs = 0;
};

// The Go text/template subset line_format and label_format use:
// `{{.label}}`, pipelines `{{ .a | ToUpper }}`, `{{ printf "%s" .a }}`,
// `{{ if ... }}{{ else if ... }}{{ else }}{{ end }}`, `{{-`/`-}}` trimming,
// `__line__`, `__timestamp__`, and Loki's function set (ToUpper, ToLower,
// default, regexReplaceAll, trim*, replace, substr, printf, date, unixEpoch,
// add/sub/mul/div, eq/ne/lt/gt, and/or/not, ...).
class LineTemplate
{
public:
    static Result<LineTemplate> parse(const QString &text);
    LineTemplate();
    ~LineTemplate();
    LineTemplate(const LineTemplate &);
    LineTemplate &operator=(const LineTemplate &);

    Result<QString> render(const TemplateContext &ctx) const;
    bool usesLine() const;

    struct Node;

private:
    std::shared_ptr<const Node> m_root;
    bool m_usesLine = false;
};

} // namespace spyglass::query::logql
