#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QString>

namespace spyglass::formats {

struct PprofWriteOptions
{
    bool gzip = true; // what `go tool pprof` and Pyroscope write
};

// Writes a model::Profile as google/pprof's perftools.profiles.Profile
// (field numbers of core/proto/pprof/profile.proto), encoded by hand so the
// writer needs no generated classes: one sample type (the profile's
// sample_type:sample_unit), the period type and period, time and
// duration, one function and one location per function name, samples
// leaf first with their labels as string labels. PprofReader reads the
// output back into an equal profile (same stacks, values and labels).
class PprofWriter
{
public:
    static QByteArray encode(const model::Profile &profile, const PprofWriteOptions &options = {});
    static Result<void> writeFile(const model::Profile &profile, const QString &path,
                                  const PprofWriteOptions &options = {});
    // gzip container (RFC 1952) around `bytes`.
    static QByteArray gzip(const QByteArray &bytes);
};

} // namespace spyglass::formats
