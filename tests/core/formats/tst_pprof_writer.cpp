#include "core/formats/pprof_reader.h"
#include "core/formats/pprof_writer.h"

#include <QMap>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using formats::PprofReader;
using formats::PprofWriter;

namespace {

// "root;...;leaf{labels}" -> value, the form two profiles are compared in
// (function ids may differ between them, names may not).
QMap<QString, qint64> stacksOf(const model::Profile &p)
{
    QMap<QString, qint64> out;
    for (const model::Profile::Stack &s : p.stacks) {
        QStringList names;
        for (auto it = s.functions.crbegin(); it != s.functions.crend(); ++it)
            names.push_back(p.functionNames[qsizetype(*it)]);
        out[names.join(QLatin1Char(';')) + s.labels.toString()] += s.value;
    }
    return out;
}

model::Profile sample()
{
    model::Profile p;
    p.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    p.labels = model::Labels{{QStringLiteral("service_name"), QStringLiteral("shop")}};
    p.time = 1'700'000'000'000'000'000;
    p.durationNs = 15'000'000'000;
    p.period = 10'000'000;
    p.functionNames = {QStringLiteral("main"), QStringLiteral("handle"), QStringLiteral("json.Marshal"),
                       QStringLiteral("runtime.mallocgc"), QStringLiteral("ünïcode::fn")};
    // leaf first, as pprof stores them
    p.stacks = {
        {{2, 1, 0}, 300, {}},
        {{3, 2, 1, 0}, 120, {}},
        {{1, 0}, 50, model::Labels{{QStringLiteral("span_id"), QStringLiteral("00f067aa0ba902b7")}}},
        {{4, 0}, 7, {}},
        {{1, 1, 0}, 9, {}}, // recursion
    };
    return p;
}

} // namespace

class TestPprofWriter : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("gzip") << true;
        QTest::newRow("plain") << false;
    }
    void roundTrip()
    {
        QFETCH(bool, gzip);
        const model::Profile in = sample();
        const QByteArray bytes = PprofWriter::encode(in, {gzip});
        QVERIFY(!bytes.isEmpty());
        QCOMPARE(bytes.startsWith("\x1f\x8b"), gzip);
        formats::PprofReadOptions opts;
        opts.labels = in.labels;
        const auto out = PprofReader::parse(bytes, QStringLiteral("written.pb.gz"), opts);
        QVERIFY2(out.has_value(), out ? "" : qPrintable(out.error().toString()));
        QCOMPARE(out->size(), 1);
        const model::Profile &p = out->first();
        QCOMPARE(p.typeId, in.typeId);
        QCOMPARE(p.time, in.time);
        QCOMPARE(p.durationNs, in.durationNs);
        QCOMPARE(p.period, in.period);
        QCOMPARE(p.total(), in.total());
        QCOMPARE(p.total(), qint64(486));
        QCOMPARE(stacksOf(p), stacksOf(in));
        QCOMPARE(stacksOf(p).value(QStringLiteral("main;handle{span_id=\"00f067aa0ba902b7\"}")), qint64(50));
    }

    void memoryUnitsAndNoPeriod()
    {
        model::Profile in;
        in.typeId = QStringLiteral("memory:alloc_space:bytes:space:bytes");
        in.functionNames = {QStringLiteral("a"), QStringLiteral("b")};
        in.stacks = {{{1, 0}, 4096, {}}, {{0}, 1024, {}}};
        const auto out = PprofReader::parse(PprofWriter::encode(in), QStringLiteral("mem"));
        QVERIFY(out.has_value());
        QCOMPARE(out->size(), 1);
        QCOMPARE(out->first().typeId, in.typeId);
        QCOMPARE(stacksOf(out->first()), stacksOf(in));
    }

    void emptyProfileIsValid()
    {
        model::Profile in;
        in.typeId = QStringLiteral("process_cpu:samples:count:cpu:nanoseconds");
        const auto out = PprofReader::parse(PprofWriter::encode(in), QStringLiteral("empty"));
        QVERIFY(out.has_value());
        // No samples: either no profile or an empty one, never a made-up value.
        qint64 total = 0;
        for (const model::Profile &p : *out)
            total += p.total();
        QCOMPARE(total, qint64(0));
    }

    void writeFileAndReadBack()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("cpu.pb.gz"));
        const auto written = PprofWriter::writeFile(sample(), path);
        QVERIFY(written.has_value());
        const auto out = PprofReader::readFile(path);
        QVERIFY(out.has_value());
        QCOMPARE(stacksOf(out->first()), stacksOf(sample()));
    }

    void writeFileReportsUnwritablePath()
    {
        const auto written = PprofWriter::writeFile(sample(), QStringLiteral("/nonexistent-dir/x/cpu.pb.gz"));
        QVERIFY(!written.has_value());
        QVERIFY(written.error().message.contains(QStringLiteral("/nonexistent-dir/x/cpu.pb.gz")));
    }
};

QTEST_GUILESS_MAIN(TestPprofWriter)
#include "tst_pprof_writer.moc"
