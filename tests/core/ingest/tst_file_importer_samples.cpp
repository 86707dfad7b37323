// Every capture in resources/samples imports through FileImporter with the
// format detected from its content and the content checked; a damaged copy
// of each (truncated or corrupted) fails with an error naming the file and
// where, and leaves everything imported before untouched.

#include "core/ingest/file_importer.h"
#include "core/model/label_matcher.h"
#include "core/store/storage.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::ingest;

namespace {

const QString kSamples = QStringLiteral(SPYGLASS_SOURCE_DIR "/resources/samples/");

enum class Damage { TruncateHalf, TruncateTail, BadLine, Binary };

struct Totals
{
    std::int64_t samples = 0, series = 0, logs = 0, spans = 0, profiles = 0;
    friend bool operator==(const Totals &, const Totals &) = default;
};

Totals totals(store::Storage &s)
{
    Totals t;
    if (auto m = s.metrics().stats()) {
        t.samples = m->samples;
        t.series = m->series;
    }
    if (auto l = s.logs().stats())
        t.logs = l->lines;
    if (auto sp = s.traces().stats())
        t.spans = sp->spans;
    if (auto p = s.profiles().stats())
        t.profiles = p->profiles;
    return t;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll();
}

QByteArray damaged(const QByteArray &good, Damage d)
{
    switch (d) {
    case Damage::TruncateHalf: return good.left(good.size() / 2);
    case Damage::TruncateTail: return good.left(good.size() - 9);
    case Damage::BadLine: {
        // A line in the middle that the format cannot have.
        const qsizetype nl = good.indexOf('\n', good.size() / 3);
        return good.left(nl + 1) + "this line ; is { not valid \"here\n" + good.mid(nl + 1);
    }
    case Damage::Binary: {
        const qsizetype nl = good.indexOf('\n', good.size() / 3);
        return good.left(nl + 1) + QByteArray("\x01\x02\x03 binary\n", 11) + good.mid(nl + 1);
    }
    }
    return good;
}

} // namespace

class TestFileImporterSamples : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<FileImporter> m_importer;

private slots:
    void initTestCase()
    {
        auto s = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY(s);
        m_storage = std::move(*s);
        m_importer = std::make_unique<FileImporter>(*m_storage);
    }

    void importsEverySample_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::addColumn<qint64>("samples");
        QTest::addColumn<qint64>("logs");
        QTest::addColumn<qint64>("spans");
        QTest::addColumn<qint64>("profiles");
        QTest::addColumn<int>("damage");
        const auto row = [](const char *file, CaptureFormat f, qint64 samples, qint64 logs, qint64 spans,
                            qint64 profiles, Damage d) {
            QTest::newRow(file) << QString::fromLatin1(file) << int(f) << samples << logs << spans << profiles << int(d);
        };
        // samples: -1 = "some" (the OTLP translator adds series such as target_info)
        row("otlp-traces.binpb", CaptureFormat::OtlpProtobuf, 0, 0, 3, 0, Damage::TruncateTail);
        row("otlp-metrics.binpb", CaptureFormat::OtlpProtobuf, -1, 0, 0, 0, Damage::TruncateTail);
        row("otlp-logs.binpb", CaptureFormat::OtlpProtobuf, 0, 2, 0, 0, Damage::TruncateTail);
        row("otlp-profiles.binpb", CaptureFormat::OtlpProtobuf, 0, 0, 0, 1, Damage::TruncateTail);
        row("otlp-traces.json", CaptureFormat::OtlpJson, 0, 0, 1, 0, Damage::TruncateHalf);
        row("otlp-metrics.json", CaptureFormat::OtlpJson, -1, 0, 0, 0, Damage::TruncateHalf);
        row("otlp-logs.json", CaptureFormat::OtlpJson, 0, 1, 0, 0, Damage::TruncateHalf);
        row("otlp-profiles.json", CaptureFormat::OtlpJson, 0, 0, 0, 1, Damage::TruncateHalf);
        row("otlp-collector-export.jsonl", CaptureFormat::OtlpJsonLines, -1, 1, 1, 0, Damage::TruncateTail);
        row("otlp-logs.json.gz", CaptureFormat::OtlpJson, 0, 1, 0, 0, Damage::TruncateHalf);
        row("zipkin-v2.json", CaptureFormat::ZipkinJson, 0, 0, 2, 0, Damage::TruncateHalf);
        row("jaeger-trace.json", CaptureFormat::JaegerJson, 0, 0, 3, 0, Damage::TruncateHalf);
        row("tempo-batches.json", CaptureFormat::TempoTraces, 0, 0, 1, 0, Damage::TruncateHalf);
        row("chrome-trace.json", CaptureFormat::ChromeTrace, 0, 0, -1, 0, Damage::TruncateHalf);
        row("loki-export.json", CaptureFormat::LokiExport, 0, 3, 0, 0, Damage::TruncateHalf);
        row("mythical-server.log", CaptureFormat::LogLines, 0, 7, 0, 0, Damage::Binary);
        row("mythical-requester-logfmt.log", CaptureFormat::LogLines, 0, 3, 0, 0, Damage::Binary);
        row("mythical-recorder.jsonl.log", CaptureFormat::LogLines, 0, 3, 0, 0, Damage::Binary);
        row("mythical-server.prom", CaptureFormat::PrometheusText, 6, 0, 0, 0, Damage::BadLine);
        row("mythical-server.openmetrics.txt", CaptureFormat::PrometheusText, -1, 0, 0, 0, Damage::BadLine);
        row("mythical-server.pprof.gz", CaptureFormat::Pprof, 0, 0, 0, 2, Damage::TruncateHalf);
        row("mythical-server.folded", CaptureFormat::Folded, 0, 0, 0, 1, Damage::BadLine);
        row("mythical-server.perf-script.txt", CaptureFormat::PerfScript, 0, 0, 0, 2, Damage::BadLine);
        row("mythical-server.cpuprofile", CaptureFormat::Cpuprofile, 0, 0, 0, 2, Damage::TruncateHalf);
    }

    void importsEverySample()
    {
        QFETCH(QString, file);
        QFETCH(int, format);
        QFETCH(qint64, samples);
        QFETCH(qint64, logs);
        QFETCH(qint64, spans);
        QFETCH(qint64, profiles);
        QFETCH(int, damage);

        const QString path = kSamples + file;
        QVERIFY2(QFile::exists(path), qPrintable(path));
        const Totals before = totals(*m_storage);
        auto r = m_importer->importFile(path);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(captureFormatName(r->format), captureFormatName(CaptureFormat(format)));
        QCOMPARE(r->rejected, 0);
        if (samples >= 0)
            QCOMPARE(r->samples, samples);
        else
            QVERIFY(r->samples > 0);
        QCOMPARE(r->logRecords, logs);
        if (spans >= 0)
            QCOMPARE(r->spans, spans);
        else
            QVERIFY(r->spans > 0);
        QCOMPARE(r->profiles, profiles);
        const Totals after = totals(*m_storage);
        QVERIFY(after.samples + after.logs + after.spans + after.profiles
                > before.samples + before.logs + before.spans + before.profiles
                || file.contains(u"chrome")); // ids derived from content: a re-run stores nothing new

        // The damaged copy: a clear error naming the file, nothing stored.
        const QString badPath = m_dir.filePath(QStringLiteral("damaged-") + file);
        QByteArray good = readFile(path);
        QFile bad(badPath);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(damaged(good, Damage(damage)));
        bad.close();
        auto failed = m_importer->importFile(badPath);
        QVERIFY2(!failed, qPrintable(QStringLiteral("damaged %1 was accepted: %2").arg(file, failed ? failed->summary() : QString())));
        const QString message = failed.error().toString();
        QVERIFY2(message.contains(QStringLiteral("damaged-") + file), qPrintable(message));
        // Where: a line (file:LINE:), a byte offset, a record index or the size read.
        static const QRegularExpression where(
            QStringLiteral(R"(:\d+:|line \d+|byte \d+|offset \d+|\d+ bytes|span \d+|trace \d+|result \d+|frame \d+|event \d+|truncated|unexpected end|EOF)"),
            QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(where.match(message).hasMatch(), qPrintable(QStringLiteral("no position in: ") + message));
        QCOMPARE(totals(*m_storage), after);
    }

    void contentIsRight()
    {
        // A few spot checks that the readers kept what matters.
        auto jaeger = m_storage->traces().trace(QByteArray::fromHex("0af7651916cd43dd8448eb211c80319c"));
        QVERIFY(jaeger);
        bool sawParent = false, sawError = false, sawLink = false;
        for (const auto &s : *jaeger) {
            if (s.name == u"pg.query:INSERT") {
                sawParent = s.parentSpanId == QByteArray::fromHex("aaaaaaaaaaaaaaa1");
                QCOMPARE(s.kind, model::Span::Kind::Client);
            }
            if (s.name == u"POST /manticore") {
                sawError = s.status == model::Span::Status::Error;
                QCOMPARE(s.events.size(), 1);
                QCOMPARE(s.events.front().name, QStringLiteral("exception"));
                QCOMPARE(s.serviceName, QStringLiteral("mythical-server"));
            }
            if (s.name == u"beasts process")
                sawLink = s.links.size() == 1 && s.serviceName == u"mythical-recorder";
        }
        QVERIFY(sawParent);
        QVERIFY(sawError);
        QVERIFY(sawLink);

        const auto eq = [](const char *n, const char *v) {
            return *model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QString::fromLatin1(n), QString::fromLatin1(v));
        };
        auto text = m_storage->logs().select({eq("filename", "mythical-server.log")}, 0,
                                             std::numeric_limits<std::int64_t>::max(), store::LogDirection::Forward, 0);
        QVERIFY(text);
        QCOMPARE(text->size(), 7);
        QCOMPARE(text->front().time, 1795514400LL * 1'000'000'000);
        int errors = 0;
        for (const auto &l : *text)
            errors += l.stream.value(u"level") == u"error";
        QCOMPARE(errors, 3); // the error line and its two stack-trace lines
        auto logfmt = m_storage->logs().select({eq("service_name", "mythical-requester-logfmt"), eq("level", "error")}, 0,
                                               std::numeric_limits<std::int64_t>::max(), store::LogDirection::Forward, 0);
        QVERIFY(logfmt);
        QCOMPARE(logfmt->size(), 1);
        QCOMPARE(logfmt->front().time, 1795514401LL * 1'000'000'000 + 250'000'000);
        auto loki = m_storage->logs().select({eq("job", "alloy"), eq("beast", "owlbear")}, 0,
                                             std::numeric_limits<std::int64_t>::max(), store::LogDirection::Forward, 0);
        QVERIFY(loki);
        QCOMPARE(loki->size(), 1);
        QCOMPARE(loki->front().structuredMetadata.value(u"trace_id"), QStringLiteral("0af7651916cd43dd8448eb211c80319c"));

        auto types = m_storage->profiles().profileTypes(0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(types);
        QVERIFY(types->contains(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")));
    }
};

QTEST_GUILESS_MAIN(TestFileImporterSamples)
#include "tst_file_importer_samples.moc"
