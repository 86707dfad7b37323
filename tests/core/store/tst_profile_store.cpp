#include "core/formats/folded_reader.h"
#include "core/formats/pprof_reader.h"
#include "core/store/profile_store.h"
#include "core/store/storage.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using store::ProfileStore;

namespace {

template <typename R>
QByteArray err(const R &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

model::Profile folded(const QByteArray &text, const QString &service, model::TimestampNs t,
                      const QString &typeId = kCpu)
{
    formats::FoldedReadOptions o;
    o.typeId = typeId;
    o.labels = model::Labels{{QStringLiteral("service_name"), service}};
    o.time = t;
    auto p = formats::FoldedReader::parse(text, QStringLiteral("fixture"), o);
    if (!p)
        qFatal("fixture: %s", qPrintable(p.error().toString()));
    return *p;
}

QMap<QString, qint64> stacks(const model::Profile &p)
{
    QMap<QString, qint64> out;
    for (const auto &s : p.stacks) {
        QStringList names;
        for (auto it = s.functions.crbegin(); it != s.functions.crend(); ++it)
            names.append(p.functionNames[*it]);
        QString key = names.join(QLatin1Char(';'));
        if (!s.labels.isEmpty())
            key += QLatin1Char(' ') + s.labels.toString();
        out[key] += s.value;
    }
    return out;
}

model::LabelMatcher eq(const char *n, const char *v)
{
    return *model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QString::fromLatin1(n), QString::fromLatin1(v));
}

} // namespace

class TestProfileStore : public QObject
{
    Q_OBJECT

private slots:
    void appendMergeAndDedupe()
    {
        QTemporaryDir dir;
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("profiles.db")));
        QVERIFY2(s, err(s).constData());
        auto st = (*s)->append({folded("main;a 10\nmain;b;c 5\n", QStringLiteral("api"), 1000),
                                folded("main;a 1\nmain;d 2\n", QStringLiteral("api"), 2000)});
        QVERIFY2(st, err(st).constData());
        QCOMPARE(st->profiles, 2);
        QCOMPARE(st->newSeries, 1);
        QCOMPARE(st->newStacks, 3); // main;a, main;b;c, main;d
        QCOMPARE(st->newFunctions, 5);

        // Same stacks again: the dictionary does not grow.
        auto st2 = (*s)->append({folded("main;b;c 7\n", QStringLiteral("api"), 3000)});
        QVERIFY(st2);
        QCOMPARE(st2->newStacks, 0);
        QCOMPARE(st2->newFunctions, 0);
        QCOMPARE(st2->newSeries, 0);

        auto series = (*s)->selectSeries(kCpu, {eq("service_name", "api")});
        QVERIFY(series);
        QCOMPARE(series->size(), 1);
        const QList<std::int64_t> ids{series->front().id};
        auto all = (*s)->merge(ids, 0, 10'000);
        QVERIFY2(all, err(all).constData());
        QCOMPARE(stacks(*all), (QMap<QString, qint64>{{u"main;a"_qs, 11}, {u"main;b;c"_qs, 12}, {u"main;d"_qs, 2}}));
        QCOMPARE(all->typeId, kCpu);
        QCOMPARE(all->labels.value(u"service_name"), QStringLiteral("api"));
        // Time range bounds are inclusive.
        auto part = (*s)->merge(ids, 1000, 2000);
        QVERIFY(part);
        QCOMPARE(part->total(), qint64(18));
        auto none = (*s)->merge(ids, 4000, 5000);
        QVERIFY(none);
        QCOMPARE(none->total(), qint64(0));

        auto list = (*s)->listProfiles(ids, 0, 10'000);
        QVERIFY(list);
        QCOMPARE(list->size(), 3);
        QCOMPARE((*list)[0].time, model::TimestampNs(1000));
        QCOMPARE((*list)[0].total, qint64(15));
        auto one = (*s)->profile((*list)[1].id);
        QVERIFY(one);
        QCOMPARE(stacks(*one), (QMap<QString, qint64>{{u"main;a"_qs, 1}, {u"main;d"_qs, 2}}));
        QCOMPARE(one->time, model::TimestampNs(2000));
        auto missing = (*s)->profile(99999);
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
    }

    void durableAcrossReopenAndSharedByTwoHandles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("profiles.db"));
        auto a = ProfileStore::open(path);
        auto b = ProfileStore::open(path); // e.g. another process
        QVERIFY(a && b);
        QVERIFY((*a)->append({folded("x;y 3\n", QStringLiteral("svc"), 10)}));
        // b learns about the new series, stacks and functions on demand.
        auto series = (*b)->selectSeries(kCpu, {});
        QVERIFY(series);
        QCOMPARE(series->size(), 1);
        auto m = (*b)->merge({series->front().id}, 0, 100);
        QVERIFY2(m, err(m).constData());
        QCOMPARE(stacks(*m).value(u"x;y"_qs), qint64(3));
        // b appends a stack a has not seen; a reads it.
        QVERIFY((*b)->append({folded("x;z 4\n", QStringLiteral("svc"), 20)}));
        auto m2 = (*a)->merge({series->front().id}, 0, 100);
        QVERIFY2(m2, err(m2).constData());
        QCOMPARE(stacks(*m2).value(u"x;z"_qs), qint64(4));
        a->reset();
        b->reset();
        auto c = ProfileStore::open(path);
        QVERIFY(c);
        auto stats = (*c)->stats();
        QVERIFY(stats);
        QCOMPARE(stats->profiles, 2);
        QCOMPARE(stats->stacks, 2);
        QCOMPARE(stats->functions, 3);
        QCOMPARE(stats->minTime, model::TimestampNs(10));
        QCOMPARE(stats->maxTime, model::TimestampNs(20));
    }

    void invalidAppendStoresNothing()
    {
        QTemporaryDir dir;
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(s);
        auto bad = folded("a 1\n", QStringLiteral("svc"), 1);
        bad.typeId = QStringLiteral("cpu");
        auto r = (*s)->append({folded("a;b 1\n", QStringLiteral("svc"), 1), bad});
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"profile 2"), qPrintable(r.error().message));
        auto broken = folded("a 1\n", QStringLiteral("svc"), 1);
        broken.stacks[0].functions[0] = 7;
        r = (*s)->append({broken});
        QVERIFY(!r);
        auto stats = (*s)->stats();
        QVERIFY(stats);
        QCOMPARE(stats->profiles, 0);
        QCOMPARE(stats->series, 0);
    }

    void labelsAndTypes()
    {
        QTemporaryDir dir;
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(s);
        auto p1 = folded("a 1\n", QStringLiteral("api"), 100);
        p1.labels = p1.labels.with(QStringLiteral("env"), QStringLiteral("prod"));
        auto p2 = folded("a 1\n", QStringLiteral("db"), 200, QStringLiteral("memory:alloc_space:bytes:space:bytes"));
        QVERIFY((*s)->append({p1, p2}));
        auto types = (*s)->profileTypes(0, 1000);
        QVERIFY(types);
        QCOMPARE(*types, (QStringList{u"memory:alloc_space:bytes:space:bytes"_qs, kCpu}));
        types = (*s)->profileTypes(150, 1000);
        QVERIFY(types);
        QCOMPARE(*types, QStringList{u"memory:alloc_space:bytes:space:bytes"_qs});
        auto names = (*s)->labelNames({}, 0, 1000);
        QVERIFY(names);
        QCOMPARE(*names, (QStringList{u"env"_qs, u"service_name"_qs}));
        auto values = (*s)->labelValues(QStringLiteral("service_name"), {}, 0, 1000);
        QVERIFY(values);
        QCOMPARE(*values, (QStringList{u"api"_qs, u"db"_qs}));
        values = (*s)->labelValues(QStringLiteral("service_name"), {eq("env", "prod")}, 0, 1000);
        QVERIFY(values);
        QCOMPARE(*values, QStringList{u"api"_qs});
    }

    void stackLabelsFilter()
    {
        QTemporaryDir dir;
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(s);
        auto p = folded("main;a 10\nmain;b 5\n", QStringLiteral("api"), 1);
        p.stacks[0].labels = model::Labels{{QStringLiteral("span_id"), QStringLiteral("s1")}};
        QVERIFY((*s)->append({p}));
        auto series = (*s)->selectSeries(kCpu, {});
        QVERIFY(series);
        auto all = (*s)->merge({series->front().id}, 0, 10);
        QVERIFY(all);
        QCOMPARE(all->total(), qint64(15));
        auto span = (*s)->merge({series->front().id}, 0, 10, {eq("span_id", "s1")});
        QVERIFY2(span, err(span).constData());
        QCOMPARE(span->total(), qint64(10));
        QCOMPARE(span->stacks.front().labels.value(u"span_id"), QStringLiteral("s1"));
    }

    void retention()
    {
        QTemporaryDir dir;
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(s);
        QList<model::Profile> batch;
        QByteArray big;
        for (int i = 0; i < 200; ++i)
            big += "main;f" + QByteArray::number(i) + " " + QByteArray::number(i + 1) + "\n";
        for (int t = 1; t <= 10; ++t)
            batch.append(folded(big, QStringLiteral("svc"), t * 1000));
        QVERIFY((*s)->append(batch));
        auto before = (*s)->stats();
        QVERIFY(before);
        // Age: now = 10'500, keep 5'000 ns -> drop t < 5'500 (t = 1000..5000).
        auto removed = (*s)->applyRetention({5000, 0}, 10'500);
        QVERIFY2(removed, err(removed).constData());
        QCOMPARE(*removed, 5);
        // Size: keep at most two profiles' worth of data.
        const qint64 per = before->dataBytes / 10;
        removed = (*s)->applyRetention({0, per * 2 + per / 2}, 10'500);
        QVERIFY(removed);
        QCOMPARE(*removed, 3);
        auto after = (*s)->stats();
        QVERIFY(after);
        QCOMPARE(after->profiles, 2);
        QCOMPARE(after->minTime, model::TimestampNs(9000)); // the newest are kept
        auto series = (*s)->selectSeries(kCpu, {});
        auto m = (*s)->merge({series->front().id}, 0, 100'000);
        QVERIFY(m);
        QCOMPARE(m->total(), 2 * qint64(200 * 201 / 2));
    }

    void pprofRoundTrip()
    {
        QTemporaryDir dir;
        auto profiles = formats::PprofReader::readFile(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/go-pprof/heap.pb.gz"),
                                                       {QString(), {{QStringLiteral("service_name"), QStringLiteral("go")}}});
        QVERIFY(profiles);
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(s);
        QVERIFY((*s)->append(*profiles));
        for (const auto &p : *profiles) {
            auto series = (*s)->selectSeries(p.typeId, {});
            QVERIFY(series);
            QCOMPARE(series->size(), 1);
            auto m = (*s)->merge({series->front().id}, p.time, p.time);
            QVERIFY(m);
            QCOMPARE(stacks(*m), stacks(p));
        }
    }

    void storageOpensProfilesDb()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY2(storage, err(storage).constData());
        QVERIFY((*storage)->profiles().append({folded("a 1\n", QStringLiteral("svc"), 1)}));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("profiles.db"))));
        QCOMPARE((*storage)->profiles().path(), QFileInfo(dir.filePath(QStringLiteral("profiles.db"))).absoluteFilePath());
    }

    void refusesForeignFile()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        auto s = ProfileStore::open(dir.filePath(QStringLiteral("spyglass.db")));
        QVERIFY(!s);
        QVERIFY2(s.error().message.contains(u"not a Spyglass profile store"), qPrintable(s.error().message));
    }
};

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profile_store.moc"
