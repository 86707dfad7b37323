#include "core/formats/folded_reader.h"
#include "core/query/profile/call_tree.h"
#include "core/query/profile/flamebearer.h"
#include "core/query/profile/profile_query.h"
#include "core/query/profile/profile_selector.h"
#include "core/store/profile_store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::query::profile;

namespace {

template <typename R>
QByteArray err(const R &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

// Hotspot-style fixtures: "a;b;c 5" lines, root first.
CallTree tree(const char *text)
{
    CallTree t;
    for (const auto &line : QString::fromLatin1(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const auto parts = line.split(QLatin1Char(' '));
        t.addRootFirst(parts[0].split(QLatin1Char(';')), parts[1].toLongLong());
    }
    return t;
}

model::Profile folded(const char *text, const QString &service, model::TimestampNs t, const QString &region = {})
{
    formats::FoldedReadOptions o;
    o.typeId = kCpu;
    o.labels = model::Labels{{QStringLiteral("service_name"), service}};
    if (!region.isEmpty())
        o.labels = o.labels.with(QStringLiteral("region"), region);
    o.time = t;
    return *formats::FoldedReader::parse(QByteArray(text), QStringLiteral("fixture"), o);
}

} // namespace

class TestProfileQuery : public QObject
{
    Q_OBJECT

private slots:
    void selectorParses()
    {
        auto s = ProfileSelector::parse(kCpu + QStringLiteral("{service_name=\"api\", env=~\"prod|dev\" , span_id!='x'}"));
        QVERIFY2(s, err(s).constData());
        QCOMPARE(s->typeId, kCpu);
        QCOMPARE(s->seriesMatchers.size(), 2);
        QCOMPARE(s->seriesMatchers[1].op(), model::LabelMatcher::Op::RegexMatch);
        QCOMPARE(s->stackMatchers.size(), 1);
        QCOMPARE(s->stackMatchers[0].name(), QStringLiteral("span_id"));
        auto bare = ProfileSelector::parse(kCpu);
        QVERIFY(bare);
        QVERIFY(bare->seriesMatchers.isEmpty());
        auto m = ProfileSelector::parseMatchers(QStringLiteral("{}"));
        QVERIFY(m);
        auto esc = ProfileSelector::parseMatchers(QStringLiteral("{a=\"x\\\"y\", b=~\"a\\.b\"}"));
        QVERIFY(esc);
        QCOMPARE(esc->seriesMatchers[0].value(), QStringLiteral("x\"y"));
        QCOMPARE(esc->seriesMatchers[1].value(), QStringLiteral("a\\.b"));
    }

    void selectorErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("bad type") << QStringLiteral("cpu{a=\"b\"}") << 1 << QStringLiteral("not a profile type id");
        QTest::newRow("no op") << kCpu + QStringLiteral("{a \"b\"}") << 47 << QStringLiteral("expected one of");
        QTest::newRow("unterminated") << kCpu + QStringLiteral("{a=\"b}") << 47 << QStringLiteral("unterminated");
        QTest::newRow("no close") << kCpu + QStringLiteral("{a=\"b\"") << 50 << QStringLiteral("expected \",\" or \"}\"");
        QTest::newRow("bad regex") << kCpu + QStringLiteral("{a=~\"(\"}") << 48 << QStringLiteral("");
        QTest::newRow("empty") << QString() << 1 << QStringLiteral("empty selector");
    }
    void selectorErrors()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(QString, message);
        auto s = ProfileSelector::parse(text);
        QVERIFY(!s);
        QCOMPARE(s.error().column, column);
        QVERIFY2(s.error().message.contains(message), qPrintable(s.error().message));
    }

    void treeArithmetic()
    {
        const CallTree t = tree("main;a;b 5\nmain;a 2\nmain;c 3\nmain;a;b 1\n");
        QCOMPARE(t.total(), qint64(11));
        const auto a = t.find({u"main"_qs, u"a"_qs});
        QVERIFY(a > 0);
        QCOMPARE(t.node(a).total, qint64(8));
        QCOMPARE(t.node(a).self, qint64(2));
        QCOMPARE(t.node(t.find({u"main"_qs, u"a"_qs, u"b"_qs})).self, qint64(6));
        QCOMPARE(t.node(t.find({u"main"_qs})).self, qint64(0));
        QCOMPARE(t.find({u"main"_qs, u"zzz"_qs}), -1);
        // Invariant: total = self + children.
        for (const auto &n : t.nodes()) {
            qint64 sum = n.self;
            for (auto c : n.children)
                sum += t.node(c).total;
            QCOMPARE(sum, n.total);
        }
    }

    void nestedSetFrame()
    {
        const model::Frame f = tree("main;b 2\nmain;a 3\nother 1\n").toFrame(QStringLiteral("ns"));
        QCOMPARE(f.kind(), model::FrameKind::ProfileTree);
        QVERIFY(f.isConsistent());
        QCOMPARE(f.field(u"label")->strings(), (QStringList{u"total"_qs, u"main"_qs, u"a"_qs, u"b"_qs, u"other"_qs}));
        QCOMPARE(f.field(u"level")->int64s(), (QList<std::int64_t>{0, 1, 2, 2, 1}));
        QCOMPARE(f.field(u"value")->int64s(), (QList<std::int64_t>{6, 5, 3, 2, 1}));
        QCOMPARE(f.field(u"self")->int64s(), (QList<std::int64_t>{0, 0, 3, 2, 1}));
        QCOMPARE(f.field(u"value")->unit(), QStringLiteral("ns"));
    }

    void flamebearerLevels()
    {
        const Flamebearer fb = Flamebearer::fromTree(tree("main;b 2\nmain;a 3\nother 1\n"));
        QCOMPARE(fb.numTicks, qint64(6));
        QCOMPARE(fb.maxSelf, qint64(3));
        QCOMPARE(fb.names, (QStringList{u"total"_qs, u"main"_qs, u"a"_qs, u"b"_qs, u"other"_qs}));
        QCOMPARE(fb.levels.size(), 3);
        QCOMPARE(fb.levels[0], (QList<std::int64_t>{0, 6, 0, 0}));
        QCOMPARE(fb.levels[1], (QList<std::int64_t>{0, 5, 0, 1, 0, 1, 1, 4}));
        QCOMPARE(fb.levels[2], (QList<std::int64_t>{0, 3, 3, 2, 0, 2, 2, 3}));
    }

    void truncation()
    {
        QByteArray text;
        CallTree t;
        for (int i = 0; i < 100; ++i)
            t.addRootFirst({u"main"_qs, QStringLiteral("f%1").arg(i)}, i + 1);
        const CallTree small = t.truncated(20);
        QVERIFY(small.size() <= 22);
        QCOMPARE(small.total(), t.total());
        const auto other = small.find({u"main"_qs, u"other"_qs});
        QVERIFY(other > 0);
        QVERIFY(small.find({u"main"_qs, u"f99"_qs}) > 0); // the biggest stay
        QCOMPARE(small.find({u"main"_qs, u"f0"_qs}), -1);
        qint64 sum = 0;
        for (auto c : small.node(small.find({u"main"_qs})).children)
            sum += small.node(c).total;
        QCOMPARE(sum, t.total());
        QCOMPARE(t.truncated(0).size(), t.size());
    }

    void functionTotalsCountRecursionOnce()
    {
        model::Profile p;
        p.functionNames = {u"main"_qs, u"fib"_qs, u"leaf"_qs};
        p.stacks.append({{2, 1, 1, 1, 0}, 10, {}}); // main;fib;fib;fib;leaf
        p.stacks.append({{1, 0}, 4, {}});           // main;fib
        const auto totals = functionTotals(p);
        QCOMPARE(totals.size(), 3);
        QCOMPARE(totals[0].name, QStringLiteral("leaf"));
        QCOMPARE(totals[0].self, qint64(10));
        QCOMPARE(totals[1].name, QStringLiteral("fib"));
        QCOMPARE(totals[1].self, qint64(4));
        QCOMPARE(totals[1].total, qint64(14)); // not 34
        QCOMPARE(totals[2].total, qint64(14));
    }

    void diffNormalisation()
    {
        // Right has twice the samples; b's share grows from 50% to 75%.
        const CallTree left = tree("main;a 5\nmain;b 5\n");
        const CallTree right = tree("main;a 5\nmain;b 15\nmain;c 0\n");
        const DiffTree raw = DiffTree::build(left, right, false);
        const auto b = raw.find({u"main"_qs, u"b"_qs});
        QCOMPARE(raw.nodes()[size_t(b)].rightTotal, qint64(15));
        const DiffTree d = DiffTree::build(left, right, true);
        QCOMPARE(d.scale(), 0.5);
        QCOMPARE(d.leftTotal(), qint64(10));
        QCOMPARE(d.rightTotal(), qint64(20));
        const auto nb = d.find({u"main"_qs, u"b"_qs});
        QCOMPARE(d.nodes()[size_t(nb)].leftTotal, qint64(5));
        QCOMPARE(d.nodes()[size_t(nb)].rightTotal, qint64(8)); // 7.5 rounded
        QVERIFY(qAbs(d.shareDelta(nb) - 0.25) < 0.06); // 7.5 rounds to 8
        const auto na = d.find({u"main"_qs, u"a"_qs});
        QVERIFY(d.shareDelta(na) < -0.15); // -0.25 before rounding
        // Only in one side.
        const DiffTree only = DiffTree::build(tree("main;x 4\n"), tree("main;y 4\n"), true);
        const auto x = only.find({u"main"_qs, u"x"_qs}), y = only.find({u"main"_qs, u"y"_qs});
        QCOMPARE(only.nodes()[size_t(x)].rightTotal, qint64(0));
        QCOMPARE(only.nodes()[size_t(y)].leftTotal, qint64(0));
        const model::Frame f = only.toFrame();
        QVERIFY(f.isConsistent());
        QCOMPARE(f.field(u"label")->strings(), (QStringList{u"total"_qs, u"main"_qs, u"x"_qs, u"y"_qs}));
        QCOMPARE(f.field(u"value")->int64s(), (QList<std::int64_t>{8, 8, 4, 4}));
        QCOMPARE(f.field(u"valueRight")->int64s(), (QList<std::int64_t>{4, 4, 0, 4}));
        const Flamebearer fb = Flamebearer::fromDiff(only);
        QCOMPARE(fb.leftTicks, qint64(4));
        QCOMPARE(fb.rightTicks, qint64(4));
        QCOMPARE(fb.levels[2], (QList<std::int64_t>{0, 4, 4, 0, 0, 0, 2, 0, 0, 0, 0, 4, 4, 3}));
    }

    void engineOverStore()
    {
        QTemporaryDir dir;
        auto st = store::ProfileStore::open(dir.filePath(QStringLiteral("p.db")));
        QVERIFY(st);
        auto &s = **st;
        // 15 s CPU profiles of two services; api's CPU rises at t = 60 s.
        constexpr qint64 sec = 1'000'000'000;
        QList<model::Profile> batch;
        for (int i = 0; i < 8; ++i) {
            const qint64 t = i * 15 * sec;
            batch.append(folded(i < 4 ? "main;handle 10\nmain;gc 2\n" : "main;handle 30\nmain;gc 2\n",
                                QStringLiteral("api"), t, QStringLiteral("eu")));
            batch.append(folded("main;query 7\n", QStringLiteral("db"), t, QStringLiteral("us")));
        }
        auto spanned = folded("main;handle 100\n", QStringLiteral("api"), 200 * sec, QStringLiteral("eu"));
        spanned.stacks[0].labels = model::Labels{{QStringLiteral("span_id"), QStringLiteral("00f067aa0ba902b7")}};
        batch.append(spanned);
        QVERIFY(s.append(batch));
        ProfileQueryEngine engine(s);

        auto api = ProfileSelector::parse(kCpu + QStringLiteral("{service_name=\"api\"}"));
        QVERIFY(api);
        auto t = engine.merge(*api, 0, 119 * sec);
        QVERIFY2(t, err(t).constData());
        QCOMPARE(t->total(), qint64(4 * 12 + 4 * 32));
        QCOMPARE(t->node(t->find({u"main"_qs, u"handle"_qs})).total, qint64(160));

        auto byService = engine.totalsBy(*ProfileSelector::parse(kCpu), 0, 119 * sec, {u"service_name"_qs});
        QVERIFY2(byService, err(byService).constData());
        QCOMPARE(byService->size(), 2);
        QCOMPARE((*byService)[0].labels.value(u"service_name"), QStringLiteral("api"));
        QCOMPARE((*byService)[0].total, qint64(176));
        QCOMPARE((*byService)[1].total, qint64(56));
        QCOMPARE((*byService)[1].labels.size(), 1);

        // When did CPU rise: per-minute totals of api.
        auto series = engine.series(*api, 0, 119 * sec, 60 * sec, {u"service_name"_qs});
        QVERIFY2(series, err(series).constData());
        QCOMPARE(series->size(), 1);
        const auto &pts = series->front().points;
        QCOMPARE(pts.size(), 2);
        QCOMPARE(pts[0].time, model::TimestampNs(0));
        QCOMPARE(pts[0].value, qint64(48));
        QCOMPARE(pts[1].time, model::TimestampNs(60 * sec));
        QCOMPARE(pts[1].value, qint64(128));

        // Span selection.
        auto span = ProfileSelector::parse(kCpu + QStringLiteral("{service_name=\"api\", span_id=\"00f067aa0ba902b7\"}"));
        QVERIFY(span);
        auto inSpan = engine.merge(*span, 0, 300 * sec);
        QVERIFY(inSpan);
        QCOMPARE(inSpan->total(), qint64(100));
        auto spanSeries = engine.series(*span, 0, 300 * sec, 300 * sec, {});
        QVERIFY(spanSeries);
        QCOMPARE(spanSeries->front().points.front().value, qint64(100));
        auto spanTotals = engine.totalsBy(*span, 0, 300 * sec, {u"service_name"_qs});
        QVERIFY(spanTotals);
        QCOMPARE(spanTotals->front().total, qint64(100));

        // Diff of before/after the rise: handle's share grows.
        auto d = engine.diff(*api, 0, 59 * sec, *api, 60 * sec, 119 * sec);
        QVERIFY2(d, err(d).constData());
        const auto h = d->find({u"main"_qs, u"handle"_qs});
        QVERIFY(d->shareDelta(h) > 0.1);
        QCOMPARE(d->leftTotal(), qint64(48));
        QCOMPARE(d->rightTotal(), qint64(128));

        auto noType = engine.merge(*ProfileSelector::parseMatchers(QStringLiteral("{}")), 0, 1);
        QVERIFY(!noType);
        QVERIFY(noType.error().message.contains(u"names no profile type"));
        QVERIFY(!engine.series(*api, 0, 10, 0, {}));
    }
};

QTEST_GUILESS_MAIN(TestProfileQuery)
#include "tst_profile_query.moc"
