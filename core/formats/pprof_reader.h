#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace spyglass::formats {

struct PprofReadOptions
{
    // Pyroscope profile name (the first part of the type id, e.g.
    // "process_cpu"); empty: guessed from the period type, see
    // PprofReader::profileName().
    QString name;
    // Series labels given to every profile read (e.g. service_name).
    model::Labels labels;
    // Largest accepted decompressed size: a gzip bomb fails instead of
    // exhausting memory.
    qint64 maxDecompressedBytes = qint64(1) << 30;
};

// Reads a pprof profile (google/pprof's perftools.profiles.Profile,
// gzip'd or not) into one model::Profile per sample type, named with
// Pyroscope's type ids (name:sample_type:sample_unit:period_type:period_unit).
// Locations become function frames leaf first, inlined lines expanded
// (line[0] is the innermost call, as in pprof); locations without symbols
// become their address ("0x4b8704"). Sample labels, string and numeric,
// become the stack's labels. Identical stacks with identical labels are
// summed, and stacks whose value is 0 for a sample type are left out of
// that type's profile.
//
// Every index is checked (string table, location, function and mapping
// ids); errors name the source and what is wrong where ("sample 12:
// location id 99 does not exist", "byte 4711: truncated field").
class PprofReader
{
public:
    static Result<QList<model::Profile>> parse(const QByteArray &bytes, const QString &source,
                                               const PprofReadOptions &options = {});
    static Result<QList<model::Profile>> readFile(const QString &path,
                                                  const PprofReadOptions &options = {});

    // Pyroscope's profile name for a period type: cpu -> process_cpu,
    // space/inuse_space/alloc_space -> memory, wall -> wall,
    // contentions -> mutex (Go's block profile reports "delay" sample types
    // under "contentions" too and cannot be told apart; callers who know
    // pass options.name), goroutine -> goroutines; otherwise the period type
    // itself, or the first sample type when there is no period type.
    static QString profileName(const QString &periodType, const QString &firstSampleType);

    // Inflates gzip/zlib data (used for pprof and for request bodies).
    static Result<QByteArray> gunzip(const QByteArray &bytes, const QString &source,
                                     qint64 maxBytes = qint64(1) << 30);
};

} // namespace spyglass::formats
