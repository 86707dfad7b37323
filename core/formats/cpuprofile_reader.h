#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace spyglass::formats {

struct CpuprofileReadOptions
{
    model::Labels labels;
    // V8's timestamps are monotonic microseconds, not the epoch: the caller
    // says when the recording was made (0 = unknown).
    model::TimestampNs time = 0;
};

// Reads a V8 / Chrome DevTools .cpuprofile (node --cpu-prof): the node tree
// {id, callFrame{functionName,url,lineNumber}, children} and the sample
// list with its time deltas. Produces
// "process_cpu:samples:count:cpu:nanoseconds" (1 per sample) and
// "process_cpu:cpu:nanoseconds:cpu:nanoseconds" (each sample weighted with
// the time until the next one, as DevTools does). The "(root)" node is
// dropped; anonymous functions are named "(anonymous) url:line".
class CpuprofileReader
{
public:
    static Result<QList<model::Profile>> parse(const QByteArray &json, const QString &source,
                                               const CpuprofileReadOptions &options = {});
    static Result<QList<model::Profile>> readFile(const QString &path,
                                                  const CpuprofileReadOptions &options = {});
};

} // namespace spyglass::formats
