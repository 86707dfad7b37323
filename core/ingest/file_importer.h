#pragma once

#include "core/model/cancel_token.h"
#include "core/model/labels.h"
#include "core/model/log_record.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace spyglass::store {
class Storage;
}

namespace spyglass::ingest {

class OtlpMetricsConverter;

// What a captured file holds, as detected from its content (the extension
// only breaks ties, e.g. which OTLP signal a protobuf body carries).
enum class CaptureFormat {
    Unknown,
    PrometheusText, // Prometheus text 0.0.4 or OpenMetrics 1.0
    OtlpProtobuf,   // one Export{Metrics,Logs,Trace}ServiceRequest
    OtlpJson,       // the same as OTLP/JSON
    OtlpJsonLines,  // one OTLP/JSON request per line (Collector file exporter)
    OtlpGrpc,       // gRPC length-prefixed frames of Export*ServiceRequest messages
    ZipkinJson,     // Zipkin v2 JSON span array
    ChromeTrace,    // Chrome Trace Event JSON (array or {"traceEvents": [...]})
    Pprof,          // google/pprof Profile
    Folded,         // collapsed stacks
    PerfScript,     // `perf script` text
    Cpuprofile,     // V8 / DevTools .cpuprofile
    JaegerJson,     // Jaeger UI export / query API answer ({"data": [{traceID, spans, processes}]})
    TempoTraces,    // Tempo /api/traces answer in the older {"batches": [...]} form
    LokiExport,     // a saved Loki query_range answer (resultType "streams")
    LogLines,       // plain log lines: JSON lines, logfmt or text with a leading timestamp
};

QString captureFormatName(CaptureFormat format);

struct FileImportOptions
{
    // Series labels given to every profile (service_name defaults to the
    // file's name without extensions; these win over that).
    model::Labels profileLabels;
    // For captures whose clock is not the epoch (perf script, .cpuprofile,
    // Chrome trace events with monotonic timestamps): when the recording
    // ended. Default: the file's modification time.
    std::optional<model::TimestampNs> recordingEnd;
    // Timestamp of Prometheus-text samples without one (default: now).
    std::optional<model::TimestampMs> defaultTimestamp;
    // Largest decompressed size accepted from a .gz file (gzip bombs).
    qint64 maxDecompressedBytes = qint64(1) << 30;
    // (done, total) in the file's bytes; done never goes back.
    std::function<void(qint64 done, qint64 total)> progress;
    CancelToken cancel;
};

// What one file put into the store, per signal.
struct FileImportResult
{
    QString path;
    CaptureFormat format = CaptureFormat::Unknown;
    bool gzipped = false;
    std::int64_t series = 0;     // metric series written
    std::int64_t samples = 0;    // metric samples written
    model::TimestampMs minTime = 0; // time range of the metric samples (0/0: none)
    model::TimestampMs maxTime = 0;
    std::int64_t logRecords = 0;
    std::int64_t spans = 0;
    std::int64_t profiles = 0;   // model::Profile entries (one per sample type)
    std::int64_t rejected = 0;   // items the converters or stores refused
    QStringList problems;        // one sentence per distinct reason for `rejected`

    // "42 spans, 16 log records" for people.
    QString summary() const;
};

// Imports any captured telemetry file into a Storage: detects the format
// from the content (gzip is undone first), decodes it with the matching
// reader/converter and appends through StorageSink.
//
// Atomicity: every format except Prometheus text is decoded completely
// before anything is stored, so a malformed file stores nothing. Prometheus
// text goes through formats::MetricsImporter, which validates in a first pass
// and is atomic for bad input too. A file holding several signals (OTLP JSON
// lines, several gRPC frames) is stored as one transaction per signal; a
// store failure between those leaves the signals already committed.
//
// One FileImporter keeps the OTLP metrics converter's DELTA state across
// files, so the DELTA captures of one run accumulate into cumulative series
// when imported together (in arrival order).
//
// Chrome trace events become spans (not a profile): one trace per process
// with a root span named after the process, thread slices (X, B/E) nested by
// time on their thread, async b/e pairs children of the root, instant events
// as events of the innermost enclosing slice. Ids are derived from the
// content, so importing a file twice stores the spans once.
class FileImporter
{
public:
    explicit FileImporter(store::Storage &storage);
    ~FileImporter();
    FileImporter(const FileImporter &) = delete;
    FileImporter &operator=(const FileImporter &) = delete;

    Result<FileImportResult> importFile(const QString &path, const FileImportOptions &options = {});
    // The same for bytes already in memory; `name` is used for format hints
    // and error messages (and profile service_name).
    Result<FileImportResult> importData(const QByteArray &data, const QString &name,
                                        const FileImportOptions &options = {});

    // Format detection alone (on decompressed data).
    static CaptureFormat detect(const QByteArray &data, const QString &name);

private:
    store::Storage &m_storage;
    std::unique_ptr<OtlpMetricsConverter> m_metrics;
};

} // namespace spyglass::ingest
