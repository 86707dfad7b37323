// libFuzzer target: any input must either parse or fail with a position,
// never crash, hang or read out of bounds. Built with -DSPYGLASS_FUZZ=ON and
// clang; run e.g. `fuzz_open_metrics -max_len=4096 corpus_dir/`.
#include "core/formats/open_metrics_parser.h"

#include <QBuffer>
#include <cstdint>
#include <cstdlib>

using namespace spyglass::formats;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the format so one corpus exercises all modes.
    const auto format = MetricsFormat(data[0] % 3);
    QByteArray bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::ReadOnly);
    OpenMetricsParser parser(&buffer, QStringLiteral("fuzz"), format);
    MetricsEntry entry;
    for (;;) {
        auto got = parser.next(entry);
        if (!got) {
            if (got.error().line <= 0 || got.error().message.isEmpty())
                std::abort();
            break;
        }
        if (!*got)
            break;
        if (entry.kind == MetricsEntry::Kind::Sample && entry.labels.metricName().isEmpty())
            std::abort();
    }
    return 0;
}
