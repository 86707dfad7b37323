#pragma once

#include "core/model/result.h"
#include "core/query/memory_queryable.h"
#include "core/query/promql/engine.h"

#include <QList>
#include <QString>

namespace spyglass::query::promql {

// Runs Prometheus's promqltest scripts (promql/promqltest/README.md):
// `load`, `clear`, `eval instant at`, `eval range from .. to .. step ..`,
// `expect fail|warn|info|no_warn|no_info|ordered|string|range vector`, the
// deprecated `eval_fail/eval_warn/eval_info/eval_ordered`, and the series
// notation `1+2x3 _ stale`.
class PromqlTestRunner
{
public:
    struct CaseResult
    {
        QString file;
        int line = 0;
        QString command; // the eval line
        bool passed = false;
        QString message; // why it failed
    };

    struct FileResult
    {
        QString file;
        int passed = 0;
        int failed = 0;
        QList<CaseResult> cases;
    };

    explicit PromqlTestRunner(EngineOptions opts = {});

    FileResult runFile(const QString &path);
    FileResult runScript(const QString &script, const QString &name);

private:
    EngineOptions m_opts;
};

} // namespace spyglass::query::promql
