#include "core/formats/pprof_reader.h"
#include "core/proto/pprof/profile.pb.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <zlib.h>

using namespace spyglass;
using formats::PprofReader;
namespace pb = perftools::profiles;

namespace {

// QVERIFY2 evaluates its message even when the check passes.
template <typename R>
QByteArray err(const R &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

QString corpus(const char *rel)
{
    return QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + QLatin1String(rel);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(path));
    return f.readAll();
}

// `go tool pprof -raw` prints some names simplified (parenthesised groups of
// V8 RegExp names dropped); compare those by their prefix.
QString normalise(QString name)
{
    name = name.trimmed();
    if (name.startsWith(u"RegExp:"))
        return QStringLiteral("RegExp:");
    return name;
}

// The reference decode: per sample type, "leaf;...;root" -> summed value.
struct RawDecode
{
    QStringList sampleTypes; // "samples/count"
    QList<QHash<QString, qint64>> stacks;
    QList<qint64> totals;
};

RawDecode parseRaw(const QString &path)
{
    const QStringList lines = QString::fromUtf8(readAll(path)).split(QLatin1Char('\n'));
    RawDecode out;
    QHash<int, QStringList> locations;
    struct Sample { QList<qint64> values; QList<int> locs; };
    QList<Sample> samples;
    enum { Header, Samples, Locations, Mappings } section = Header;
    int currentLoc = -1;
    static const QRegularExpression sampleRe(QStringLiteral("^\\s*([-0-9 ]+):((?: \\d+)*)\\s*$"));
    static const QRegularExpression locRe(QStringLiteral("^\\s*(\\d+): 0x[0-9a-f]+ M=\\d+ (.*)$"));
    auto funcName = [](QString rest) {
        const qsizetype s = rest.lastIndexOf(QStringLiteral(" s="));
        if (s >= 0)
            rest = rest.left(s);
        const qsizetype sp = rest.lastIndexOf(QLatin1Char(' '));
        return normalise(sp >= 0 ? rest.left(sp) : rest);
    };
    for (const QString &line : lines) {
        if (line.startsWith(u"Samples:")) { section = Samples; continue; }
        if (line.startsWith(u"Locations")) { section = Locations; continue; }
        if (line.startsWith(u"Mappings")) { section = Mappings; continue; }
        if (section == Samples) {
            if (out.sampleTypes.isEmpty()) {
                out.sampleTypes = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
                continue;
            }
            const auto m = sampleRe.match(line);
            if (!m.hasMatch())
                continue; // label lines
            Sample s;
            for (const auto &v : m.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts))
                s.values.append(v.toLongLong());
            for (const auto &l : m.captured(2).split(QLatin1Char(' '), Qt::SkipEmptyParts))
                s.locs.append(l.toInt());
            samples.append(s);
        } else if (section == Locations) {
            const auto m = locRe.match(line);
            if (m.hasMatch()) {
                currentLoc = m.captured(1).toInt();
                locations[currentLoc].append(funcName(m.captured(2)));
            } else if (!line.trimmed().isEmpty() && currentLoc >= 0) {
                locations[currentLoc].append(funcName(line.trimmed()));
            }
        }
    }
    out.stacks.resize(out.sampleTypes.size());
    out.totals.resize(out.sampleTypes.size());
    for (const auto &s : samples) {
        QStringList frames;
        for (int l : s.locs)
            frames += locations.value(l);
        const QString key = frames.join(QLatin1Char(';'));
        for (qsizetype t = 0; t < s.values.size() && t < out.sampleTypes.size(); ++t) {
            if (s.values[t] == 0)
                continue;
            out.stacks[t][key] += s.values[t];
            out.totals[t] += s.values[t];
        }
    }
    return out;
}

QHash<QString, qint64> stacksOf(const model::Profile &p)
{
    QHash<QString, qint64> out;
    for (const auto &s : p.stacks) {
        QStringList frames;
        for (auto f : s.functions)
            frames.append(normalise(p.functionNames[f]));
        out[frames.join(QLatin1Char(';'))] += s.value;
    }
    return out;
}

QByteArray gzip(const QByteArray &raw)
{
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&z, uLong(raw.size())) + 32), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.constData()));
    z.avail_in = uInt(raw.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

// A small valid profile: main -> work -> leaf, with cpu values.
pb::Profile smallProfile()
{
    pb::Profile p;
    for (const char *s : {"", "samples", "count", "cpu", "nanoseconds", "main", "work", "leaf", "span_id", "abc", "bytes"})
        p.add_string_table(s);
    auto *st = p.add_sample_type();
    st->set_type(1);
    st->set_unit(2);
    st = p.add_sample_type();
    st->set_type(3);
    st->set_unit(4);
    p.mutable_period_type()->set_type(3);
    p.mutable_period_type()->set_unit(4);
    p.set_period(10'000'000);
    p.set_time_nanos(1'700'000'000'000'000'000);
    p.set_duration_nanos(10'000'000'000);
    for (int i = 1; i <= 3; ++i) {
        auto *f = p.add_function();
        f->set_id(std::uint64_t(i));
        f->set_name(4 + i); // main, work, leaf
        auto *l = p.add_location();
        l->set_id(std::uint64_t(10 + i));
        l->add_line()->set_function_id(std::uint64_t(i));
    }
    auto *s = p.add_sample(); // leaf <- work <- main
    s->add_location_id(13);
    s->add_location_id(12);
    s->add_location_id(11);
    s->add_value(3);
    s->add_value(30'000'000);
    s = p.add_sample(); // work <- main, labelled
    s->add_location_id(12);
    s->add_location_id(11);
    s->add_value(1);
    s->add_value(10'000'000);
    auto *lab = s->add_label();
    lab->set_key(8);
    lab->set_str(9);
    lab = s->add_label();
    lab->set_key(10);
    lab->set_num(4096);
    return p;
}

QByteArray bytesOf(const pb::Profile &p)
{
    std::string out;
    p.SerializeToString(&out);
    return QByteArray::fromStdString(out);
}

} // namespace

class TestPprofReader : public QObject
{
    Q_OBJECT

private slots:
    void corpusMatchesGoToolPprof_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QStringList>("typeIds");
        QTest::newRow("go cpu") << corpus("go-pprof/cpu.pb.gz") << corpus("go-pprof/cpu.raw.txt")
                                << QStringList{QStringLiteral("process_cpu:samples:count:cpu:nanoseconds"),
                                               QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")};
        QTest::newRow("go heap") << corpus("go-pprof/heap.pb.gz") << corpus("go-pprof/heap.raw.txt")
                                 << QStringList{QStringLiteral("memory:alloc_objects:count:space:bytes"),
                                                QStringLiteral("memory:alloc_space:bytes:space:bytes"),
                                                QStringLiteral("memory:inuse_objects:count:space:bytes"),
                                                QStringLiteral("memory:inuse_space:bytes:space:bytes")};
        QTest::newRow("node wall") << corpus("node-pprof/cpu.pb.gz") << corpus("node-pprof/cpu.raw.txt")
                                   << QStringList{QStringLiteral("wall:sample:count:wall:nanoseconds"),
                                                  QStringLiteral("wall:wall:nanoseconds:wall:nanoseconds")};
        QTest::newRow("node heap") << corpus("node-pprof/heap.pb.gz") << corpus("node-pprof/heap.raw.txt")
                                   << QStringList{QStringLiteral("memory:inuse_objects:count:inuse_space:bytes"),
                                                  QStringLiteral("memory:inuse_space:bytes:inuse_space:bytes")};
    }
    void corpusMatchesGoToolPprof()
    {
        QFETCH(QString, file);
        QFETCH(QString, raw);
        QFETCH(QStringList, typeIds);
        const model::Labels series{{QStringLiteral("service_name"), QStringLiteral("corpus")}};
        auto profiles = PprofReader::readFile(file, {QString(), series});
        QVERIFY2(profiles, err(profiles).constData());
        const RawDecode expected = parseRaw(raw);
        QCOMPARE(profiles->size(), expected.sampleTypes.size());
        for (qsizetype t = 0; t < profiles->size(); ++t) {
            const auto &p = (*profiles)[t];
            QCOMPARE(p.typeId, typeIds[t]);
            QCOMPARE(p.labels, series);
            QCOMPARE(p.total(), expected.totals[t]);
            QCOMPARE(stacksOf(p), expected.stacks[t]);
            QVERIFY(p.time > 1'700'000'000'000'000'000);
        }
    }

    void goCpuFactsFromTraces()
    {
        // cpu.traces.txt: "Duration: 2.12s, Total samples = 1.98s", period 10 ms.
        auto profiles = PprofReader::readFile(corpus("go-pprof/cpu.pb.gz"));
        QVERIFY(profiles);
        const auto &cpu = (*profiles)[1];
        QCOMPARE(cpu.total(), qint64(1'980'000'000));
        QCOMPARE((*profiles)[0].total(), qint64(198));
        QCOMPARE(cpu.period, qint64(10'000'000));
        QCOMPARE(cpu.durationNs / 10'000'000, qint64(212));
        // The first trace: an inlined frame (Kind inside Value.Elem) leads
        // and runtime.main is the root.
        QHash<QString, qint64> self;
        for (const auto &s : cpu.stacks)
            self[cpu.functionNames[s.functions.front()]] += s.value;
        QVERIFY(self.value(QStringLiteral("reflect.(*rtype).Kind")) > 0);
        for (const auto &s : cpu.stacks)
            if (cpu.functionNames[s.functions.front()] == u"reflect.(*rtype).Kind") {
                QCOMPARE(cpu.functionNames[s.functions[1]], QStringLiteral("reflect.Value.Elem"));
                QCOMPARE(cpu.functionNames[s.functions.back()], QStringLiteral("runtime.main"));
            }
    }

    void heapNumericLabels()
    {
        auto profiles = PprofReader::readFile(corpus("go-pprof/heap.pb.gz"));
        QVERIFY(profiles);
        bool found = false;
        for (const auto &s : (*profiles)[1].stacks)
            if (s.labels.value(u"bytes") == u"2304")
                found = true;
        QVERIFY(found); // heap.raw.txt: "bytes:[2304]"
    }

    void plainAndGzipAreTheSame()
    {
        const QByteArray gz = readAll(corpus("go-pprof/cpu.pb.gz"));
        auto raw = PprofReader::gunzip(gz, QStringLiteral("cpu.pb.gz"));
        QVERIFY(raw);
        auto a = PprofReader::parse(gz, QStringLiteral("gz"));
        auto b = PprofReader::parse(*raw, QStringLiteral("raw"));
        QVERIFY(a && b);
        QCOMPARE(stacksOf((*a)[1]), stacksOf((*b)[1]));
    }

    void smallProfileValuesAndLabels()
    {
        auto profiles = PprofReader::parse(gzip(bytesOf(smallProfile())), QStringLiteral("small"));
        QVERIFY2(profiles, err(profiles).constData());
        QCOMPARE(profiles->size(), 2);
        const auto &cpu = (*profiles)[1];
        QCOMPARE(cpu.typeId, QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
        QCOMPARE(cpu.total(), qint64(40'000'000));
        QCOMPARE(cpu.durationNs, qint64(10'000'000'000));
        QCOMPARE(cpu.stacks.size(), 2);
        QCOMPARE(cpu.stacks[1].labels.value(u"span_id"), QStringLiteral("abc"));
        QCOMPARE(cpu.stacks[1].labels.value(u"bytes"), QStringLiteral("4096"));
        QCOMPARE(cpu.functionNames[cpu.stacks[0].functions[0]], QStringLiteral("leaf"));
        QCOMPARE(cpu.functionNames[cpu.stacks[0].functions[2]], QStringLiteral("main"));
    }

    void explicitNameWins()
    {
        auto profiles = PprofReader::parse(bytesOf(smallProfile()), QStringLiteral("small"),
                                           {QStringLiteral("block"), {}});
        QVERIFY(profiles);
        QCOMPARE((*profiles)[0].typeId, QStringLiteral("block:samples:count:cpu:nanoseconds"));
    }

    void recursionIsKept()
    {
        // A "cycle" in the call graph: main -> work -> main -> leaf.
        pb::Profile p = smallProfile();
        p.clear_sample();
        auto *s = p.add_sample();
        for (std::uint64_t id : {13, 11, 12, 11})
            s->add_location_id(id);
        s->add_value(1);
        s->add_value(5);
        auto profiles = PprofReader::parse(bytesOf(p), QStringLiteral("cycle"));
        QVERIFY(profiles);
        const auto &cpu = (*profiles)[1];
        QCOMPARE(cpu.stacks.size(), 1);
        QStringList names;
        for (auto f : cpu.stacks[0].functions)
            names.append(cpu.functionNames[f]);
        QCOMPARE(names, (QStringList{u"leaf"_qs, u"main"_qs, u"work"_qs, u"main"_qs}));
    }

    void inlinedLinesExpand()
    {
        pb::Profile p = smallProfile();
        // Location 12 holds work inlined into main: lines [work, main].
        p.mutable_location(1)->add_line()->set_function_id(1);
        p.clear_sample();
        auto *s = p.add_sample();
        s->add_location_id(12);
        s->add_value(1);
        s->add_value(1);
        auto profiles = PprofReader::parse(bytesOf(p), QStringLiteral("inline"));
        QVERIFY(profiles);
        const auto &st = (*profiles)[0].stacks[0];
        QCOMPARE(st.functions.size(), 2);
        QCOMPARE((*profiles)[0].functionNames[st.functions[0]], QStringLiteral("work"));
        QCOMPARE((*profiles)[0].functionNames[st.functions[1]], QStringLiteral("main"));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        {
            pb::Profile p = smallProfile();
            p.mutable_function(1)->set_name(99);
            QTest::newRow("string index out of range") << bytesOf(p) << QStringLiteral("string index 99 is out of range");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_sample(0)->set_location_id(1, 77);
            QTest::newRow("missing location") << bytesOf(p) << QStringLiteral("sample 1, frame 2: location id 77 does not exist");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_location(0)->mutable_line(0)->set_function_id(42);
            QTest::newRow("missing function") << bytesOf(p) << QStringLiteral("function id 42 does not exist");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_location(0)->set_mapping_id(5);
            QTest::newRow("missing mapping") << bytesOf(p) << QStringLiteral("mapping id 5 does not exist");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_sample(1)->add_value(7);
            QTest::newRow("value count") << bytesOf(p) << QStringLiteral("sample 2 has 3 values but the profile declares 2");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_location(2)->set_id(11);
            QTest::newRow("duplicate location") << bytesOf(p) << QStringLiteral("duplicate location id");
        }
        {
            pb::Profile p = smallProfile();
            p.clear_sample_type();
            p.clear_sample();
            QTest::newRow("no sample types") << bytesOf(p) << QStringLiteral("declares no sample types");
        }
        {
            pb::Profile p = smallProfile();
            p.mutable_string_table()->Mutable(0)->assign("x");
            QTest::newRow("string table") << bytesOf(p) << QStringLiteral("must start with an empty string");
        }
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty file");
        QTest::newRow("text") << QByteArray("hello, this is text\n") << QStringLiteral("not a valid pprof profile");
        const QByteArray good = bytesOf(smallProfile());
        QTest::newRow("truncated") << good.left(good.size() - 3) << QStringLiteral("truncated");
        const QByteArray gz = gzip(good);
        QTest::newRow("truncated gzip") << gz.left(gz.size() / 2) << QStringLiteral("gzip data is truncated");
        QByteArray badGz = gz;
        for (qsizetype i = 10; i < badGz.size() - 8; ++i)
            badGz[i] = char(0xff);
        QTest::newRow("bad gzip") << badGz << QStringLiteral("bad gzip data");
    }
    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        auto r = PprofReader::parse(bytes, QStringLiteral("bad.pb"));
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message)); // r failed: safe
        QVERIFY2(r.error().message.startsWith(u"bad.pb"), qPrintable(r.error().message));
        QCOMPARE(r.error().source, QStringLiteral("bad.pb"));
    }

    void everyPrefixIsSafe()
    {
        // Fuzz-like: no prefix of a real profile may crash or hang, and a
        // prefix that parses must be internally consistent.
        auto raw = PprofReader::gunzip(readAll(corpus("node-pprof/cpu.pb.gz")), QStringLiteral("x"));
        QVERIFY(raw);
        int rejected = 0;
        for (qsizetype n = 0; n < raw->size(); ++n) {
            auto r = PprofReader::parse(raw->left(n), QStringLiteral("prefix"));
            if (!r) {
                ++rejected;
                continue;
            }
            for (const auto &p : *r)
                for (const auto &s : p.stacks)
                    for (auto f : s.functions)
                        QVERIFY(f < std::uint32_t(p.functionNames.size()));
        }
        QVERIFY(rejected > raw->size() / 2);
        // And flipped bytes.
        QByteArray copy = *raw;
        for (qsizetype i = 0; i < copy.size(); i += 7) {
            const char old = copy[i];
            copy[i] = char(old ^ 0x5a);
            auto r = PprofReader::parse(copy, QStringLiteral("flip"));
            if (r)
                for (const auto &p : *r)
                    for (const auto &s : p.stacks)
                        for (auto f : s.functions)
                            QVERIFY(f < std::uint32_t(p.functionNames.size()));
            copy[i] = old;
        }
    }

    void missingFileIsIoError()
    {
        auto r = PprofReader::readFile(QStringLiteral("/nonexistent/x.pb.gz"));
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Io);
        QVERIFY(r.error().message.contains(u"/nonexistent/x.pb.gz"));
    }
};

QTEST_GUILESS_MAIN(TestPprofReader)
#include "tst_pprof_reader.moc"
