#include "core/formats/metrics_importer.h"
#include "core/store/storage.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <bit>
#include <cmath>
#include <limits>
#include <zlib.h>

using namespace spyglass;
using namespace spyglass::formats;
using model::Labels;
using model::Sample;

#define VERIFY_OK(r) QVERIFY2(bool(r), bool(r) ? "" : qPrintable((r).error().toString()))

namespace {

QString s(const char *utf8) { return QString::fromUtf8(utf8); }

// Everything in the store, series sorted by labels: what a user could query.
QMap<Labels, QList<Sample>> dump(store::MetricStore &m)
{
    QMap<Labels, QList<Sample>> out;
    auto any = model::LabelMatcher::create(model::LabelMatcher::Op::RegexMatch, s("__name__"), s(".+"));
    auto refs = m.select({*any});
    if (!refs)
        return out;
    for (const auto &ref : *refs) {
        auto samples = m.samples(ref.id, std::numeric_limits<model::TimestampMs>::min(),
                                 std::numeric_limits<model::TimestampMs>::max());
        if (samples)
            out.insert(ref.labels, *samples);
    }
    return out;
}

bool sameSamples(const QList<Sample> &a, const QList<Sample> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].t != b[i].t)
            return false;
        // Bitwise, so NaN equals NaN and the stale marker stays distinct.
        if (std::bit_cast<std::uint64_t>(a[i].v) != std::bit_cast<std::uint64_t>(b[i].v)
            && !(std::isnan(a[i].v) && std::isnan(b[i].v)))
            return false;
    }
    return true;
}

QByteArray gzip(const QByteArray &in)
{
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&z, uLong(in.size()))) + 64, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    z.avail_in = uInt(in.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

// `series` series x `points` samples, time-major like concatenated scrapes,
// in OpenMetrics (seconds) with a few special values.
QByteArray generated(int series, int points, QMap<Labels, QList<Sample>> *expected)
{
    QByteArray out = "# HELP gen_value A generated gauge.\n# TYPE gen_value gauge\n";
    for (int p = 0; p < points; ++p) {
        for (int i = 0; i < series; ++i) {
            const model::TimestampMs t = 1700000000000 + p * 15000 + i;
            double v = i * 1000.0 + p * 0.25;
            QByteArray vs = QByteArray::number(v, 'g', 17);
            if (p == 3 && i == 1) {
                v = std::numeric_limits<double>::quiet_NaN();
                vs = "NaN";
            } else if (p == 4 && i == 1) {
                v = std::numeric_limits<double>::infinity();
                vs = "+Inf";
            }
            out += "gen_value{instance=\"host-" + QByteArray::number(i) + "\",job=\"gen\"} " + vs + " "
                + QByteArray::number(t / 1000) + "." + QByteArray::number(t % 1000).rightJustified(3, '0')
                + "\n";
            if (expected)
                (*expected)[Labels{{s("__name__"), s("gen_value")},
                                   {s("instance"), QStringLiteral("host-%1").arg(i)},
                                   {s("job"), s("gen")}}]
                    .append(Sample{t, v});
        }
    }
    out += "# EOF\n";
    return out;
}

} // namespace

class TestMetricsImporter : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    int m_runs = 0;

    QString writeFile(const QString &name, const QByteArray &data)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(data);
        return path;
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        // A fresh data directory per test function and data row.
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data-%1").arg(++m_runs)));
        VERIFY_OK(st);
        m_storage = std::move(*st);
    }
    void cleanup() { m_storage.reset(); }

    void importsGoodFile()
    {
        QMap<Labels, QList<Sample>> expected;
        const QString path = writeFile(s("gen.om"), generated(20, 50, &expected));
        MetricsImporter importer(m_storage->metrics());
        ImportOptions opts;
        opts.batchSamples = 137; // many batches, and series split across them
        auto stats = importer.importFile(path, opts);
        VERIFY_OK(stats);
        QCOMPARE(stats->series, 20);
        QCOMPARE(stats->samples, 1000);
        QCOMPARE(stats->format, MetricsFormat::OpenMetrics);
        QCOMPARE(stats->minTime, 1700000000000);
        QCOMPARE(stats->maxTime, 1700000000000 + 49 * 15000 + 19);
        QCOMPARE(stats->bytesRead, QFileInfo(path).size());

        const auto stored = dump(m_storage->metrics());
        QCOMPARE(stored.keys(), expected.keys());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(sameSamples(stored.value(it.key()), it.value()), qPrintable(it.key().toString()));
        const Labels host1{{s("__name__"), s("gen_value")}, {s("instance"), s("host-1")}, {s("job"), s("gen")}};
        QVERIFY(std::isnan(stored.value(host1).at(3).v));
        QCOMPARE(stored.value(host1).at(4).v, std::numeric_limits<double>::infinity());
        QCOMPARE(m_storage->metrics().stats()->samples, 1000);
    }

    void importsGzipFile()
    {
        QMap<Labels, QList<Sample>> expected;
        const QByteArray plain = generated(5, 40, &expected);
        const QString path = writeFile(s("gen.om.gz"), gzip(plain) + gzip("")); // two gzip members
        MetricsImporter importer(m_storage->metrics());
        auto stats = importer.importFile(path);
        VERIFY_OK(stats);
        QCOMPARE(stats->samples, 200);
        QCOMPARE(stats->format, MetricsFormat::OpenMetrics);
        const auto stored = dump(m_storage->metrics());
        QCOMPARE(stored.size(), 5);
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY(sameSamples(stored.value(it.key()), it.value()));

        // A truncated .gz is refused and stores nothing more.
        const QByteArray gz = gzip(generated(3, 10, nullptr).replace("gen_value", "other"));
        const QString cut = writeFile(s("cut.om.gz"), gz.left(gz.size() / 2));
        auto bad = importer.importFile(cut);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(s("gzip")), qPrintable(bad.error().toString()));
        QCOMPARE(dump(m_storage->metrics()).size(), 5);
    }

    void importsCorpusFiles()
    {
        for (const char *name : {"metrics.prom", "metrics.openmetrics.txt"}) {
            const QString path = QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/prom-client/") + QLatin1StringView(name);
            MetricsImporter importer(m_storage->metrics());
            ImportOptions opts;
            opts.defaultTimestamp = name[8] == 'p' ? 1000 : 2000;
            auto stats = importer.importFile(path, opts);
            VERIFY_OK(stats);
            QCOMPARE(stats->samples, 122);
            QCOMPARE(stats->series, 122);
            QCOMPARE(stats->minTime, *opts.defaultTimestamp);
            QCOMPARE(stats->maxTime, *opts.defaultTimestamp);
            QCOMPARE(stats->exemplars, name[8] == 'p' ? 0 : 11);
        }
        const auto stored = dump(m_storage->metrics());
        const Labels odd{{s("__name__"), s("shop_odd_labels_total")},
                         {s("path"), s("C:\\shop\\orders")},
                         {s("note"), s("say \"hi\"\nthen leave")},
                         {s("service"), s("corpus-shop")}};
        QVERIFY(stored.contains(odd));
        QCOMPARE(stored.value(odd).size(), 2); // one sample from each file
        QCOMPARE(stored.value(odd)[0].t, 1000);
        QCOMPARE(stored.value(odd)[1].t, 2000);
        QCOMPARE(stored.value(odd)[1].v, 3.0);
    }

    void samplesWithoutTimestampGetImportTime()
    {
        MetricsImporter importer(m_storage->metrics());
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        auto stats = importer.importData("a 1\nb{x=\"y\"} 2 5000\n", s("mem"));
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        VERIFY_OK(stats);
        const auto stored = dump(m_storage->metrics());
        const auto a = stored.value(Labels{{s("__name__"), s("a")}});
        QCOMPARE(a.size(), 1);
        QVERIFY(a[0].t >= before && a[0].t <= after);
        QVERIFY(sameSamples(stored.value(Labels{{s("__name__"), s("b")}, {s("x"), s("y")}}),
                            QList<Sample>{{5000, 2.0}}));
        QCOMPARE(stats->minTime, 5000);
    }

    void malformedFileLeavesStoreUnchanged_data()
    {
        QTest::addColumn<QByteArray>("tail");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("lineFromEnd"); // 0 = the line after the good part
        QTest::newRow("bad escape") << QByteArray("x{a=\"\\q\"} 1 5\n# EOF\n")
                                    << s("invalid escape sequence '\\q'") << 0;
        QTest::newRow("missing eof") << QByteArray("x 1 5\n") << s("unexpected end of file: missing \"# EOF\"") << 1;
        QTest::newRow("non utf8") << QByteArray("x{a=\"\xfe\"} 1 5\n# EOF\n") << s("invalid UTF-8 byte 0xfe") << 0;
        QTest::newRow("truncated") << QByteArray("x{a=\"b") << s("unexpected end of line inside a label value (missing '\"')") << 0;
    }
    void malformedFileLeavesStoreUnchanged()
    {
        QFETCH(QByteArray, tail);
        QFETCH(QString, message);
        QFETCH(int, lineFromEnd);
        MetricsImporter importer(m_storage->metrics());
        auto first = importer.importFile(writeFile(s("first.om"), generated(4, 10, nullptr)));
        VERIFY_OK(first);
        const auto statsBefore = m_storage->metrics().stats();
        VERIFY_OK(statsBefore);
        const auto before = dump(m_storage->metrics());

        // Thousands of good samples before the bad line, and tiny batches:
        // a one-pass importer would have committed many of them.
        QByteArray good = generated(10, 300, nullptr).replace("gen_value", "second");
        good.chop(int(qstrlen("# EOF\n")));
        const int goodLines = int(good.count('\n'));
        const QString path = writeFile(s("bad.om"), good + tail);
        ImportOptions opts;
        opts.batchSamples = 100;
        auto r = importer.importFile(path, opts);
        QVERIFY(!r);
        QCOMPARE(r.error().message, message);
        QCOMPARE(r.error().source, path);
        QCOMPARE(r.error().line, goodLines + 1 + lineFromEnd);
        QVERIFY(r.error().column > 0);
        QVERIFY(r.error().toString().startsWith(path + QStringLiteral(":%1:").arg(r.error().line)));

        const auto statsAfter = m_storage->metrics().stats();
        VERIFY_OK(statsAfter);
        QCOMPARE(statsAfter->series, statsBefore->series);
        QCOMPARE(statsAfter->samples, statsBefore->samples);
        QCOMPARE(statsAfter->chunks, statsBefore->chunks);
        QCOMPARE(statsAfter->minTime, statsBefore->minTime);
        QCOMPARE(statsAfter->maxTime, statsBefore->maxTime);
        const auto after = dump(m_storage->metrics());
        QCOMPARE(after.keys(), before.keys());
        for (auto it = before.cbegin(); it != before.cend(); ++it)
            QVERIFY(sameSamples(after.value(it.key()), it.value()));
    }

    void duplicateAndOutOfOrderRefused_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("duplicate") << QByteArray("a{x=\"1\"} 1 1000\na{x=\"2\"} 1 1000\na{x=\"1\"} 2 1000\n")
                                   << 3 << s("duplicate sample for series a{x=\"1\"} at timestamp 1000 (also on line 1)");
        QTest::newRow("duplicate labels reordered") << QByteArray("a{x=\"1\",y=\"2\"} 1 1000\na{y=\"2\",x=\"1\"} 1 1000\n")
                                                    << 2 << s("duplicate sample for series a{x=\"1\", y=\"2\"} at timestamp 1000 (also on line 1)");
        QTest::newRow("duplicate without timestamps") << QByteArray("a 1\nb 1\na 2\n")
                                                      << 3 << s("duplicate sample for series a at timestamp 7 (also on line 1)");
        QTest::newRow("out of order") << QByteArray("a 1 2000\na 1 3000\nb 1 1000\na 2 2500\n")
                                      << 4 << s("out-of-order sample for series a: timestamp 2500 is before 3000 on line 2");
    }
    void duplicateAndOutOfOrderRefused()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, line);
        QFETCH(QString, message);
        MetricsImporter importer(m_storage->metrics());
        ImportOptions opts;
        opts.defaultTimestamp = 7;
        opts.batchSamples = 1;
        auto r = importer.importData(data, s("dup.prom"), opts);
        QVERIFY(!r);
        QCOMPARE(r.error().message, message);
        QCOMPARE(r.error().line, line);
        QCOMPARE(r.error().source, s("dup.prom"));
        QVERIFY(dump(m_storage->metrics()).isEmpty());
        auto v = MetricsImporter::validateFile(writeFile(s("dup.prom"), data), opts);
        QVERIFY(!v);
        QCOMPARE(v.error().line, line);
    }

    void progressIsMonotoneAndReachesTotal()
    {
        const QString path = writeFile(s("big.om"), generated(50, 400, nullptr)); // 20k samples
        const qint64 size = QFileInfo(path).size();
        QList<QPair<qint64, qint64>> calls;
        ImportOptions opts;
        opts.progress = [&](qint64 done, qint64 total) { calls.append({done, total}); };
        MetricsImporter importer(m_storage->metrics());
        auto stats = importer.importFile(path, opts);
        VERIFY_OK(stats);
        QVERIFY(calls.size() > 4);
        QCOMPARE(calls.first().first, 0);
        for (qsizetype i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls[i].second, 2 * size);
            if (i > 0)
                QVERIFY(calls[i].first > calls[i - 1].first);
        }
        QCOMPARE(calls.last().first, 2 * size);
        // Both passes are reported, not only their ends.
        QVERIFY(std::any_of(calls.cbegin(), calls.cend(), [&](auto c) { return c.first > 0 && c.first < size; }));
        QVERIFY(std::any_of(calls.cbegin(), calls.cend(), [&](auto c) { return c.first > size && c.first < 2 * size; }));
    }

    void cancelStops()
    {
        const QString path = writeFile(s("big.om"), generated(50, 400, nullptr));
        const qint64 size = QFileInfo(path).size();
        MetricsImporter importer(m_storage->metrics());

        // Cancelled while validating: nothing stored.
        CancelToken early;
        ImportOptions opts;
        opts.cancel = early;
        opts.progress = [&](qint64 done, qint64) { if (done > 0) early.cancel(); };
        auto r = importer.importFile(path, opts);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        QVERIFY(dump(m_storage->metrics()).isEmpty());

        // Cancelled while storing: stops early, keeps whole committed batches.
        CancelToken late;
        opts.cancel = late;
        opts.batchSamples = 1000;
        opts.progress = [&](qint64 done, qint64) { if (done > size) late.cancel(); };
        r = importer.importFile(path, opts);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        QVERIFY2(r.error().message.contains(s("cancelled after storing")), qPrintable(r.error().message));
        const auto stored = m_storage->metrics().stats()->samples;
        QVERIFY(stored < 20000);
        QCOMPARE(stored % 1000, 0);
    }

    void missingFileIsIoError()
    {
        MetricsImporter importer(m_storage->metrics());
        auto r = importer.importFile(m_dir.filePath(s("nope.prom")));
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Io);
        QVERIFY(r.error().message.contains(s("nope.prom")));
    }
};

QTEST_GUILESS_MAIN(TestMetricsImporter)
#include "tst_metrics_importer.moc"
