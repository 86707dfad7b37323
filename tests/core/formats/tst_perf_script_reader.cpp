#include "core/formats/cpuprofile_reader.h"
#include "core/formats/perf_script_reader.h"

#include <QTest>

using namespace spyglass;
using formats::CpuprofileReader;
using formats::PerfScriptReader;

namespace {

template <typename R>
QByteArray err(const R &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

QString corpus(const char *rel)
{
    return QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + QLatin1String(rel);
}

QHash<QString, qint64> selfByFunction(const model::Profile &p)
{
    QHash<QString, qint64> out;
    for (const auto &s : p.stacks)
        if (!s.functions.isEmpty())
            out[p.functionNames[s.functions.front()]] += s.value;
    return out;
}

} // namespace

// perf script text and V8 .cpuprofile: the two "text-ish" CPU profile formats.
class TestPerfScriptReader : public QObject
{
    Q_OBJECT

private slots:
    void perfCorpus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("samples");
        QTest::addColumn<qint64>("periods");
        QTest::addColumn<QString>("topLeaf");
        QTest::addColumn<qint64>("topLeafSamples");
        // Expected figures counted from the files' header lines.
        QTest::newRow("fp") << corpus("perf/perf-script-fp.txt") << qint64(498) << qint64(997995984)
                            << QStringLiteral("cmp_double") << qint64(175);
        QTest::newRow("dwarf") << corpus("perf/perf-script-dwarf.txt") << qint64(98) << qint64(492462250)
                               << QStringLiteral("msort_with_tmp") << qint64(38);
    }
    void perfCorpus()
    {
        QFETCH(QString, file);
        QFETCH(qint64, samples);
        QFETCH(qint64, periods);
        QFETCH(QString, topLeaf);
        QFETCH(qint64, topLeafSamples);
        auto r = PerfScriptReader::readFile(file);
        QVERIFY2(r, err(r).constData());
        QCOMPARE(r->size(), 2);
        const auto &counts = (*r)[0];
        const auto &cpu = (*r)[1];
        QCOMPARE(counts.typeId, QStringLiteral("process_cpu:samples:count:cpu:nanoseconds"));
        QCOMPARE(cpu.typeId, QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
        QCOMPARE(counts.total(), samples);
        QCOMPARE(cpu.total(), periods);
        const auto self = selfByFunction(counts);
        QCOMPARE(self.value(topLeaf), topLeafSamples);
        for (auto it = self.cbegin(); it != self.cend(); ++it)
            QVERIFY2(it.value() <= topLeafSamples, qPrintable(it.key()));
        for (const auto &s : counts.stacks)
            QCOMPARE(s.labels.value(u"comm"), QStringLiteral("perf-workload"));
    }

    void dwarfFirstSample()
    {
        auto r = PerfScriptReader::readFile(corpus("perf/perf-script-dwarf.txt"));
        QVERIFY(r);
        const auto &p = (*r)[0];
        const auto &s = p.stacks.front();
        QCOMPARE(s.functions.size(), 28);
        QCOMPARE(p.functionNames[s.functions.front()], QStringLiteral("msort_with_tmp"));
        QCOMPARE(p.functionNames[s.functions.back()], QStringLiteral("_start"));
        QCOMPARE(p.functionNames[s.functions[23]], QStringLiteral("sort_numbers"));
    }

    void syntheticVariants()
    {
        // comm with a space, pid/tid, [cpu], no period, unknown symbol.
        const QByteArray text =
            "my prog 12/13 [001] 100.000000: cycles:u:\n"
            "\t    1234 foo+0x10 (/usr/bin/prog)\n"
            "\t    5678 [unknown] (/usr/lib/libz.so.1)\n"
            "\n"
            "my prog 12/13 [001] 100.500000: cycles:u:\n"
            "\t    1234 foo+0x12 (/usr/bin/prog)\n"
            "\t    5678 [unknown] (/usr/lib/libz.so.1)\n";
        auto r = PerfScriptReader::parse(text, QStringLiteral("x"));
        QVERIFY2(r, err(r).constData());
        QCOMPARE(r->size(), 1); // no periods: counts only
        const auto &p = (*r)[0];
        QCOMPARE(p.stacks.size(), 1);
        QCOMPARE(p.stacks[0].value, qint64(2));
        QCOMPARE(p.functionNames[p.stacks[0].functions[1]], QStringLiteral("[libz.so.1]"));
        QCOMPARE(p.stacks[0].labels.value(u"comm"), QStringLiteral("my prog"));
        QCOMPARE(p.durationNs, qint64(500'000'000));
    }

    void otherEventPeriods()
    {
        const QByteArray text = "prog 1 5.000000: 1000 cycles:\n\t 1 f+0x1 (a)\n";
        auto r = PerfScriptReader::parse(text, QStringLiteral("x"));
        QVERIFY(r);
        QCOMPARE(r->size(), 2);
        QCOMPARE((*r)[1].typeId, QStringLiteral("perf_cycles:cycles:count:cycles:count"));
        QCOMPARE((*r)[1].total(), qint64(1000));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray("") << 0 << QStringLiteral("no samples");
        QTest::newRow("not perf") << QByteArray("hello world\n") << 1 << QStringLiteral("expected a sample header");
        QTest::newRow("frame first") << QByteArray("\t 1234 foo (bar)\n") << 1 << QStringLiteral("before any sample header");
        QTest::newRow("bad frame") << QByteArray("p 1 1.0: 1 cpu-clock:\n\tjunk\n") << 2 << QStringLiteral("address symbol");
        QTest::newRow("mixed events") << QByteArray("p 1 1.0: 1 cpu-clock:\n\t1 a (b)\n\np 1 2.0: 5 cycles:\n\t1 a (b)\n")
                                      << 4 << QStringLiteral("several events");
    }
    void errors()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(QString, message);
        auto r = PerfScriptReader::parse(text, QStringLiteral("bad.perf"));
        QVERIFY(!r);
        QCOMPARE(r.error().source, QStringLiteral("bad.perf"));
        QCOMPARE(r.error().line, line);
        QVERIFY2(r.error().message.contains(message), qPrintable(r.error().message));
    }

    void truncatedPrefixesNeverCrash()
    {
        QFile f(corpus("perf/perf-script-fp.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray all = f.readAll();
        for (qsizetype n = 0; n < all.size(); n += 97) {
            auto r = PerfScriptReader::parse(QByteArrayView(all).first(n), QStringLiteral("p"));
            if (r)
                QVERIFY((*r)[0].total() <= 498);
        }
    }

    void cpuprofileCorpus()
    {
        auto r = CpuprofileReader::readFile(corpus("node-cpuprofile/workload.cpuprofile"));
        QVERIFY2(r, err(r).constData());
        QCOMPARE(r->size(), 2);
        const auto &counts = (*r)[0];
        const auto &time = (*r)[1];
        QCOMPARE(counts.total(), qint64(1359)); // samples[] length
        // Time: from the first sample to endTime (sum of deltas after the first).
        QVERIFY(time.total() > 1'400'000'000 && time.total() <= 1'551'380'000);
        const auto self = selfByFunction(counts);
        for (const char *hot : {"sortNumbers", "jsonRoundTrip", "parseLogs", "(garbage collector)", "fib"})
            QVERIFY2(self.contains(QLatin1String(hot)) || [&] {
                for (const auto &s : counts.stacks)
                    for (auto f : s.functions)
                        if (counts.functionNames[f] == QLatin1String(hot))
                            return true;
                return false;
            }(), hot);
        for (const auto &s : counts.stacks)
            for (auto f : s.functions)
                QVERIFY(counts.functionNames[f] != u"(root)");
    }

    void cpuprofileErrors()
    {
        auto r = CpuprofileReader::parse("{\"nodes\": [", QStringLiteral("a.cpuprofile"));
        QVERIFY(!r);
        QCOMPARE(r.error().line, 1);
        QVERIFY(r.error().message.contains(u"invalid JSON"));
        r = CpuprofileReader::parse("{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"a\"}}],\"samples\":[2],\"timeDeltas\":[1]}",
                                    QStringLiteral("a.cpuprofile"));
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"node 2, which does not exist"), qPrintable(r.error().message));
        r = CpuprofileReader::parse("{\"nodes\":[{\"id\":1,\"callFrame\":{\"functionName\":\"a\"},\"children\":[2]},"
                                    "{\"id\":2,\"callFrame\":{\"functionName\":\"b\"},\"children\":[1]}],\"samples\":[2],\"timeDeltas\":[1]}",
                                    QStringLiteral("a.cpuprofile"));
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"cycle"), qPrintable(r.error().message));
    }
};

QTEST_GUILESS_MAIN(TestPerfScriptReader)
#include "tst_perf_script_reader.moc"
