#pragma once

#include "app/gui/flamegraph/call_tree.h"
#include "core/model/profile.h"
#include "core/model/result.h"

#include <QStringList>
#include <memory>

namespace spyglass::gui::flamegraph {

// Everything the flame-graph page asks for, as plain data so the work runs on
// the thread pool: the profile(s) and the view transformations, by function
// name (names are stable; ids differ between a profile and a diff).
struct FlameGraphRequest
{
    std::shared_ptr<const model::Profile> profile;  // the one shown (B in a diff)
    std::shared_ptr<const model::Profile> baseline; // A, for the diff; may be null
    bool collapseRecursion = false;
    QString focusFunction; // empty: whole profile
    QStringList hiddenFunctions;
    QString sandwichFunction; // empty: no sandwich
};

struct FlameGraphResult
{
    std::shared_ptr<const CallTree> tree;    // main flame graph
    std::shared_ptr<const CallTree> callers; // sandwich, when asked
    std::shared_ptr<const CallTree> callees;
    std::shared_ptr<const CallTree> diff; // when a baseline is given
};

// Pure and thread-safe: hide, then collapse recursion, then focus.
FlameGraphResult buildFlameGraphs(const FlameGraphRequest &request);

// A profile file by content: pprof (gzip'd or not), `perf script` text, a V8
// .cpuprofile, or folded stacks. One profile per sample type.
Result<QList<model::Profile>> loadProfileFile(const QString &path);

// The sample type a person most likely wants first: CPU time or in-use
// memory rather than sample or object counts.
int preferredProfileIndex(const QList<model::Profile> &profiles);

} // namespace spyglass::gui::flamegraph
