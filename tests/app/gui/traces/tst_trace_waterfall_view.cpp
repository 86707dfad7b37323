#include "app/gui/theme.h"
#include "app/gui/traces/span_detail_panel.h"
#include "app/gui/traces/trace_minimap.h"
#include "app/gui/traces/trace_viewer.h"
#include "app/gui/traces/trace_waterfall_view.h"

#include "trace_fixtures.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::traces;
using namespace spyglass::gui::traces::fixtures;

namespace {

const char *kShop = R"(
frontend/GET_/checkout 0 100
  auth/verify 2 8
  cart/get_cart 10 30
    db/select 15 10 error
    db/count 16 5
    cache/get 12 2
  payment/charge 45 50 event@60
    bank/authorize 50 40
  frontend/render 96 3
)";

std::shared_ptr<TraceRowModel> shopModel()
{
    return std::make_shared<TraceRowModel>(TraceRowModel::build(spansFromText(QString::fromLatin1(kShop))));
}

QPoint rowPoint(TraceWaterfallView &v, int node, int x)
{
    const QRect r = v.rowRect(v.model()->rowOfNode(node));
    return QPoint(x, r.center().y());
}

bool sameColor(QColor a, QColor b, int tolerance = 3)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
           std::abs(a.blue() - b.blue()) <= tolerance;
}

} // namespace

class TestTraceWaterfallView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        gui::applyDarkTheme(*qApp);
    }

    void paintsOnlyVisibleRows()
    {
        TraceWaterfallView v;
        v.resize(900, 400);
        v.setModel(std::make_shared<TraceRowModel>(TraceRowModel::build(syntheticTrace(100'000))));
        QCOMPARE(v.model()->rowCount(), 100'000);
        v.grab();
        const int expected = (v.viewport()->height() - TraceWaterfallView::kHeaderHeight + TraceWaterfallView::kRowHeight - 1) /
                             TraceWaterfallView::kRowHeight;
        QVERIFY(v.lastPaintedRowCount() > 5);
        QVERIFY2(std::abs(v.lastPaintedRowCount() - expected) <= 1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(v.lastPaintedRowCount()).arg(expected)));
        v.verticalScrollBar()->setValue(v.verticalScrollBar()->maximum() / 2);
        v.grab();
        QVERIFY(v.firstVisibleRow() > 40'000);
        QVERIFY(std::abs(v.lastPaintedRowCount() - expected) <= 1);
        QCOMPARE(v.verticalScrollBar()->maximum(),
                 100'000 * TraceWaterfallView::kRowHeight - (v.viewport()->height() - TraceWaterfallView::kHeaderHeight));
    }

    void clickOnExpanderCollapses()
    {
        TraceWaterfallView v;
        v.resize(800, 400);
        v.setModel(shopModel());
        v.grab(); // lays out the hidden widget's viewport
        QSignalSpy rows(&v, &TraceWaterfallView::rowsChanged);
        // The cart row's expander sits after one level of indentation.
        const QRect r = v.rowRect(v.model()->rowOfNode(2));
        QTest::mouseClick(v.viewport(), Qt::LeftButton, {}, QPoint(8 + 14 + 6, r.center().y()));
        QCOMPARE(rows.size(), 1);
        QVERIFY(v.model()->isCollapsed(2));
        QCOMPARE(v.model()->rowCount(), 6);
        QCOMPARE(v.selectedNode(), -1); // the expander does not select
        v.grab();
        QCOMPARE(v.lastPaintedRowCount(), 6);
        QTest::mouseDClick(v.viewport(), Qt::LeftButton, {}, rowPoint(v, 2, 150));
        QCOMPARE(v.model()->rowCount(), 9);
    }

    void keyboardNavigation()
    {
        TraceWaterfallView v;
        v.resize(800, 400);
        v.setModel(shopModel());
        v.grab(); // lays out the hidden widget's viewport
        v.setSelectedNode(0);
        QTest::keyClick(&v, Qt::Key_Down);
        QCOMPARE(v.selectedNode(), 1);
        QTest::keyClick(&v, Qt::Key_Down);
        QCOMPARE(v.selectedNode(), 2);
        QTest::keyClick(&v, Qt::Key_Left); // collapses cart
        QVERIFY(v.model()->isCollapsed(2));
        QTest::keyClick(&v, Qt::Key_Down);
        QCOMPARE(v.selectedNode(), 6); // payment, cart's children are hidden
        QTest::keyClick(&v, Qt::Key_Left); // payment is expanded: collapse
        QTest::keyClick(&v, Qt::Key_Left); // then go to the parent
        QCOMPARE(v.selectedNode(), 0);
        QTest::keyClick(&v, Qt::Key_End);
        QCOMPARE(v.selectedNode(), 8);
        QTest::keyClick(&v, Qt::Key_Home);
        QCOMPARE(v.selectedNode(), 0);
    }

    void selectionShowsDetails()
    {
        TraceViewer viewer;
        viewer.resize(1200, 600);
        viewer.setModel(shopModel());
        viewer.grab();
        QCOMPARE(viewer.waterfall()->selectedNode(), 0); // the root is selected on open
        QCOMPARE(viewer.detailPanel()->valueOf(QStringLiteral("Span"), QStringLiteral("name")),
                 QStringLiteral("GET /checkout"));
        TraceWaterfallView *v = viewer.waterfall();
        QTest::mouseClick(v->viewport(), Qt::LeftButton, {}, rowPoint(*v, 4, v->nameColumnWidth() + 40));
        QCOMPARE(v->selectedNode(), 4);
        SpanDetailPanel *d = viewer.detailPanel();
        QCOMPARE(d->node(), 4);
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("name")), QStringLiteral("select"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("service")), QStringLiteral("db"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("status")), QStringLiteral("error"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("status message")), QStringLiteral("boom"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("duration")), QStringLiteral("10 ms"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("start in trace")), QStringLiteral("+15 ms"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("start in parent")), QStringLiteral("+5 ms"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("share of parent")), QStringLiteral("33.3 %"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("span id")), QStringLiteral("0000000000000004"));
        QCOMPARE(d->valueOf(QStringLiteral("Span"), QStringLiteral("parent span id")), QStringLiteral("0000000000000003"));
        QCOMPARE(d->valueOf(QStringLiteral("Attributes"), QStringLiteral("fixture.line")), QStringLiteral("4"));
        QCOMPARE(d->valueOf(QStringLiteral("Resource"), QStringLiteral("service.name")), QStringLiteral("db"));
        QCOMPARE(d->section(QStringLiteral("Events"))->childCount(), 0);

        QTest::mouseClick(v->viewport(), Qt::LeftButton, {}, rowPoint(*v, 6, 60));
        QCOMPARE(d->section(QStringLiteral("Events"))->childCount(), 1);
        QCOMPARE(d->section(QStringLiteral("Events"))->child(0)->text(1), QStringLiteral("+15 ms"));
        QCOMPARE(d->section(QStringLiteral("Events"))->child(0)->child(0)->text(0), QStringLiteral("k"));
        QVERIFY(viewer.headerText().contains(QStringLiteral("GET /checkout")));
        QVERIFY(viewer.headerText().contains(QStringLiteral("100 ms")));
        QVERIFY(viewer.headerText().contains(QStringLiteral("<b>9</b> spans")));
        QVERIFY(viewer.headerText().contains(QStringLiteral("7 service(s)")));
        QVERIFY(viewer.headerText().contains(QStringLiteral("1 error")));
    }

    void linksSelectSpansOfTheSameTraceAndEmitOthers()
    {
        QList<model::Span> spans = spansFromText(QString::fromLatin1(kShop));
        spans[1].links.push_back({traceIdBytes(), spanIdBytes(8), {}});
        spans[1].links.push_back({traceIdBytes(0x999), spanIdBytes(1), {}});
        TraceViewer viewer;
        viewer.setModel(std::make_shared<TraceRowModel>(TraceRowModel::build(spans)));
        viewer.waterfall()->setSelectedNode(1);
        QTreeWidgetItem *links = viewer.detailPanel()->section(QStringLiteral("Links"));
        QCOMPARE(links->childCount(), 2);
        QSignalSpy other(&viewer, &TraceViewer::linkActivated);
        emit viewer.detailPanel()->itemActivated(links->child(0), 0);
        QCOMPARE(viewer.waterfall()->selectedNode(), 7);
        QCOMPARE(other.size(), 0);
        links = viewer.detailPanel()->section(QStringLiteral("Links")); // the panel now shows span 8
        QCOMPARE(links->childCount(), 0);
        viewer.waterfall()->setSelectedNode(1);
        links = viewer.detailPanel()->section(QStringLiteral("Links"));
        emit viewer.detailPanel()->itemActivated(links->child(1), 0);
        QCOMPARE(other.size(), 1);
        QCOMPARE(other.first().at(0).toByteArray(), traceIdBytes(0x999));
    }

    void searchHighlightsAndSteps()
    {
        TraceViewer viewer;
        viewer.resize(1200, 600);
        viewer.setModel(shopModel());
        viewer.grab();
        viewer.waterfall()->collapseBelow(1); // matches inside folded subtrees get revealed
        viewer.searchBox()->setText(QStringLiteral("db"));
        QCOMPARE(viewer.waterfall()->matches(), (QList<int>{4, 5}));
        QCOMPARE(viewer.waterfall()->selectedNode(), 4);
        QVERIFY(viewer.waterfall()->model()->rowOfNode(4) >= 0);
        QCOMPARE(viewer.matchText(), QStringLiteral("1 of 2"));
        QTest::keyClick(viewer.searchBox(), Qt::Key_Return);
        QCOMPARE(viewer.waterfall()->selectedNode(), 5);
        QCOMPARE(viewer.matchText(), QStringLiteral("2 of 2"));
        viewer.waterfall()->nextMatch();
        QCOMPARE(viewer.waterfall()->selectedNode(), 4);
        viewer.waterfall()->previousMatch();
        QCOMPARE(viewer.waterfall()->selectedNode(), 5);
        viewer.searchBox()->setText(QStringLiteral("zzz"));
        QCOMPARE(viewer.matchText(), QStringLiteral("no match"));
        viewer.searchBox()->clear();
        QCOMPARE(viewer.matchText(), QString());

        // Matching rows get the yellow marker at their left edge.
        viewer.searchBox()->setText(QStringLiteral("bank"));
        viewer.waterfall()->setSelectedNode(0);
        const QImage img = viewer.waterfall()->viewport()->grab().toImage();
        const QRect r = viewer.waterfall()->rowRect(viewer.waterfall()->model()->rowOfNode(7));
        QVERIFY(sameColor(img.pixelColor(1, r.center().y()), QColor(0xF2, 0xCC, 0x0C)));
        const QRect other = viewer.waterfall()->rowRect(viewer.waterfall()->model()->rowOfNode(6));
        QVERIFY(!sameColor(img.pixelColor(1, other.center().y()), QColor(0xF2, 0xCC, 0x0C), 40));
    }

    void zoomWindowAndMinimap()
    {
        TraceViewer viewer;
        viewer.resize(1200, 600);
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        viewer.setModel(shopModel());
        TraceWaterfallView *v = viewer.waterfall();
        const double barLeft = v->nameColumnWidth() + 8;
        const double barWidth = v->viewport()->width() - barLeft - 8;
        QCOMPARE(v->xOfTime(v->model()->start()), barLeft);
        QVERIFY(std::abs(v->xOfTime(v->model()->end()) - (barLeft + barWidth)) < 1e-6);

        v->zoomToNode(2); // cart: 10..40 ms, padded by 5 % of its length
        QVERIFY(std::abs(v->windowFrom() - 0.085) < 1e-9);
        QVERIFY(std::abs(v->windowTo() - 0.415) < 1e-9);
        QCOMPARE(viewer.minimap()->windowFrom(), v->windowFrom());
        QCOMPARE(viewer.minimap()->windowTo(), v->windowTo());
        const QRectF cart = v->barRect(2);
        QVERIFY(std::abs(cart.left() - (barLeft + barWidth * (0.015 / 0.33))) < 0.5);
        QVERIFY(std::abs(cart.right() - (barLeft + barWidth * (0.315 / 0.33))) < 0.5);

        // Dragging over the minimap's right half zooms the waterfall there.
        TraceMinimap *mm = viewer.minimap();
        const int w = mm->width() - 4;
        const int y = mm->height() / 2;
        QTest::mousePress(mm, Qt::LeftButton, {}, QPoint(2 + w / 2, y));
        QMouseEvent move(QEvent::MouseMove, QPointF(2 + w * 3 / 4, y), mm->mapToGlobal(QPointF(2 + w * 3 / 4, y)),
                         Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(mm, &move);
        QTest::mouseRelease(mm, Qt::LeftButton, {}, QPoint(2 + w, y));
        QVERIFY(std::abs(v->windowFrom() - 0.5) < 0.01);
        QVERIFY(std::abs(v->windowTo() - 1.0) < 0.01);
        // The root bar now starts left of the bar area (clipped), payment in view.
        QVERIFY(v->barRect(0).left() < barLeft);
        QVERIFY(v->barRect(6).left() < barLeft); // payment 45..95 ms starts before 50 %
        QVERIFY(v->barRect(8).left() > barLeft + barWidth * 0.9);
        QTest::mouseDClick(mm, Qt::LeftButton, {}, QPoint(10, y));
        QCOMPARE(v->windowFrom(), 0.0);
        QCOMPARE(v->windowTo(), 1.0);

        // Ctrl+wheel zooms around the pointer.
        QWheelEvent wheel(QPointF(barLeft + barWidth / 2, 100), v->viewport()->mapToGlobal(QPointF(barLeft + barWidth / 2, 100)),
                          QPoint(), QPoint(0, 120), Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(v->viewport(), &wheel);
        QVERIFY(std::abs(v->windowFrom() - 0.1) < 1e-9);
        QVERIFY(std::abs(v->windowTo() - 0.9) < 1e-9);
    }

    void pixels()
    {
        TraceWaterfallView v;
        v.resize(1000, 300);
        v.setModel(shopModel());
        v.grab();
        v.setSelectedNode(1);
        const QImage img = v.viewport()->grab().toImage();
        QVERIFY(img.save(QDir::temp().filePath(QStringLiteral("spyglass-tst-waterfall.png"))));
        // Root bar: service colour 0 above the critical-path stripe.
        const QRectF root = v.barRect(0);
        QVERIFY(sameColor(img.pixelColor(int(root.center().x()), int(root.top()) + 1), v.serviceColor(0)));
        // The stripe in its middle is dark.
        QVERIFY(img.pixelColor(int(root.center().x()), int(root.center().y())).lightness() < 40);
        // db/select failed: red bar.
        const QRectF err = v.barRect(4);
        QVERIFY(sameColor(img.pixelColor(int(err.center().x()), int(err.top()) + 1), TraceWaterfallView::errorColor()));
        // db/count is off the critical path: no stripe.
        const QRectF count = v.barRect(5);
        QVERIFY(sameColor(img.pixelColor(int(count.center().x()), int(count.center().y())), v.serviceColor(v.model()->node(5).service)));
        // The selected row's background differs from an unselected one.
        const int yRoot = v.rowRect(0).top() + 2, ySel = v.rowRect(1).top() + 2;
        QVERIFY(!sameColor(img.pixelColor(v.nameColumnWidth() + 4, ySel), img.pixelColor(v.nameColumnWidth() + 4, yRoot), 10));
        // The payment event is a light tick on its bar.
        const model::SpanEvent &e = v.model()->span(6).events.first();
        const QRectF pay = v.barRect(6);
        QVERIFY(img.pixelColor(int(std::round(v.xOfTime(e.time))), int(pay.top()) + 1).lightness() > 200);
        // Turning the critical path off removes the stripe.
        v.setCriticalPathVisible(false);
        const QImage plain = v.viewport()->grab().toImage();
        QVERIFY(sameColor(plain.pixelColor(int(root.center().x()), int(root.center().y())), v.serviceColor(0)));
    }

    void asyncLayoutKeepsTheNewestTrace()
    {
        TraceViewer viewer;
        QSignalSpy ready(&viewer, &TraceViewer::modelReady);
        viewer.setSpans(syntheticTrace(20'000));
        viewer.setSpans(spansFromText(QString::fromLatin1(kShop)));
        QVERIFY(QTest::qWaitFor([&] { return viewer.model() && viewer.model()->nodeCount() == 9; }, 20'000));
        // The older, bigger layout must not replace it afterwards.
        QTest::qWait(200);
        QCOMPARE(viewer.model()->nodeCount(), 9);
        QCOMPARE(ready.size(), 1);
    }

    void bigTraceOpensFolded()
    {
        TraceViewer viewer;
        viewer.resize(1200, 700);
        viewer.setModel(std::make_shared<TraceRowModel>(TraceRowModel::build(syntheticTrace(100'000))));
        QCOMPARE(viewer.waterfall()->model()->rowCount(), 1 + 4 + 16 + 64);
        viewer.waterfall()->expandAll();
        QCOMPARE(viewer.waterfall()->model()->rowCount(), 100'000);
        viewer.grab();
        QVERIFY(viewer.waterfall()->lastPaintedRowCount() < 40);
    }
};

QTEST_MAIN(TestTraceWaterfallView)
#include "tst_trace_waterfall_view.moc"
