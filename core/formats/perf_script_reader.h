#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace spyglass::formats {

struct PerfScriptReadOptions
{
    model::Labels labels;
    // perf's timestamps count from boot, not the epoch: the caller says
    // when the recording was made (0 = unknown).
    model::TimestampNs time = 0;
};

// Reads the text of `perf script` (perf record -g, frame pointer or DWARF
// call graphs): a header line per sample ("comm pid[/tid] [cpu] time:
// [period] event:"), then one "\taddr symbol+0xoff (dso)" line per frame,
// leaf first, and a blank line. Symbols lose their +0x offset; unknown
// symbols become "[dso basename]" so they still say where they are.
//
// Produces "process_cpu:samples:count:cpu:nanoseconds" (1 per sample) and,
// when headers carry periods, a second profile of the summed periods:
// "process_cpu:cpu:nanoseconds:cpu:nanoseconds" for cpu-clock/task-clock
// (their period is nanoseconds), "perf_<event>:<event>:count:<event>:count"
// for other events. Each stack carries a `comm` label.
class PerfScriptReader
{
public:
    static Result<QList<model::Profile>> parse(QByteArrayView text, const QString &source,
                                               const PerfScriptReadOptions &options = {});
    static Result<QList<model::Profile>> readFile(const QString &path,
                                                  const PerfScriptReadOptions &options = {});
    // Whether text starts like perf script output (for format sniffing).
    static bool looksLikePerfScript(QByteArrayView head);
};

} // namespace spyglass::formats
