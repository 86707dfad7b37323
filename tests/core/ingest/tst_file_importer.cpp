#include "core/ingest/file_importer.h"

#include "core/model/label_matcher.h"
#include "core/store/log_store.h"
#include "core/store/metric_store.h"
#include "core/store/profile_store.h"
#include "core/store/span_store.h"
#include "core/store/storage.h"

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using ingest::CaptureFormat;
using ingest::FileImporter;

namespace {

QString capture(const QString &rel)
{
    return QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + rel;
}

struct Counts
{
    std::int64_t samples = 0, logs = 0, spans = 0, profiles = 0;
    friend bool operator==(const Counts &, const Counts &) = default;
};

Counts storeCounts(store::Storage &s)
{
    Counts c;
    c.samples = s.metrics().stats().value().samples;
    c.logs = s.logs().stats().value().lines;
    c.spans = s.traces().stats().value().spans;
    c.profiles = s.profiles().stats().value().profiles;
    return c;
}

} // namespace

class TestFileImporter : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<store::Storage> m_storage;

    store::Storage &freshStorage()
    {
        m_storage.reset();
        m_dir = std::make_unique<QTemporaryDir>();
        auto s = store::Storage::open(m_dir->path());
        if (!s)
            qFatal("%s", qPrintable(s.error().toString()));
        m_storage = std::move(*s);
        return *m_storage;
    }

    ingest::FileImportResult importOk(FileImporter &imp, const QString &rel, CaptureFormat expected)
    {
        auto r = imp.importFile(capture(rel));
        if (!r)
            qWarning("%s: %s", qPrintable(rel), qPrintable(r.error().toString()));
        [&] {
            QVERIFY(r.has_value());
            QCOMPARE(r->format, expected);
        }();
        return r ? *r : ingest::FileImportResult{};
    }

private slots:
    void otlpTracesEverywhere_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<CaptureFormat>("format");
        QTest::newRow("proto") << u"otlp-http-proto/traces-0001.bin"_qs << CaptureFormat::OtlpProtobuf;
        QTest::newRow("proto-gz") << u"otlp-http-proto-gzip/traces-0001.bin.gz"_qs << CaptureFormat::OtlpProtobuf;
        QTest::newRow("json") << u"otlp-http-json/traces-0001.json"_qs << CaptureFormat::OtlpJson;
        QTest::newRow("json-gz") << u"otlp-http-json-gzip/traces-0001.json.gz"_qs << CaptureFormat::OtlpJson;
        QTest::newRow("grpc") << u"otlp-grpc/traces-0001.grpc"_qs << CaptureFormat::OtlpGrpc;
        QTest::newRow("grpc-gz") << u"otlp-grpc-gzip/traces-0001.grpc"_qs << CaptureFormat::OtlpGrpc;
        QTest::newRow("zipkin") << u"zipkin-v2/zipkin-spans-0001.json"_qs << CaptureFormat::ZipkinJson;
    }
    void otlpTracesEverywhere()
    {
        QFETCH(QString, file);
        QFETCH(CaptureFormat, format);
        auto &storage = freshStorage();
        FileImporter imp(storage);
        const auto r = importOk(imp, file, format);
        QCOMPARE(r.spans, 48);
        QCOMPARE(r.rejected, 0);
        QCOMPARE(r.samples + r.logRecords + r.profiles, 0);
        const auto stats = storage.traces().stats().value();
        QCOMPARE(stats.spans, 48);
        QCOMPARE(stats.traces, 11);
    }

    void zipkinSpansMatchOtlp()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        importOk(imp, u"zipkin-v2/zipkin-spans-0001.json"_qs, CaptureFormat::ZipkinJson);
        const auto traces = storage.traces().findTraces({}).value();
        QVERIFY(!traces.isEmpty());
        // Run A: Zipkin and OTLP carry the same ids, so importing the OTLP
        // copy afterwards adds no spans.
        importOk(imp, u"otlp-http-proto/traces-0001.bin"_qs, CaptureFormat::OtlpProtobuf);
        QCOMPARE(storage.traces().stats().value().spans, 48);
        const auto spans = storage.traces().trace(QByteArray::fromHex("4bf92f3577b34da6a3ce929d0e0e4736")).value();
        QVERIFY(!spans.isEmpty());
    }

    void otlpLogs_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("proto") << u"otlp-http-proto/logs-0001.bin"_qs;
        QTest::newRow("proto-gz") << u"otlp-http-proto-gzip/logs-0001.bin.gz"_qs;
        QTest::newRow("json") << u"otlp-http-json/logs-0001.json"_qs;
        QTest::newRow("json-gz") << u"otlp-http-json-gzip/logs-0001.json.gz"_qs;
        QTest::newRow("grpc") << u"otlp-grpc/logs-0001.grpc"_qs;
        QTest::newRow("grpc-gz") << u"otlp-grpc-gzip/logs-0001.grpc"_qs;
    }
    void otlpLogs()
    {
        QFETCH(QString, file);
        auto &storage = freshStorage();
        FileImporter imp(storage);
        auto r = imp.importFile(capture(file));
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->logRecords, 16);
        QCOMPARE(storage.logs().stats().value().lines, 16);
    }

    void otlpMetrics_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("proto") << u"otlp-http-proto/metrics-0001.bin"_qs;
        QTest::newRow("proto-gz") << u"otlp-http-proto-gzip/metrics-0001.bin.gz"_qs;
        QTest::newRow("json") << u"otlp-http-json/metrics-0002.json"_qs;
        QTest::newRow("json-gz") << u"otlp-http-json-gzip/metrics-0002.json.gz"_qs;
        QTest::newRow("grpc") << u"otlp-grpc/metrics-0001.grpc"_qs;
        QTest::newRow("grpc-gz") << u"otlp-grpc-gzip/metrics-0002.grpc"_qs;
    }
    void otlpMetrics()
    {
        QFETCH(QString, file);
        auto &storage = freshStorage();
        FileImporter imp(storage);
        auto r = imp.importFile(capture(file));
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QVERIFY(r->samples > 37); // histograms expand to several series per point
        QCOMPARE(storage.metrics().stats().value().samples, r->samples);
        const auto refs = storage.metrics()
                              .select({model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                                                   QStringLiteral("shop_orders_total"))
                                           .value()})
                              .value();
        QVERIFY(!refs.isEmpty());
    }

    void otlpJsonLinesHoldsAllSignals()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        QList<std::pair<qint64, qint64>> progress;
        ingest::FileImportOptions o;
        o.progress = [&](qint64 d, qint64 t) { progress.append({d, t}); };
        auto r = imp.importFile(capture(u"otlp-json-lines/otlp-file-exporter.jsonl"_qs), o);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->format, CaptureFormat::OtlpJsonLines);
        QCOMPARE(r->spans, 48);
        QCOMPARE(r->logRecords, 16);
        QVERIFY(r->samples > 0);
        QVERIFY(progress.size() >= 2);
        QCOMPARE(progress.last().first, progress.last().second);
        for (qsizetype i = 1; i < progress.size(); ++i)
            QVERIFY(progress[i].first >= progress[i - 1].first);
    }

    void prometheusText()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        auto a = importOk(imp, u"prom-client/metrics.prom"_qs, CaptureFormat::PrometheusText);
        QVERIFY(a.samples >= 122);
        QCOMPARE(a.samples, a.series); // no timestamps: one sample per series
        auto b = importOk(imp, u"prom-client/metrics.openmetrics.txt"_qs, CaptureFormat::PrometheusText);
        QCOMPARE(b.series, a.series);
    }

    void profiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<CaptureFormat>("format");
        QTest::addColumn<int>("minProfiles");
        QTest::newRow("go cpu") << u"go-pprof/cpu.pb.gz"_qs << CaptureFormat::Pprof << 2;
        QTest::newRow("go heap") << u"go-pprof/heap.pb.gz"_qs << CaptureFormat::Pprof << 4;
        QTest::newRow("node cpu") << u"node-pprof/cpu.pb.gz"_qs << CaptureFormat::Pprof << 2;
        QTest::newRow("node heap") << u"node-pprof/heap.pb.gz"_qs << CaptureFormat::Pprof << 2;
        QTest::newRow("cpuprofile") << u"node-cpuprofile/workload.cpuprofile"_qs << CaptureFormat::Cpuprofile << 2;
        QTest::newRow("perf fp") << u"perf/perf-script-fp.txt"_qs << CaptureFormat::PerfScript << 1;
        QTest::newRow("perf dwarf") << u"perf/perf-script-dwarf.txt"_qs << CaptureFormat::PerfScript << 1;
    }
    void profiles()
    {
        QFETCH(QString, file);
        QFETCH(CaptureFormat, format);
        QFETCH(int, minProfiles);
        auto &storage = freshStorage();
        FileImporter imp(storage);
        const auto r = importOk(imp, file, format);
        QVERIFY(r.profiles >= minProfiles);
        QCOMPARE(storage.profiles().stats().value().profiles, r.profiles);
        QVERIFY(storage.profiles().stats().value().stacks > 0);
    }

    void foldedStacks()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        auto r = imp.importData("main;work;fib 30\nmain;work;sort 12\nmain;idle 3\n", u"app.folded"_qs);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->format, CaptureFormat::Folded);
        QCOMPARE(r->profiles, 1);
        QCOMPARE(storage.profiles().stats().value().profiles, 1);
    }

    void chromeTraceEvents()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        ingest::FileImportOptions o;
        o.recordingEnd = model::TimestampNs(1'795'568'636'000'000'000);
        auto r = imp.importFile(capture(u"node-trace-events/node_trace.1.log"_qs), o);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->format, CaptureFormat::ChromeTrace);
        // 91 X + 32 B/E + 98 b/e pairs + one root per process; one Timeout b
        // never ends and two e (id 0xffffffffffffffff) have no b.
        QCOMPARE(r->spans, 91 + 32 + 98 + 1);
        QCOMPARE(r->rejected, 3);
        const auto stats = storage.traces().stats().value();
        QCOMPARE(stats.traces, 1);
        QCOMPARE(stats.spans, r->spans);
        // Re-importing derives the same ids: nothing new.
        FileImporter again(storage);
        QVERIFY(again.importFile(capture(u"node-trace-events/node_trace.1.log"_qs), o).has_value());
        QCOMPARE(storage.traces().stats().value().spans, r->spans);
        // The last event ends at the recording end.
        const auto traces = storage.traces().findTraces({}).value();
        QCOMPARE(traces.size(), 1);
    }

    void everyCaptureImports()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        QDirIterator it(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures"), QDir::Files, QDirIterator::Subdirectories);
        int imported = 0;
        while (it.hasNext()) {
            const QString path = it.next();
            const QString name = it.fileName();
            if (path.contains(u"/captures/make/") || name == u"requests.jsonl" || name == u"SOURCE.txt"
                || name == u"scrapes.jsonl" || name.endsWith(u".raw.txt") || name.endsWith(u".traces.txt"))
                continue;
            auto r = imp.importFile(path);
            QVERIFY2(r.has_value(), qPrintable(path + u": "_qs + (r ? QString() : r.error().toString())));
            QVERIFY2(r->samples + r->logRecords + r->spans + r->profiles > 0, qPrintable(path));
            ++imported;
        }
        QCOMPARE(imported, 36);
        const Counts c = storeCounts(storage);
        QVERIFY(c.samples > 0 && c.logs > 0 && c.spans > 0 && c.profiles > 0);
    }

    void malformedStoresNothing_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expect"); // part of the error text

        QByteArray json = [] {
            QFile f(capture(u"otlp-http-json/traces-0001.json"_qs));
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QTest::newRow("truncated otlp json") << json.left(json.size() / 2) << u"traces.json"_qs << u"JSON"_qs;
        QByteArray badId = json;
        badId.replace("\"traceId\":\"", "\"traceId\":\"zz");
        QTest::newRow("otlp json bad id") << badId << u"traces.json"_qs << u"traceId"_qs;

        QByteArray lines = [] {
            QFile f(capture(u"otlp-json-lines/otlp-file-exporter.jsonl"_qs));
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QByteArray brokenLines = lines;
        const qsizetype third = brokenLines.indexOf('\n', brokenLines.indexOf('\n') + 1) + 1;
        brokenLines.insert(third + 10, "}}}");
        QTest::newRow("jsonl bad third line") << brokenLines << u"x.jsonl"_qs << u":3"_qs;

        QByteArray grpc = [] {
            QFile f(capture(u"otlp-grpc/traces-0001.grpc"_qs));
            f.open(QIODevice::ReadOnly);
            return f.readAll();
        }();
        QByteArray badFrame = grpc;
        badFrame[0] = 1; // claims gzip, is not
        QTest::newRow("grpc bad gzip frame") << badFrame << u"traces.grpc"_qs << u"frame 0"_qs;

        QTest::newRow("zipkin no id") << QByteArray("[{\"traceId\":\"0123456789abcdef0123456789abcdef\",\"id\":\"0123456789abcdef\",\"name\":\"a\",\"timestamp\":1},{\"traceId\":\"0123456789abcdef0123456789abcdef\",\"name\":\"b\",\"timestamp\":2}]")
                                      << u"zipkin.json"_qs << u"span 1"_qs;
        QTest::newRow("zipkin broken") << QByteArray("[{\"traceId\":\"01") << u"zipkin.json"_qs << u"1:"_qs;
        QTest::newRow("chrome no ts") << QByteArray("{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"a\",\"dur\":3}]}")
                                      << u"trace.json"_qs << u"ts"_qs;
        QTest::newRow("pprof truncated") << QByteArray("\x0a\x04\x08\x01\x10", 5) << u"cpu.pprof"_qs << u"cpu.pprof"_qs;
        QTest::newRow("folded bad value") << QByteArray("a;b 1\na;c x\n") << u"x.folded"_qs << u"x.folded:2"_qs;
        QTest::newRow("garbage") << QByteArray("\x07\x01\x02\x03 not anything", 19) << u"blob.bin"_qs
                                 << u"unrecognised"_qs;
        QTest::newRow("prometheus bad line") << QByteArray("# TYPE a counter\na_total 1\na_total{ 2\n")
                                             << u"m.prom"_qs << u"m.prom:3"_qs;
    }
    void malformedStoresNothing()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, name);
        QFETCH(QString, expect);
        auto &storage = freshStorage();
        FileImporter imp(storage);
        // Something stored before must survive a refused file.
        QVERIFY(imp.importFile(capture(u"otlp-http-proto/logs-0001.bin"_qs)).has_value());
        const Counts before = storeCounts(storage);
        auto r = imp.importData(data, name);
        QVERIFY(!r.has_value());
        qInfo().noquote() << r.error().toString().left(200);
        QVERIFY2(r.error().toString().contains(expect), qPrintable(r.error().toString()));
        QCOMPARE(storeCounts(storage), before);
    }

    void cancelled()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        ingest::FileImportOptions o;
        o.cancel.cancel();
        auto r = imp.importFile(capture(u"otlp-json-lines/otlp-file-exporter.jsonl"_qs), o);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        QCOMPARE(storeCounts(storage), Counts{});
    }

    void missingFile()
    {
        auto &storage = freshStorage();
        FileImporter imp(storage);
        auto r = imp.importFile(m_dir->filePath(u"nope.bin"_qs));
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, Error::Kind::Io);
        QVERIFY(r.error().toString().contains(u"nope.bin"));
    }
};

QTEST_GUILESS_MAIN(TestFileImporter)
#include "tst_file_importer.moc"
