#include "core/formats/metrics_importer.h"

#include "core/formats/gzip_device.h"
#include "core/store/metric_store.h"

#include <QBuffer>
#include <QDateTime>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <algorithm>
#include <limits>
#include <memory>

Q_LOGGING_CATEGORY(lcFormats, "spyglass.formats")

namespace spyglass::formats {

namespace {

constexpr int kCheckEvery = 4096; // entries between cancel checks / progress reports

// One read of the input from its start: the raw device, plus an inflater
// when the input is gzip.
struct Pass
{
    std::unique_ptr<QIODevice> raw;
    std::unique_ptr<GzipDevice> gzip;

    QIODevice *device() const { return gzip ? static_cast<QIODevice *>(gzip.get()) : raw.get(); }
    qint64 rawDone(const OpenMetricsParser &parser) const
    {
        return gzip ? gzip->compressedBytesRead() : parser.bytesConsumed();
    }
};

using PassOpener = std::function<Result<std::unique_ptr<Pass>>()>;

Result<std::unique_ptr<Pass>> finishOpen(std::unique_ptr<QIODevice> raw, const QString &source)
{
    auto pass = std::make_unique<Pass>();
    pass->raw = std::move(raw);
    if (GzipDevice::looksLikeGzip(pass->raw->peek(2))) {
        pass->gzip = std::make_unique<GzipDevice>(pass->raw.get());
        if (!pass->gzip->open(QIODevice::ReadOnly))
            return fail(Error::io(source + QStringLiteral(": ") + pass->gzip->errorString()));
    }
    return pass;
}

struct SeriesCheck
{
    model::TimestampMs lastT = 0;
    int line = 0;
};

class ImportRun
{
public:
    ImportRun(QString source, qint64 rawSize, const ImportOptions &options, int passes)
        : m_source(std::move(source)), m_rawSize(rawSize), m_options(options),
          m_total(rawSize * passes),
          m_defaultTs(options.defaultTimestamp.value_or(QDateTime::currentMSecsSinceEpoch()))
    {
    }

    Result<ImportStats> validate(Pass &pass);
    Result<void> store(Pass &pass, store::MetricStore &store, const ImportStats &expected);
    void report(qint64 done)
    {
        done = std::clamp<qint64>(done, m_lastReported, m_total);
        if (m_options.progress && (done != m_lastReported || !m_reportedOnce)) {
            m_options.progress(done, m_total);
            m_reportedOnce = true;
        }
        m_lastReported = done;
    }

private:
    model::TimestampMs timestampOf(const MetricsEntry &e) const
    {
        return e.hasTimestamp ? e.timestamp : m_defaultTs;
    }

    QString m_source;
    qint64 m_rawSize;
    const ImportOptions &m_options;
    qint64 m_total;
    model::TimestampMs m_defaultTs;
    qint64 m_lastReported = 0;
    bool m_reportedOnce = false;
};

Result<ImportStats> ImportRun::validate(Pass &pass)
{
    OpenMetricsParser parser(pass.device(), m_source, m_options.format);
    QHash<model::Labels, SeriesCheck> seen;
    ImportStats stats;
    stats.bytesRead = m_rawSize;
    stats.minTime = std::numeric_limits<model::TimestampMs>::max();
    stats.maxTime = std::numeric_limits<model::TimestampMs>::min();
    MetricsEntry e;
    std::int64_t n = 0;
    for (;;) {
        auto got = parser.next(e);
        if (!got)
            return fail(got.error());
        if (!*got)
            break;
        if (++n % kCheckEvery == 0) {
            if (m_options.cancel.isCancelled())
                return fail(Error::cancelled());
            report(pass.rawDone(parser));
        }
        if (e.kind != MetricsEntry::Kind::Sample)
            continue;
        const model::TimestampMs t = timestampOf(e);
        auto it = seen.find(e.labels);
        if (it == seen.end()) {
            seen.insert(e.labels, SeriesCheck{t, e.line});
        } else {
            if (t == it->lastT)
                return fail(Error::at(m_source, e.line, 1,
                                      QStringLiteral("duplicate sample for series %1 at timestamp %2 (also on line %3)")
                                          .arg(e.labels.toString())
                                          .arg(t)
                                          .arg(it->line)));
            if (t < it->lastT)
                return fail(Error::at(m_source, e.line, 1,
                                      QStringLiteral("out-of-order sample for series %1: timestamp %2 is before %3 on line %4")
                                          .arg(e.labels.toString())
                                          .arg(t)
                                          .arg(it->lastT)
                                          .arg(it->line)));
            it->lastT = t;
            it->line = e.line;
        }
        ++stats.samples;
        stats.exemplars += e.exemplar ? 1 : 0;
        stats.minTime = std::min(stats.minTime, t);
        stats.maxTime = std::max(stats.maxTime, t);
    }
    stats.series = seen.size();
    stats.format = parser.format();
    if (stats.samples == 0)
        stats.minTime = stats.maxTime = 0;
    return stats;
}

Result<void> ImportRun::store(Pass &pass, store::MetricStore &store, const ImportStats &expected)
{
    // Reuse the detected format so both passes read the file the same way.
    OpenMetricsParser parser(pass.device(), m_source, expected.format);
    store::SampleBatch batch;
    QHash<model::Labels, qsizetype> index;
    std::int64_t inBatch = 0, stored = 0;
    auto flush = [&]() -> Result<void> {
        if (batch.series.isEmpty())
            return {};
        auto appended = store.append(batch);
        if (!appended) {
            Error err = appended.error();
            err.message = QStringLiteral("storing samples from %1 failed after %2 of %3 samples: %4")
                              .arg(m_source)
                              .arg(stored)
                              .arg(expected.samples)
                              .arg(err.message);
            return fail(err);
        }
        stored += inBatch;
        batch.series.clear();
        index.clear();
        inBatch = 0;
        return {};
    };
    MetricsEntry e;
    std::int64_t n = 0;
    for (;;) {
        auto got = parser.next(e);
        if (!got) // the file changed since the first pass
            return fail(got.error());
        if (!*got)
            break;
        if (++n % kCheckEvery == 0) {
            if (m_options.cancel.isCancelled()) {
                Error err = Error::cancelled();
                err.message = QStringLiteral("import of %1 cancelled after storing %2 of %3 samples")
                                  .arg(m_source)
                                  .arg(stored)
                                  .arg(expected.samples);
                return fail(err);
            }
            report(m_rawSize + pass.rawDone(parser));
        }
        if (e.kind != MetricsEntry::Kind::Sample)
            continue;
        auto it = index.constFind(e.labels);
        qsizetype i;
        if (it == index.cend()) {
            i = batch.series.size();
            batch.series.append(model::Series{e.labels, {}});
            index.insert(e.labels, i);
        } else {
            i = it.value();
        }
        batch.series[i].samples.append(model::Sample{timestampOf(e), e.value});
        if (++inBatch >= std::max<std::int64_t>(1, m_options.batchSamples)) {
            if (auto r = flush(); !r)
                return r;
        }
    }
    return flush();
}

Result<ImportStats> run(const PassOpener &open, const QString &source, qint64 rawSize,
                        const ImportOptions &options, store::MetricStore *store)
{
    ImportRun run(source, rawSize, options, store ? 2 : 1);
    run.report(0);
    auto first = open();
    if (!first)
        return fail(first.error());
    auto stats = run.validate(**first);
    if (!stats)
        return stats;
    first->reset();
    run.report(rawSize);
    if (!store)
        return stats;
    if (options.cancel.isCancelled())
        return fail(Error::cancelled());

    auto second = open();
    if (!second)
        return fail(second.error());
    if (auto r = run.store(**second, *store, *stats); !r)
        return fail(r.error());
    run.report(2 * rawSize);
    qCInfo(lcFormats) << "imported" << stats->samples << "samples of" << stats->series << "series from"
                      << source;
    return stats;
}

} // namespace

MetricsImporter::MetricsImporter(store::MetricStore &store) : m_store(store) {}

namespace {

PassOpener fileOpener(const QString &path)
{
    return [path]() -> Result<std::unique_ptr<Pass>> {
        auto file = std::make_unique<QFile>(path);
        if (!file->open(QIODevice::ReadOnly))
            return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, file->errorString())));
        return finishOpen(std::move(file), path);
    };
}

Result<qint64> fileSize(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, f.errorString())));
    return f.size();
}

} // namespace

Result<ImportStats> MetricsImporter::importFile(const QString &path, const ImportOptions &options)
{
    auto size = fileSize(path);
    if (!size)
        return fail(size.error());
    return run(fileOpener(path), path, *size, options, &m_store);
}

Result<ImportStats> MetricsImporter::validateFile(const QString &path, const ImportOptions &options)
{
    auto size = fileSize(path);
    if (!size)
        return fail(size.error());
    return run(fileOpener(path), path, *size, options, nullptr);
}

Result<ImportStats> MetricsImporter::importData(const QByteArray &data, const QString &sourceName,
                                                const ImportOptions &options)
{
    auto open = [&data, &sourceName]() -> Result<std::unique_ptr<Pass>> {
        auto buffer = std::make_unique<QBuffer>();
        buffer->setData(data);
        buffer->open(QIODevice::ReadOnly);
        return finishOpen(std::move(buffer), sourceName);
    };
    return run(open, sourceName, data.size(), options, &m_store);
}

} // namespace spyglass::formats
