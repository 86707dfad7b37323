#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QString>

namespace spyglass::formats {

struct FoldedReadOptions
{
    // The profile's type id; folded stacks do not say what they count.
    QString typeId = QStringLiteral("process_cpu:samples:count:cpu:nanoseconds");
    model::Labels labels;
    model::TimestampNs time = 0;
    std::int64_t durationNs = 0;
    // Every value is multiplied by this (Pyroscope's ingest turns sample
    // counts into nanoseconds with 1e9 / sampleRate).
    std::int64_t valueMultiplier = 1;
    // Pyroscope's "lines" format: each line is a stack (root first, `;`
    // separated) that counts 1, with no value column.
    bool linesFormat = false;
};

// Reads collapsed/folded stacks as written by Brendan Gregg's
// stackcollapse-*.pl, Pyroscope and `perf script | stackcollapse-perf.pl`:
// one `root;caller;leaf VALUE` per line, root first. Empty lines are skipped,
// `\r\n` line ends accepted, repeated stacks summed; the value is a
// non-negative integer after the last space (frame names may contain
// spaces). Errors name source:line:column and what was expected.
class FoldedReader
{
public:
    static Result<model::Profile> parse(QByteArrayView text, const QString &source,
                                        const FoldedReadOptions &options = {});
    static Result<model::Profile> readFile(const QString &path, const FoldedReadOptions &options = {});

    // The inverse: one line per stack, root first, sorted, for export and tests.
    static QByteArray write(const model::Profile &profile);
};

} // namespace spyglass::formats
