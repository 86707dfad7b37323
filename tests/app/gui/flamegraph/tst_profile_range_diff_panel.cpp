#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/theme.h"
#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/flamegraph/profile_range_diff_panel.h"
#include "core/formats/pprof_reader.h"
#include "core/store/profile_store.h"
#include "core/store/storage.h"

#include "flame_fixtures.h"

#include <QApplication>
#include <QComboBox>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;
using spyglass::test::folded;

namespace {

const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
constexpr model::TimestampNs kT0 = 1'700'000'000'000'000'000; // 2023-11-14 22:13:20 UTC
constexpr std::int64_t kMinute = 60'000'000'000;

model::Profile at(const char *stacks, model::TimestampNs time, const char *service = "shop")
{
    model::Profile p = folded(stacks, kCpu);
    p.labels = model::Labels{{QStringLiteral("service_name"), QString::fromLatin1(service)}};
    p.time = time;
    p.durationNs = 15'000'000'000;
    return p;
}

// An hour in which `json` grows: in the first half main;json is 10 of 100,
// in the second half 60 of 100 (and `gc` disappears).
void fill(store::Storage &storage)
{
    QList<model::Profile> profiles;
    for (int m = 0; m < 30; m += 10)
        profiles.push_back(at("main;handle 80\nmain;json 10\nmain;gc 10\n", kT0 + m * kMinute));
    for (int m = 30; m < 60; m += 10)
        profiles.push_back(at("main;handle 40\nmain;json 60\n", kT0 + m * kMinute));
    profiles.push_back(at("other;x 5\n", kT0, "billing"));
    const auto r = storage.profiles().append(profiles);
    QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
}

int childNamed(const CallTree &tree, int parent, const QString &name)
{
    for (int c : tree.children(parent))
        if (tree.name(c) == name)
            return c;
    return -1;
}

} // namespace

class TestProfileRangeDiffPanel : public QObject
{
    Q_OBJECT
private slots:
    void listsSeriesAndComparesRanges()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY2(storage, storage ? "" : qPrintable(storage.error().toString()));
        fill(**storage);

        ProfileRangeDiffPanel panel(storage->get());
        QSignalSpy loaded(&panel, &ProfileRangeDiffPanel::seriesLoaded);
        panel.reloadSeries();
        QVERIFY(QTest::qWaitFor([&] { return loaded.size() == 1; }, 10'000));
        QCOMPARE(loaded.first().at(0).toInt(), 2);
        QCOMPARE(panel.seriesCombo()->count(), 2);
        // Sorted by service: billing first.
        QCOMPARE(panel.seriesCombo()->itemText(1), kCpu + QStringLiteral("{service_name=\"shop\"}"));
        panel.seriesCombo()->setCurrentIndex(1);
        emit panel.seriesCombo()->activated(1);
        // Default ranges: the older and the newer half of the series.
        QVERIFY(QTest::qWaitFor([&] { return panel.rangeA().first == kT0; }, 10'000));
        QVERIFY(panel.rangeB().second >= kT0 + 50 * kMinute);

        panel.setRangeA(kT0, kT0 + 29 * kMinute);
        panel.setRangeB(kT0 + 30 * kMinute, kT0 + 59 * kMinute);
        QSignalSpy ready(&panel, &ProfileRangeDiffPanel::diffReady);
        panel.compare();
        QVERIFY(QTest::qWaitFor([&] { return ready.size() == 1; }, 10'000));
        const auto a = ready.first().at(0).value<model::Profile>();
        const auto b = ready.first().at(1).value<model::Profile>();
        QCOMPARE(a.total(), qint64(300)); // three profiles of 100
        QCOMPARE(b.total(), qint64(300));
        QVERIFY(ready.first().at(2).toString().contains(QStringLiteral("service_name=\"shop\"")));

        // An inverted range is refused before any query runs.
        QSignalSpy failed(&panel, &ProfileRangeDiffPanel::diffFailed);
        panel.setRangeA(kT0 + 10 * kMinute, kT0);
        panel.compare();
        QCOMPARE(failed.size(), 1);
        QVERIFY(panel.statusText().contains(QStringLiteral("start before")));
    }

    void pageShowsTheRangeDiff()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        fill(**storage);
        FlameGraphPage page;
        page.setStorage(storage->get());
        QVERIFY(page.rangeDiffPanel());
        QVERIFY(page.tabs()->isTabEnabled(FlameGraphPage::DiffTab));
        ProfileRangeDiffPanel *panel = page.rangeDiffPanel();
        QSignalSpy loaded(panel, &ProfileRangeDiffPanel::seriesLoaded);
        page.tabs()->setCurrentIndex(FlameGraphPage::DiffTab); // lists the series
        QVERIFY(QTest::qWaitFor([&] { return loaded.size() == 1; }, 10'000));
        panel->seriesCombo()->setCurrentIndex(panel->seriesCombo()->findText(kCpu + QStringLiteral("{service_name=\"shop\"}")));
        panel->setRangeA(kT0, kT0 + 29 * kMinute);
        panel->setRangeB(kT0 + 30 * kMinute, kT0 + 59 * kMinute);
        QSignalSpy laidOut(&page, &FlameGraphPage::layoutReady);
        panel->compare();
        QVERIFY(QTest::qWaitFor([&] { return page.diffView()->tree() && !page.isBusy() && laidOut.size() >= 1; }, 10'000));
        const CallTree *tree = page.diffView()->tree();
        QVERIFY(tree->isDiff());
        const int main = childNamed(*tree, 0, QStringLiteral("main"));
        const int json = childNamed(*tree, main, QStringLiteral("json"));
        const int gc = childNamed(*tree, main, QStringLiteral("gc"));
        QVERIFY(json > 0 && gc > 0);
        // json: 10 % of A, 60 % of B.
        QCOMPARE(tree->node(json).baseTotal, qint64(30));
        QCOMPARE(tree->node(json).total, qint64(180));
        QVERIFY(qAbs(tree->shareDelta(json) - 0.5) < 1e-9);
        // gc only in A.
        QCOMPARE(tree->node(gc).total, qint64(0));
        QVERIFY(qAbs(tree->shareDelta(gc) + 0.1) < 1e-9);
        QCOMPARE(page.tabs()->currentIndex(), int(FlameGraphPage::DiffTab));
        // Loading a plain profile keeps the Diff tab (the range picker lives there).
        page.setProfile(folded("a;b 1\n"));
        QVERIFY(page.tabs()->isTabEnabled(FlameGraphPage::DiffTab));
    }

    void exportsPprofThatReadsBack()
    {
        FlameGraphPage page;
        QTemporaryDir dir;
        QVERIFY(!page.exportPprof(dir.filePath(QStringLiteral("none.pb.gz")))); // nothing shown yet
        page.setProfile(at("main;handle 80\nmain;json 10\nmain;gc 10\n", kT0));
        const QString path = dir.filePath(QStringLiteral("cpu.pb.gz"));
        QVERIFY(page.exportPprof(path));
        const auto read = formats::PprofReader::readFile(path);
        QVERIFY2(read, read ? "" : qPrintable(read.error().toString()));
        QCOMPARE(read->size(), 1);
        QCOMPARE(read->first().typeId, kCpu);
        QCOMPARE(read->first().total(), qint64(100));
        QCOMPARE(read->first().stacks.size(), 3);
    }
    // Not a check: with SPYGLASS_SCREENSHOT_DIR set, writes docs/flamegraph-diff-ranges.png.
    void screenshot()
    {
        const QString out = qEnvironmentVariable("SPYGLASS_SCREENSHOT_DIR");
        if (out.isEmpty())
            QSKIP("SPYGLASS_SCREENSHOT_DIR not set");
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        // A day of a service whose JSON encoding got slower in the afternoon.
        QList<model::Profile> profiles;
        for (int m = 0; m < 24 * 60; m += 15) {
            const bool after = m >= 12 * 60;
            QByteArray stacks = "main;http.(*Server).Serve;shop.handleOrder;shop.loadCart;sql.(*DB).Query 300\n"
                                "main;http.(*Server).Serve;shop.handleOrder;shop.price;shop.applyDiscounts 120\n"
                                "main;http.(*Server).Serve;shop.handleOrder;shop.price;math/big.(*Int).Mul 40\n"
                                "main;runtime.gcBgMarkWorker;runtime.gcDrain;runtime.scanobject 90\n"
                                "main;http.(*Server).Serve;http.(*conn).readRequest;bufio.(*Reader).ReadLine 35\n";
            stacks += after ? "main;http.(*Server).Serve;shop.handleOrder;json.Marshal;json.(*encodeState).reflectValue 260\n"
                              "main;http.(*Server).Serve;shop.handleOrder;json.Marshal;regexp.(*Regexp).ReplaceAllString 140\n"
                              "main;runtime.mallocgc;runtime.(*mcache).nextFree 70\n"
                            : "main;http.(*Server).Serve;shop.handleOrder;json.Marshal;json.(*encodeState).reflectValue 110\n"
                              "main;http.(*Server).Serve;shop.handleOrder;shop.cache.Get 60\n"
                              "main;runtime.mallocgc;runtime.(*mcache).nextFree 25\n";
            model::Profile p = at(stacks.constData(), kT0 + m * kMinute);
            for (model::Profile::Stack &st : p.stacks)
                st.value *= 10'000'000; // samples of 10 ms
            profiles.push_back(p);
        }
        gui::applyDarkTheme(*qApp);
        QVERIFY((*storage)->profiles().append(profiles));
        FlameGraphPage page;
        page.resize(1500, 950);
        page.setStorage(storage->get());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        ProfileRangeDiffPanel *panel = page.rangeDiffPanel();
        QSignalSpy loaded(panel, &ProfileRangeDiffPanel::seriesLoaded);
        page.tabs()->setCurrentIndex(FlameGraphPage::DiffTab);
        QVERIFY(QTest::qWaitFor([&] { return loaded.size() == 1; }, 10'000));
        panel->setRangeA(kT0, kT0 + 12 * 60 * kMinute - 1);
        panel->setRangeB(kT0 + 12 * 60 * kMinute, kT0 + 24 * 60 * kMinute);
        QSignalSpy ready(panel, &ProfileRangeDiffPanel::diffReady);
        panel->compare();
        QVERIFY(QTest::qWaitFor([&] { return ready.size() == 1; }, 10'000));
        QVERIFY(QTest::qWaitFor([&] { return page.diffView()->tree() && !page.isBusy(); }, 10'000));
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/flamegraph-diff-ranges.png")));
    }
};

QTEST_MAIN(TestProfileRangeDiffPanel)
#include "tst_profile_range_diff_panel.moc"
