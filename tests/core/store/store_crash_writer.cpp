// Child process of tst_crash_safety: appends batches to a store in a loop
// and prints "ACK n" after append n returned success. The parent kills it
// with SIGKILL at some point and checks that every acknowledged batch is
// complete. Usage: store_crash_writer DATA_DIR ROUND
#include "core/store/storage.h"

#include <QCoreApplication>
#include <QStringList>
#include <cstdio>

#include "crash_batch.h"

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3) {
        std::fprintf(stderr, "usage: store_crash_writer DATA_DIR ROUND\n");
        return 2;
    }
    auto storage = spyglass::store::Storage::open(args[1]);
    if (!storage) {
        std::fprintf(stderr, "open failed: %s\n", qPrintable(storage.error().message));
        return 1;
    }
    const int round = args[2].toInt();
    for (int n = 0;; ++n) {
        auto r = (*storage)->metrics().append(crashtest::batch(round, n));
        if (!r) {
            std::fprintf(stderr, "append %d failed: %s\n", n, qPrintable(r.error().message));
            return 1;
        }
        std::printf("ACK %d\n", n);
        std::fflush(stdout);
        // Compact now and then too, so a kill can also land in a compaction.
        if (n % 7 == 6) {
            if (auto c = (*storage)->metrics().compact(); !c) {
                std::fprintf(stderr, "compact failed: %s\n", qPrintable(c.error().message));
                return 1;
            }
        }
    }
}
