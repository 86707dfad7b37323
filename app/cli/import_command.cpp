#include "app/cli/commands.h"

#include "core/ingest/file_importer.h"
#include "core/store/metric_store.h"
#include "core/store/storage.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFileInfo>

namespace spyglass::cli {

int runImport(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Imports captured telemetry files (plain or .gz) into a data directory: Prometheus text "
        "0.0.4 / OpenMetrics, OTLP protobuf / JSON / JSON lines / gRPC frames (metrics, logs, traces), "
        "Zipkin v2 JSON, Chrome trace events, pprof, folded stacks, perf script and V8 .cpuprofile. "
        "The format is detected from the content. A file with an error is refused whole: nothing of "
        "it is stored."));
    p.addHelpOption();
    p.addOption({QStringLiteral("data"), QStringLiteral("Data directory (created if missing)."),
                 QStringLiteral("DIR")});
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Files to import."),
                            QStringLiteral("FILE..."));
    if (!p.parse(args))
        return usageError(err, p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        out << p.helpText();
        return 0;
    }
    if (!p.isSet(QStringLiteral("data")))
        return usageError(err, QStringLiteral("--data DIR is required"));
    const QStringList files = p.positionalArguments();
    if (files.isEmpty())
        return usageError(err, QStringLiteral("no files to import"));

    auto storage = store::Storage::open(p.value(QStringLiteral("data")));
    if (!storage) {
        err << "spyglass-core: " << storage.error().toString() << '\n';
        return 1;
    }
    store::MetricStore &metrics = (*storage)->metrics();
    ingest::FileImporter importer(**storage);

    int failures = 0;
    for (const QString &file : files) {
        QElapsedTimer timer;
        timer.start();
        auto stats = importer.importFile(file);
        if (!stats) {
            Error e = stats.error();
            if (e.source.isEmpty())
                e.source = file;
            err << "spyglass-core: import failed: " << e.toString() << '\n';
            ++failures;
            continue;
        }
        out << QFileInfo(file).fileName() << " (" << ingest::captureFormatName(stats->format)
            << (stats->gzipped ? ", gzip" : "") << "): stored " << stats->summary() << " in "
            << QString::number(double(timer.elapsed()) / 1000.0, 'f', 2) << " s\n";
    }

    if (auto s = metrics.stats()) {
        const double perSample = s->samples > 0 ? double(s->fileBytes) / double(s->samples) : 0.0;
        const double chunkPerSample = s->samples > 0 ? double(s->chunkBytes) / double(s->samples) : 0.0;
        out << "store: " << s->series << " series, " << s->samples << " samples, " << s->fileBytes
            << " bytes on disk (" << QString::number(perSample, 'f', 2) << " bytes/sample, "
            << QString::number(chunkPerSample, 'f', 2) << " in chunks)\n";
    }
    return failures == 0 ? 0 : 1;
}

} // namespace spyglass::cli
