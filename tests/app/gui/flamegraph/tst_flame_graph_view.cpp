#include "app/gui/flamegraph/flame_graph_view.h"
#include "flame_fixtures.h"

#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;
using spyglass::test::folded;

namespace {

std::shared_ptr<const CallTree> treeOf(const model::Profile &p)
{
    return std::make_shared<CallTree>(CallTree::build(StackSet::fromProfile(p)));
}

int node(const CallTree &t, const char *path)
{
    return t.findPath(QString::fromLatin1(path).split(u';', Qt::SkipEmptyParts));
}

QPoint centerOf(const QRectF &r)
{
    return r.center().toPoint();
}

} // namespace

class TestFlameGraphView : public QObject
{
    Q_OBJECT
private slots:
    void geometryFollowsOrientation()
    {
        FlameGraphView v;
        v.resize(1000, 300);
        auto t = treeOf(folded("main;a;b 3\nmain;a;c 2\nmain;d 5\n"));
        v.setTree(t);
        const int h = v.rowHeight();
        QVERIFY(v.minimumHeight() >= 4 * h);
        const QRectF root = v.frameRect(0);
        QCOMPARE(root.width(), 1000.0);
        QCOMPARE(root.bottom(), 300.0); // flame: root at the bottom
        const QRectF d = v.frameRect(node(*t, "main;d"));
        QCOMPARE(d.left(), 500.0);
        QCOMPARE(d.width(), 500.0);
        QCOMPARE(d.top(), 300.0 - 3 * h);
        v.setOrientation(FlameGraphView::Orientation::Icicle);
        QCOMPARE(v.frameRect(0).top(), 0.0);
        QCOMPARE(v.frameRect(node(*t, "main;d")).top(), 2.0 * h);
        // Hit testing agrees with the layout.
        for (const char *path : {"main", "main;a", "main;a;b", "main;a;c", "main;d"}) {
            const int n = node(*t, path);
            QCOMPARE(v.nodeAt(centerOf(v.frameRect(n))), n);
        }
        QCOMPARE(v.nodeAt(QPoint(900, 3 * h + 2)), -1); // above main;d: empty
    }

    void zoomAndBreadcrumb()
    {
        FlameGraphView v;
        v.resize(1000, 300);
        auto t = treeOf(folded("main;a;b 3\nmain;a;c 1\nmain;d 4\n"));
        v.setTree(t);
        QSignalSpy zoomed(&v, &FlameGraphView::zoomChanged);
        QSignalSpy clicked(&v, &FlameGraphView::frameClicked);
        const int a = node(*t, "main;a"), c = node(*t, "main;a;c"), d = node(*t, "main;d");
        QCOMPARE(v.breadcrumb(), QList<int>{0});
        // Click a -> zoomed: a fills the width, its ancestors stay as the way back.
        QTest::mouseClick(&v, Qt::LeftButton, {}, centerOf(v.frameRect(a)));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked[0][0].toInt(), a);
        QCOMPARE(v.zoomNode(), a);
        QCOMPARE(zoomed.last()[0].toInt(), a);
        QCOMPARE(v.breadcrumb(), (QList<int>{0, node(*t, "main"), a}));
        QCOMPARE(v.frameRect(a).width(), 1000.0);
        QCOMPARE(v.frameRect(0).width(), 1000.0);
        QCOMPARE(v.frameRect(c).left(), 750.0);
        QCOMPARE(v.frameRect(c).width(), 250.0);
        QVERIFY(v.frameRect(d).isEmpty()); // outside the zoomed range
        // Clicking an ancestor zooms back out to it.
        QTest::mouseClick(&v, Qt::LeftButton, {}, centerOf(v.frameRect(0)));
        QCOMPARE(v.zoomNode(), 0);
        QCOMPARE(v.frameRect(d).width(), 500.0);
        v.zoomTo(c);
        QCOMPARE(v.breadcrumb().size(), 4);
        v.resetZoom();
        QCOMPARE(v.zoomNode(), 0);
        // A new tree resets the zoom.
        v.zoomTo(a);
        v.setTree(treeOf(folded("x 1\n")));
        QCOMPARE(v.zoomNode(), 0);
    }

    void tooltipShowsSharesAndUnits()
    {
        FlameGraphView v;
        auto t = treeOf(folded("main;a 3000000\nmain;a;b 1000000\nmain 4000000\n",
                               QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")));
        v.setTree(t, ValueUnit::Nanoseconds);
        const QString tip = v.toolTipText(node(*t, "main;a"));
        QVERIFY2(tip.contains(QStringLiteral("<b>a</b>")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Total: 4.00 ms (50.0 % of total, 50.0 % of parent)")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("Self: 3.00 ms (37.5 % of total)")), qPrintable(tip));
        const QString tipB = v.toolTipText(node(*t, "main;a;b"));
        QVERIFY2(tipB.contains(QStringLiteral("12.5 % of total, 25.0 % of parent")), qPrintable(tipB));
        QVERIFY(v.toolTipText(-1).isEmpty());
    }

    void narrowFramesAreSkipped()
    {
        FlameGraphView v;
        v.resize(400, 200);
        // b is 1/1000 of the width: 0.4 px, not drawn, nor its child.
        auto t = treeOf(folded("main;a 999\nmain;b;c 1\n"));
        v.setTree(t);
        QVERIFY(v.frameRect(node(*t, "main;b")).isEmpty());
        QVERIFY(v.frameRect(node(*t, "main;b;c")).isEmpty());
        v.grab();
        QCOMPARE(v.paintedFrameCount(), 3); // root, main, a
        // Zoomed into b, it is wide again.
        v.zoomTo(node(*t, "main;b"));
        QCOMPARE(v.frameRect(node(*t, "main;b;c")).width(), 400.0);
        v.grab();
        QCOMPARE(v.paintedFrameCount(), 4); // root, main, b, c
    }

    void paintCostFollowsPixels()
    {
        FlameGraphView v;
        v.resize(1200, 300);
        auto t = std::make_shared<CallTree>(CallTree::build(StackSet::fromProfile(test::wideProfile(230))));
        QVERIFY2(t->size() > 50'000, qPrintable(QString::number(t->size())));
        v.setTree(t);
        v.grab();
        // At most a frame per two pixels on each row is drawn, labels only on wide frames.
        QVERIFY2(v.paintedFrameCount() <= (t->maxDepth() + 1) * 1200 / 2, qPrintable(QString::number(v.paintedFrameCount())));
        QVERIFY(v.paintedFrameCount() > 100);
        QVERIFY(v.paintedLabelCount() <= (t->maxDepth() + 1) * 1200 / FlameGraphView::kMinLabelWidth);
    }

    void searchDimsOtherFrames()
    {
        FlameGraphView v;
        v.resize(600, 120);
        auto t = treeOf(folded("main;json.decode 1\nmain;other 1\n"));
        v.setTree(t);
        QVERIFY(v.setSearchPattern(QStringLiteral("json")));
        QCOMPARE(v.searchResult().matchedNodes, 1);
        QCOMPARE(v.searchResult().share, 0.5);
        const QImage img = v.grab().toImage();
        const QPoint inMatch = centerOf(v.frameRect(node(*t, "main;json.decode"))) + QPoint(0, 5);
        const QPoint inOther = centerOf(v.frameRect(node(*t, "main;other"))) + QPoint(0, 5);
        QCOMPARE(img.pixelColor(inMatch), v.frameColor(node(*t, "main;json.decode")));
        QCOMPARE(img.pixelColor(inOther), QColor(0x2c, 0x30, 0x37)); // dimmed
        QVERIFY(!v.setSearchPattern(QStringLiteral("((")));
        QCOMPARE(v.searchResult().matchedNodes, 0);
        QVERIFY(v.setSearchPattern(QString()));
    }

    void grabToPngWithColours()
    {
        FlameGraphView v;
        v.resize(800, 200);
        auto t = treeOf(folded("main.main;encoding/json.Unmarshal;encoding/json.(*decodeState).value 6\n"
                               "main.main;crypto/sha256.Sum256;crypto/sha256.block 4\n"));
        v.setTree(t);
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("flame.png"));
        QVERIFY(v.grab().save(png));
        QImage img(png);
        QCOMPARE(img.size(), QSize(800, 200));
        const int json = node(*t, "main.main;encoding/json.Unmarshal");
        const int json2 = node(*t, "main.main;encoding/json.Unmarshal;encoding/json.(*decodeState).value");
        const int sha = node(*t, "main.main;crypto/sha256.Sum256");
        // Frames of one package share a colour; the pixel a few px in from the
        // left edge (away from the label) has exactly that colour.
        const QPoint pj = v.frameRect(json).topLeft().toPoint() + QPoint(2, 2);
        const QPoint pj2 = v.frameRect(json2).topLeft().toPoint() + QPoint(2, 2);
        const QPoint ps = v.frameRect(sha).topLeft().toPoint() + QPoint(2, 2);
        QCOMPARE(img.pixelColor(pj), packageColor(u"encoding/json"));
        QCOMPARE(img.pixelColor(pj2), packageColor(u"encoding/json"));
        QCOMPARE(img.pixelColor(ps), packageColor(u"crypto/sha256"));
        // The empty area above the stacks is the background.
        QCOMPARE(img.pixelColor(5, 5), QColor(0x11, 0x12, 0x17));
        // Labels are drawn: the frame holds text-coloured pixels.
        const QRect jr = v.frameRect(json).toRect().adjusted(4, 2, -4, -2);
        int textPixels = 0;
        const QColor fill = packageColor(u"encoding/json");
        for (int y = jr.top(); y <= jr.bottom(); ++y)
            for (int x = jr.left(); x < jr.left() + 120; ++x)
                textPixels += img.pixelColor(x, y) != fill;
        QVERIFY(textPixels > 30);
        // Self-share colouring: the hottest leaf is the hottest colour.
        v.setColorMode(FlameGraphView::ColorMode::SelfShare);
        const QImage hot = v.grab().toImage();
        QCOMPARE(hot.pixelColor(pj2), selfShareColor(1.0));
        QCOMPARE(hot.pixelColor(pj), selfShareColor(0.0));
    }

    void diffColoursAndMarks()
    {
        FlameGraphView v;
        v.resize(800, 200);
        auto t = std::make_shared<CallTree>(CallTree::build(
            StackSet::diff(folded("main;work 50\nmain;idle 50\n"), folded("main;work 160\nmain;fresh 40\n"))));
        v.setTree(t);
        const int work = node(*t, "main;work"), idle = node(*t, "main;idle"), fresh = node(*t, "main;fresh");
        QVERIFY(v.frameColor(work).red() > v.frameColor(work).blue()); // grew: red
        QVERIFY(v.frameColor(idle).blue() > v.frameColor(idle).red()); // shrank: blue
        v.setDiffPalette(DiffPalette::BlueOrange);
        QCOMPARE(v.frameColor(fresh), diffColor(1.0, DiffPalette::BlueOrange));
        QVERIFY(v.toolTipText(idle).contains(QStringLiteral("only in A")));
        QVERIFY(v.toolTipText(fresh).contains(QStringLiteral("only in B")));
        QVERIFY(v.toolTipText(work).contains(QStringLiteral("Change: +30.0 %")));
        // Frames only in one profile are hatched: not a flat fill.
        const QImage img = v.grab().toImage();
        const QRect r = v.frameRect(idle).toRect().adjusted(2, 2, -40, -2);
        QSet<QRgb> colours;
        for (int x = r.left(); x < r.left() + 20; ++x)
            colours.insert(img.pixel(x, r.top() + 3));
        QVERIFY(colours.size() >= 2);
        const QRect w = v.frameRect(work).toRect();
        QCOMPARE(img.pixelColor(w.left() + 2, w.top() + 2), v.frameColor(work));
    }

    void highlightedFunctionOutlinesItsFrames()
    {
        FlameGraphView v;
        v.resize(600, 150);
        auto t = treeOf(folded("main;a;f 1\nmain;b;f 1\nmain;c 2\n"));
        v.setTree(t);
        const auto f = t->names().indexOf(QStringLiteral("f"));
        v.setHighlightedFunction(int(f));
        const QImage img = v.grab().toImage();
        const QRect r1 = v.frameRect(node(*t, "main;a;f")).toRect();
        const QRect r2 = v.frameRect(node(*t, "main;b;f")).toRect();
        QCOMPARE(img.pixelColor(r1.topLeft()), QColor(Qt::white));
        QCOMPARE(img.pixelColor(r2.topLeft()), QColor(Qt::white));
        const QRect c = v.frameRect(node(*t, "main;c")).toRect();
        QCOMPARE(img.pixelColor(c.topLeft() + QPoint(3, 3)), QColor(0x2c, 0x30, 0x37));
        v.setHighlightedFunction(-1);
        QCOMPARE(v.grab().toImage().pixelColor(c.topLeft() + QPoint(3, 3)), v.frameColor(node(*t, "main;c")));
    }
};

QTEST_MAIN(TestFlameGraphView)
#include "tst_flame_graph_view.moc"
