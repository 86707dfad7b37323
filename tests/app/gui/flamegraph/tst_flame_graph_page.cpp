#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/flamegraph/top_table_model.h"
#include "app/gui/theme.h"

#include <QApplication>
#include "flame_fixtures.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QPushButton>
#include <QTest>
#include <QToolButton>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;
using spyglass::test::folded;

namespace {

const char *kProfile = "main;parse;lex 30\n"
                       "main;parse 10\n"
                       "main;eval;parse;lex 20\n"
                       "main;eval;alloc 25\n"
                       "main;gc 15\n";

// A finished job can be delivered at once (QFuture::then on an already
// finished future calls the continuation directly), so wait on the state,
// not only for the signal.
bool waitForLayout(FlameGraphPage &page)
{
    return QTest::qWaitFor([&] { return !page.isBusy(); }, 10'000);
}

int rowOf(const QAbstractItemModel &m, const QString &name)
{
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, 0).data().toString() == name)
            return r;
    return -1;
}

int nodeOf(const CallTree &t, const char *path)
{
    return t.findPath(QString::fromLatin1(path).split(u';'));
}

} // namespace

class TestFlameGraphPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // The look users get, for the screenshots.
        gui::applyDarkTheme(*qobject_cast<QApplication *>(QCoreApplication::instance()));
    }

    void buildsOffThreadAndShowsTopTable()
    {
        FlameGraphPage page;
        page.resize(1200, 600);
        page.setProfile(folded(kProfile), QStringLiteral("fixture"));
        QVERIFY(waitForLayout(page));
        const CallTree *t = page.flameView()->tree();
        QVERIFY(t);
        QCOMPARE(t->total(), 100);
        QCOMPARE(page.topModel()->rowCount(), 6);
        // Sorted by self, descending: lex (50) first.
        QCOMPARE(page.topProxy()->index(0, 0).data().toString(), QStringLiteral("lex"));
        QCOMPARE(page.topProxy()->index(0, TopTableModel::Self).data(TopTableModel::SortRole).toDouble(), 50.0);
        const int parse = rowOf(*page.topProxy(), QStringLiteral("parse"));
        QCOMPARE(page.topProxy()->index(parse, TopTableModel::Total).data(TopTableModel::SortRole).toDouble(), 60.0);
        page.topFilter()->setText(QStringLiteral("pa"));
        QCOMPARE(page.topProxy()->rowCount(), 1);
        page.topFilter()->clear();
        QCOMPARE(page.title(), QStringLiteral("fixture"));
    }

    void tableAndGraphAreLinked()
    {
        FlameGraphPage page;
        page.resize(1200, 600);
        page.show();
        page.setProfile(folded(kProfile));
        QVERIFY(waitForLayout(page));
        const CallTree *t = page.flameView()->tree();
        // Row -> frames of that function highlighted.
        const int row = rowOf(*page.topProxy(), QStringLiteral("parse"));
        page.topTable()->selectionModel()->setCurrentIndex(page.topProxy()->index(row, 0),
                                                           QItemSelectionModel::ClearAndSelect);
        const auto parseId = int(t->names().indexOf(QStringLiteral("parse")));
        QCOMPARE(page.flameView()->highlightedFunction(), parseId);
        // Frame -> its row selected (and the frame zoomed).
        const int alloc = nodeOf(*t, "main;eval;alloc");
        const QRectF r = page.flameView()->frameRect(alloc);
        QVERIFY(!r.isEmpty());
        page.topFilter()->setText(QStringLiteral("lex")); // alloc's row is filtered out...
        QTest::mouseClick(page.flameView(), Qt::LeftButton, {}, r.center().toPoint());
        QCOMPARE(page.topFilter()->text(), QString()); // ...so the filter is cleared to show it
        const QModelIndex current = page.topTable()->currentIndex();
        QCOMPARE(current.siblingAtColumn(0).data().toString(), QStringLiteral("alloc"));
        QCOMPARE(page.flameView()->highlightedFunction(), int(t->names().indexOf(QStringLiteral("alloc"))));
        QCOMPARE(page.flameView()->zoomNode(), alloc);
        // The breadcrumb shows the way back; its first entry zooms out.
        QCOMPARE(page.breadcrumbLabels(), (QStringList{QStringLiteral("total"), QStringLiteral("main"),
                                                        QStringLiteral("eval"), QStringLiteral("alloc")}));
        auto buttons = page.breadcrumbBar()->findChildren<QToolButton *>(QString(), Qt::FindDirectChildrenOnly);
        QVERIFY(!buttons.last()->isEnabled());
        buttons.first()->click();
        QCOMPARE(page.flameView()->zoomNode(), 0);
        QCOMPARE(page.breadcrumbLabels(), QStringList{QStringLiteral("total")});
    }

    void searchShowsShare()
    {
        FlameGraphPage page;
        page.setProfile(folded(kProfile));
        QVERIFY(waitForLayout(page));
        page.searchEdit()->setText(QStringLiteral("^parse$"));
        QCOMPARE(page.flameView()->searchResult().matchedNodes, 2);
        QCOMPARE(page.flameView()->searchResult().matchedTotal, 60);
        QVERIFY2(page.searchStatus()->text().contains(QStringLiteral("60.0 % of total")),
                 qPrintable(page.searchStatus()->text()));
        page.searchEdit()->setText(QStringLiteral("(("));
        QVERIFY(page.searchStatus()->text().contains(QStringLiteral("invalid")));
        // The search survives a rebuild.
        page.searchEdit()->setText(QStringLiteral("lex"));
        page.setCollapseRecursion(true);
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.flameView()->searchResult().matchedTotal, 50);
    }

    void focusHideAndCollapse()
    {
        FlameGraphPage page;
        page.setProfile(folded("main;f;f;f;g 5\nmain;h;f 2\nmain;k 3\n"));
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.flameView()->tree()->maxDepth(), 5);
        page.collapseRecursionBox()->setChecked(true);
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.flameView()->tree()->maxDepth(), 3);
        page.setFocusFunction(QStringLiteral("f"));
        QVERIFY(waitForLayout(page));
        const CallTree *t = page.flameView()->tree();
        QCOMPARE(t->total(), 7);
        QCOMPARE(t->children(0).size(), 1);
        QCOMPARE(t->name(t->children(0)[0]), QStringLiteral("f"));
        QVERIFY(page.breadcrumbBar()->findChild<QPushButton *>(QStringLiteral("focusChip")));
        page.setFocusFunction({});
        page.hideFunction(QStringLiteral("h"));
        QVERIFY(waitForLayout(page));
        t = page.flameView()->tree();
        QCOMPARE(t->node(nodeOf(*t, "main;f")).total, 7);
        QCOMPARE(nodeOf(*t, "main;h"), -1);
        auto *chip = page.breadcrumbBar()->findChild<QPushButton *>(QStringLiteral("hiddenChip"));
        QVERIFY(chip);
        chip->click();
        QVERIFY(waitForLayout(page));
        QVERIFY(nodeOf(*page.flameView()->tree(), "main;h") > 0);
    }

    void sandwichView()
    {
        FlameGraphPage page;
        page.setProfile(folded(kProfile));
        QVERIFY(waitForLayout(page));
        page.showSandwich(QStringLiteral("parse"));
        QCOMPARE(page.tabs()->currentIndex(), int(FlameGraphPage::SandwichTab));
        QVERIFY(waitForLayout(page));
        const CallTree *callers = page.callersView()->tree();
        const CallTree *callees = page.calleesView()->tree();
        QVERIFY(callers && callees);
        QCOMPARE(callers->total(), 60);
        QCOMPARE(callers->node(nodeOf(*callers, "parse;main")).total, 40);
        QCOMPARE(callers->node(nodeOf(*callers, "parse;eval;main")).total, 20);
        QCOMPARE(callees->node(nodeOf(*callees, "parse;lex")).total, 50);
        QCOMPARE(callees->node(nodeOf(*callees, "parse")).self, 10);
        QCOMPARE(page.callersView()->orientation(), FlameGraphView::Orientation::Flame);
        QCOMPARE(page.calleesView()->orientation(), FlameGraphView::Orientation::Icicle);
    }

    void diffOfTwoProfiles()
    {
        FlameGraphPage page;
        page.resize(1000, 600);
        QVERIFY(!page.tabs()->isTabEnabled(FlameGraphPage::DiffTab));
        page.setDiffProfiles(folded("main;work 50\nmain;idle 50\n"), folded("main;work 160\nmain;fresh 40\n"));
        QVERIFY(waitForLayout(page));
        QVERIFY(page.tabs()->isTabEnabled(FlameGraphPage::DiffTab));
        const CallTree *d = page.diffView()->tree();
        QVERIFY(d && d->isDiff());
        QCOMPARE(d->baseScale(), 2.0);
        QVERIFY(qFuzzyCompare(d->shareDelta(nodeOf(*d, "main;work")), 0.3));
        // The regressions table lists the biggest growth first.
        auto *proxy = page.regressionsTable()->model();
        QCOMPARE(proxy->index(0, 0).data().toString(), QStringLiteral("work"));
        QCOMPARE(proxy->index(0, TopTableModel::SelfChange).data().toString(), QStringLiteral("+30.0 %"));
        QCOMPARE(proxy->index(proxy->rowCount() - 1, 0).data().toString(), QStringLiteral("idle"));
        // Colour-blind-safe palette reaches the view.
        page.diffPaletteCombo()->setCurrentIndex(1);
        QCOMPARE(page.diffView()->diffPalette(), DiffPalette::BlueOrange);
        // The main graph shows the comparison profile.
        QCOMPARE(page.flameView()->tree()->total(), 200);
    }

    void staleJobsAreDropped()
    {
        FlameGraphPage page;
        page.setProfile(folded("a;b 1\n"));
        page.setProfile(folded("x;y 7\n"));
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.flameView()->tree()->total(), 7);
        QCOMPARE(nodeOf(*page.flameView()->tree(), "x;y") > 0, true);
    }

    void opensFoldedAndPprofFiles()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("stacks.folded"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kProfile);
        }
        FlameGraphPage page;
        QSignalSpy loaded(&page, &FlameGraphPage::loadFinished);
        page.openFile(path);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 10'000);
        QCOMPARE(loaded[0][0].toBool(), true);
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.flameView()->tree()->total(), 100);
        QCOMPARE(page.title(), QStringLiteral("stacks.folded"));

        // A Go CPU profile: two sample types, CPU time preferred.
        page.openFile(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/go-pprof/cpu.pb.gz"));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 10'000);
        QVERIFY2(loaded[1][0].toBool(), qPrintable(loaded[1][1].toString()));
        QVERIFY(waitForLayout(page));
        QCOMPARE(page.profileTypeCombo()->count(), 2);
        QVERIFY(page.profileTypeCombo()->currentText().contains(QStringLiteral("nanoseconds")));
        QCOMPARE(page.flameView()->unit(), ValueUnit::Nanoseconds);
        QCOMPARE(page.flameView()->tree()->total(), 1'980'000'000); // "Total samples = 1.98s"
        QVERIFY(page.topModel()->rowOfFunction(
                    std::uint32_t(page.flameView()->tree()->names().indexOf(QStringLiteral("main.run")))) >= 0);

        // Errors are reported, the shown profile stays.
        page.openFile(dir.filePath(QStringLiteral("missing.pb")));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 3, 10'000);
        QCOMPARE(loaded[2][0].toBool(), false);
        QVERIFY(loaded[2][1].toString().contains(QStringLiteral("missing.pb")));
        QCOMPARE(page.flameView()->tree()->total(), 1'980'000'000);
    }

    // A real Go CPU profile with a search and a table row selected, then
    // the sandwich and a diff; SPYGLASS_SCREENSHOT_DIR keeps the PNGs.
    void screenshotsOfARealProfile()
    {
        FlameGraphPage page;
        page.resize(1400, 760);
        page.show();
        page.openFile(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/go-pprof/cpu.pb.gz"));
        QTRY_VERIFY_WITH_TIMEOUT(page.flameView()->tree() && !page.isBusy(), 10'000);
        page.setSearchText(QStringLiteral("json"));
        const int row = rowOf(*page.topProxy(), QStringLiteral("crypto/sha256.block"));
        QVERIFY(row >= 0);
        page.topTable()->selectionModel()->setCurrentIndex(page.topProxy()->index(row, 0),
                                                           QItemSelectionModel::ClearAndSelect |
                                                               QItemSelectionModel::Rows);
        QVERIFY(page.flameView()->searchResult().share > 0.05);
        QTest::qWait(50); // let the scroll area settle at the root
        const QImage flame = page.grab().toImage();
        QCOMPARE(flame.size(), QSize(1400, 760));
        // The graph area holds both dimmed and coloured frames.
        const QImage graph = page.flameView()->grab().toImage();
        int dimmed = 0, coloured = 0;
        for (int y = 0; y < graph.height(); y += 5) {
            for (int x = 0; x < graph.width(); x += 5) {
                const QColor c = graph.pixelColor(x, y);
                dimmed += c == QColor(0x2c, 0x30, 0x37);
                coloured += c.hsvSaturation() > 60;
            }
        }
        QVERIFY2(dimmed > 10 && coloured > 10, qPrintable(QStringLiteral("%1 %2").arg(dimmed).arg(coloured)));

        page.showSandwich(QStringLiteral("main.run"));
        QVERIFY(waitForLayout(page));
        QTest::qWait(50);
        const QImage sandwich = page.grab().toImage();
        QVERIFY(page.calleesView()->tree()->total() > 0);

        // Diff: the same profile against itself with one function doubled.
        model::Profile a;
        auto loaded = loadProfileFile(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/go-pprof/cpu.pb.gz"));
        QVERIFY(loaded);
        a = (*loaded)[preferredProfileIndex(*loaded)];
        model::Profile b = a;
        const auto sha = b.functionNames.indexOf(QStringLiteral("crypto/sha256.block"));
        for (auto &s : b.stacks)
            if (!s.functions.isEmpty() && s.functions.first() == std::uint32_t(sha))
                s.value *= 3;
        page.setSearchText(QString());
        page.setDiffProfiles(a, b, QStringLiteral("cpu.pb.gz vs cpu.pb.gz with sha256 x3"));
        QVERIFY(waitForLayout(page));
        QTest::qWait(50);
        const QImage diff = page.grab().toImage();
        QCOMPARE(page.regressionsTable()->model()->index(0, 0).data().toString(),
                 QStringLiteral("crypto/sha256.block"));

        const QByteArray dir = qgetenv("SPYGLASS_SCREENSHOT_DIR");
        if (!dir.isEmpty()) {
            flame.save(QString::fromLocal8Bit(dir) + QStringLiteral("/flamegraph.png"));
            sandwich.save(QString::fromLocal8Bit(dir) + QStringLiteral("/flamegraph-sandwich.png"));
            diff.save(QString::fromLocal8Bit(dir) + QStringLiteral("/flamegraph-diff.png"));
        }
    }

    void exports()
    {
        FlameGraphPage page;
        page.resize(900, 500);
        page.setProfile(folded(kProfile));
        QVERIFY(waitForLayout(page));
        QTemporaryDir dir;
        QVERIFY(page.exportPng(dir.filePath(QStringLiteral("f.png"))));
        QVERIFY(!QImage(dir.filePath(QStringLiteral("f.png"))).isNull());
        QVERIFY(page.exportSvg(dir.filePath(QStringLiteral("f.svg"))));
        QFile svg(dir.filePath(QStringLiteral("f.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("parse"));
        QVERIFY(page.exportFolded(dir.filePath(QStringLiteral("f.folded"))));
        QFile folded(dir.filePath(QStringLiteral("f.folded")));
        QVERIFY(folded.open(QIODevice::ReadOnly));
        QVERIFY(folded.readAll().contains("main;eval;alloc 25"));
    }
};

QTEST_MAIN(TestFlameGraphPage)
#include "tst_flame_graph_page.moc"
