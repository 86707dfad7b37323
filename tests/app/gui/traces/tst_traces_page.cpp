#include "app/gui/theme.h"
#include "app/gui/traces/trace_file_loader.h"
#include "app/gui/traces/trace_search_table.h"
#include "app/gui/traces/trace_viewer.h"
#include "app/gui/traces/trace_waterfall_view.h"
#include "app/gui/traces/traces_page.h"
#include "app/gui/traces/service_graph_view.h"
#include "app/gui/traces/span_stats_model.h"
#include "app/gui/traces/trace_compare_view.h"
#include "app/gui/traces/traceql_editor.h"
#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/flamegraph/flame_graph_view.h"
#include "core/store/storage.h"

#include "trace_fixtures.h"
#include "trace_screenshots.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QComboBox>
#include <QScrollBar>
#include <QLabel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace spyglass;
using namespace spyglass::gui::traces;
using namespace spyglass::gui::traces::fixtures;

namespace {

const QString kCorpusTraces = QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/otlp-http-json/traces-0001.json");

store::TraceSummary summary(quint64 id, qint64 startMs, qint64 durMs, int spans, const char *service)
{
    store::TraceSummary s;
    s.traceId = traceIdBytes(id);
    s.start = startMs * 1'000'000;
    s.end = s.start + durMs * 1'000'000;
    s.spanCount = spans;
    s.rootServiceName = QString::fromLatin1(service);
    s.rootSpanName = QStringLiteral("GET /");
    return s;
}

} // namespace

class TestTracesPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        gui::applyDarkTheme(*qApp);
    }

    void resultsTableSortsAndOpensOnDoubleClick()
    {
        TraceSearchTable table;
        table.resize(900, 300);
        table.setSummaries({summary(1, 1000, 50, 3, "a"), summary(2, 3000, 5, 10, "b"), summary(3, 2000, 500, 1, "c")});
        table.show();
        QVERIFY(QTest::qWaitForWindowExposed(&table));
        QCOMPARE(table.model()->rowCount(), 3);
        // Newest first by default.
        QCOMPARE(table.traceIdAt(0), traceIdBytes(2));
        QCOMPARE(table.model()->index(0, TraceSummaryModel::RootService).data().toString(), QStringLiteral("b"));
        QCOMPARE(table.model()->index(0, TraceSummaryModel::Duration).data().toString(), QStringLiteral("5 ms"));
        QCOMPARE(table.model()->index(0, TraceSummaryModel::TraceId).data().toString(),
                 QStringLiteral("00000000000000000000000000000002"));
        table.sortByColumn(TraceSummaryModel::Duration, Qt::DescendingOrder);
        QCOMPARE(table.traceIdAt(0), traceIdBytes(3)); // 500 ms sorts above 50 ms (numbers, not text)
        QSignalSpy opened(&table, &TraceSearchTable::traceActivated);
        const QRect cell = table.visualRect(table.model()->index(1, 1));
        QTest::mouseClick(table.viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(opened.size(), 0); // one click only selects
        QCOMPARE(table.currentIndex().row(), 1);
        // QTest's synthetic double click does not reach item views' doubleClicked
        // in Qt 6.4 (the pressed index is cleared on release), so emit it.
        emit table.doubleClicked(table.model()->index(1, 1));
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().at(0).toByteArray(), traceIdBytes(1));
        QTest::keyClick(&table, Qt::Key_Return); // Enter opens the current row too
        QCOMPARE(opened.size(), 2);
        QCOMPARE(opened.first().at(0).toByteArray(), traceIdBytes(1));
    }

    void groupsSpansByTrace()
    {
        QList<model::Span> spans = spansFromText(QStringLiteral("a/root 0 10\n  a/c 1 2\n"), 1);
        spans += spansFromText(QStringLiteral("b/one 5 1 error\n  b/x 5 1\n  b/y 5 1\n"), 2);
        const TraceFileContents c = groupSpansByTrace(spans);
        QCOMPARE(c.spanCount, 5);
        QCOMPARE(c.traces.size(), 2);
        QCOMPARE(c.summaries.size(), 2);
        QCOMPARE(c.summaries[0].traceId, traceIdBytes(2)); // biggest first
        QCOMPARE(c.summaries[0].spanCount, 3);
        QCOMPARE(c.summaries[0].errorCount, 1);
        QCOMPARE(c.summaries[0].rootServiceName, QStringLiteral("b"));
        QCOMPARE(c.summaries[1].rootSpanName, QStringLiteral("root"));
        QCOMPARE(c.summaries[1].durationNs(), 10'000'000);
    }

    void loadingErrors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const Result<TraceFileContents> missing = loadTraceFile(dir.filePath(QStringLiteral("nope.json")));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::Io);
        QVERIFY(missing.error().message.contains(QStringLiteral("nope.json")));
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"resourceSpans\": [ {\"scopeSpans\": 12 } ]");
        bad.close();
        const Result<TraceFileContents> broken = loadTraceFile(bad.fileName());
        QVERIFY(!broken);
        QVERIFY2(broken.error().message.contains(QStringLiteral("bad.json")), qPrintable(broken.error().message));

        TracesPage page(nullptr);
        QSignalSpy finished(&page, &TracesPage::loadFinished);
        page.openFile(bad.fileName());
        QVERIFY(QTest::qWaitFor([&] { return finished.size() == 1; }, 10'000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(page.statusText().contains(QStringLiteral("Could not open")));
    }

    void opensCorpusFileAndRendersIt()
    {
        TracesPage page(nullptr);
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy finished(&page, &TracesPage::loadFinished);
        page.openFile(kCorpusTraces);
        QVERIFY(QTest::qWaitFor([&] { return finished.size() == 1; }, 20'000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(page.results()->model()->rowCount(), 11);
        QVERIFY(page.statusText().contains(QStringLiteral("48 spans")));
        TraceViewer *viewer = page.viewer();
        QVERIFY(QTest::qWaitFor([&] { return viewer->model() && viewer->model()->nodeCount() == 19; }, 20'000));
        const TraceRowModel &m = *viewer->model();
        QCOMPARE(m.span(m.rootNode()).parentSpanId, QByteArray());
        QVERIFY(viewer->headerText().contains(QStringLiteral("corpus-shop")));
        QCOMPARE(page.results()->traceIdAt(page.results()->currentIndex().row()), m.traceId());
        QVERIFY(m.maxDepth() >= 1);
        QVERIFY(m.criticalCount() >= 2);

        // Select a span with attributes and show it like a user would.
        int withAttrs = -1;
        for (int i = 1; i < m.nodeCount() && withAttrs < 0; ++i)
            if (m.span(i).attributes.size() >= 3)
                withAttrs = i;
        QVERIFY(withAttrs > 0);
        viewer->waterfall()->setSelectedNode(withAttrs);
        QApplication::processEvents();
        const QImage shot = page.grab().toImage();
        const QString out = qEnvironmentVariableIsSet("SPYGLASS_SCREENSHOT_DIR")
                                ? QDir(qEnvironmentVariable("SPYGLASS_SCREENSHOT_DIR")).filePath(QStringLiteral("trace-viewer.png"))
                                : QDir::temp().filePath(QStringLiteral("spyglass-trace-viewer.png"));
        QVERIFY(shot.save(out));
        // The root's bar carries its service colour.
        TraceWaterfallView *v = viewer->waterfall();
        const QRectF root = v->barRect(m.rootNode());
        const QImage vp = v->viewport()->grab().toImage();
        QVERIFY(vp.pixelColor(int(root.center().x()), int(root.top()) + 1) ==
                (m.node(m.rootNode()).error ? TraceWaterfallView::errorColor() : v->serviceColor(m.node(m.rootNode()).service)));

        // Another row of the table opens that trace.
        QSignalSpy opened(&page, &TracesPage::traceOpened);
        const QByteArray other = page.results()->traceIdAt(page.results()->model()->rowCount() - 1);
        emit page.results()->traceActivated(other);
        QCOMPARE(opened.size(), 1);
        QVERIFY(QTest::qWaitFor([&] { return viewer->model()->traceId() == other; }, 20'000));
    }

    void searchesTheStore()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto storage = store::Storage::open(dir.path());
        QVERIFY2(storage, storage ? "" : qPrintable(storage.error().toString()));
        QList<model::Span> spans = spansFromText(QStringLiteral("shop/GET_/ 0 100\n  db/select 10 20\n"), 1);
        spans += spansFromText(QStringLiteral("auth/login 50 5\n"), 2);
        spans += spansFromText(QStringLiteral("shop/GET_/cart 200 300\n  cache/get 210 5\n  db/update 220 50 error\n"), 3);
        QVERIFY((*storage)->traces().append(spans));

        TracesPage page(storage->get());
        QSignalSpy searched(&page, &TracesPage::searchFinished);
        page.serviceBox()->setText(QStringLiteral("shop"));
        page.searchStore();
        // A fast answer can arrive before searchStore() returns: wait on the count.
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 1; }, 10'000));
        QCOMPARE(searched.first().at(0).toBool(), true);
        QCOMPARE(searched.first().at(1).toInt(), 2);
        QCOMPARE(page.results()->model()->rowCount(), 2);

        page.nameBox()->setText(QStringLiteral("update"));
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 2; }, 10'000));
        QCOMPARE(page.results()->model()->rowCount(), 1);
        QCOMPARE(page.results()->traceIdAt(0), traceIdBytes(3));

        // Bad durations are refused with a message, before any query runs.
        page.nameBox()->clear();
        page.minDurationBox()->setText(QStringLiteral("soon"));
        page.searchStore();
        QCOMPARE(searched.size(), 3);
        QCOMPARE(searched.last().at(0).toBool(), false);
        QVERIFY(page.statusText().contains(QStringLiteral("soon")));
        page.minDurationBox()->setText(QStringLiteral("200ms"));
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 4; }, 10'000));
        QCOMPARE(page.results()->model()->rowCount(), 1); // only the 300 ms trace

        emit page.results()->traceActivated(traceIdBytes(3));
        QVERIFY(QTest::qWaitFor([&] { return page.viewer()->model() && page.viewer()->model()->nodeCount() == 3; }, 10'000));
        QCOMPARE(page.viewer()->model()->errorCount(), 1);
        page.openTrace(traceIdBytes(0x404));
        QVERIFY(QTest::qWaitFor([&] { return page.statusText().contains(QStringLiteral("not found")); }, 10'000));
    }

    void traceqlSearchCompletionAndErrors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        QList<model::Span> spans = spansFromText(QStringLiteral("shop/GET_/ 0 100\n  db/select 10 20\n"), 1);
        spans += spansFromText(QStringLiteral("auth/login 50 5\n"), 2);
        spans += spansFromText(QStringLiteral("shop/GET_/cart 200 300\n  cache/get 210 5\n  db/update 220 50 error\n"), 3);
        QVERIFY((*storage)->traces().append(spans));

        TracesPage page(storage->get());
        QSignalSpy searched(&page, &TracesPage::searchFinished);
        page.traceqlEditor()->setQuery(QStringLiteral("{ resource.service.name = \"db\" && status = error }"));
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 1; }, 10'000));
        QCOMPARE(searched.first().at(0).toBool(), true);
        QCOMPARE(page.results()->model()->rowCount(), 1);
        QCOMPARE(page.results()->traceIdAt(0), traceIdBytes(3));
        QVERIFY(page.statusText().contains(QStringLiteral("inspected")));

        // Structural: a db span below a shop span (traces 1 and 3).
        page.traceqlEditor()->setQuery(QStringLiteral("{ resource.service.name = \"shop\" } >> { resource.service.name = \"db\" }"));
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 2; }, 10'000));
        QCOMPARE(page.results()->model()->rowCount(), 2);

        // A parse error: no results, the message with its column under the editor.
        page.traceqlEditor()->setQuery(QStringLiteral("{ duration > }"));
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 3; }, 10'000));
        QCOMPARE(searched.last().at(0).toBool(), false);
        QVERIFY(page.traceqlError()->text().startsWith(QStringLiteral("column 14:")));

        // Completion data comes from the store, off the GUI thread.
        emit page.traceqlEditor()->attributeNamesWanted();
        QVERIFY(QTest::qWaitFor([&] { return page.traceqlEditor()->hasAttributeNames(); }, 10'000));
        const QStringList names = page.traceqlEditor()->candidates(
            traceqlContextAt(QStringLiteral("{ resource.se"), 13));
        QVERIFY2(names.contains(QStringLiteral("resource.service.name")), qPrintable(names.join(u',')));
        emit page.traceqlEditor()->attributeValuesWanted(QStringLiteral("resource.service.name"));
        TraceqlCompletionContext ctx = traceqlContextAt(QStringLiteral("{ resource.service.name = \""), 27);
        QVERIFY(QTest::qWaitFor([&] { return page.traceqlEditor()->candidates(ctx).size() == 4; }, 10'000));
        QVERIFY(page.traceqlEditor()->candidates(ctx).contains(QStringLiteral("cache")));
        emit page.traceqlEditor()->attributeValuesWanted(QStringLiteral("name"));
        ctx = traceqlContextAt(QStringLiteral("{ name = \"up"), 12);
        QVERIFY(QTest::qWaitFor([&] { return page.traceqlEditor()->candidates(ctx) == QStringList{QStringLiteral("update")}; }, 10'000));
    }

    void comparesTwoTracesAndDrawsTheServiceGraph()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        QList<model::Span> spans = spansFromText(QStringLiteral("shop/GET_/ 0 100\n  db/select 10 20\n"), 1);
        spans += spansFromText(QStringLiteral("shop/GET_/ 200 300\n  db/select 210 5\n  db/select 220 50 error\n"
                                              "  cache/get 280 10\n"), 3);
        QVERIFY((*storage)->traces().append(spans));
        TracesPage page(storage->get());
        page.resize(1200, 800);
        QSignalSpy searched(&page, &TracesPage::searchFinished);
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 1; }, 10'000));
        QCOMPARE(page.results()->model()->rowCount(), 2);

        // Compare needs exactly two selected rows.
        QSignalSpy compared(&page, &TracesPage::comparisonShown);
        page.results()->clearSelection();
        page.compareSelected();
        QCOMPARE(compared.size(), 1);
        QCOMPARE(compared.first().at(0).toBool(), false);
        page.results()->selectAll();
        QCOMPARE(page.results()->selectedTraceIds(), QList<QByteArray>({traceIdBytes(3), traceIdBytes(1)}));
        QSignalSpy ready(page.compareView(), &TraceCompareView::comparisonReady);
        page.compareTraces(traceIdBytes(1), traceIdBytes(3));
        QVERIFY(QTest::qWaitFor([&] { return ready.size() == 1; }, 10'000));
        QCOMPARE(page.tabs()->currentIndex(), int(TracesPage::CompareTab));
        const TraceComparison &c = page.compareView()->comparison();
        QCOMPARE(c.nodes.size(), 3);
        QCOMPARE(c.onlyA, 0);
        QCOMPARE(c.onlyB, 1); // cache/get
        QCOMPARE(c.countChanged, 1); // db/select 1 -> 2
        QTreeWidgetItem *root = page.compareView()->tree()->topLevelItem(0);
        QCOMPARE(root->text(TraceCompareView::SpanColumn), QStringLiteral("shop: GET /"));
        QCOMPARE(root->child(0)->text(TraceCompareView::Delta), QStringLiteral("+1"));
        QCOMPARE(root->child(1)->background(0).color(),
                 TraceCompareView::presenceColor(TraceComparison::Presence::OnlyB, false));
        QVERIFY(page.compareView()->summaryText().contains(QStringLiteral("only in B: <b>1</b>")));

        // Service graph of everything stored.
        QSignalSpy mapped(&page, &TracesPage::serviceMapReady);
        page.serviceMapRange()->setCurrentIndex(page.serviceMapRange()->count() - 1); // all
        page.buildServiceMap();
        QVERIFY(QTest::qWaitFor([&] { return mapped.size() == 1; }, 10'000));
        QCOMPARE(mapped.first().at(0).toBool(), true);
        const ServiceGraph &g = page.serviceMap()->graph();
        QCOMPARE(g.traces, 2);
        const int sd = g.edgeIndex(QStringLiteral("shop"), QStringLiteral("db"));
        QVERIFY(sd >= 0);
        QCOMPARE(g.edges[sd].calls, 3);
        QCOMPARE(g.edges[sd].errors, 1);
        QVERIFY(g.windowSeconds > 0);
        QVERIFY(page.serviceMap()->edgeLabel(sd).contains(QStringLiteral("33.3 % err")));
    }

    void viewerTabsAndJumps()
    {
        TraceViewer viewer;
        viewer.resize(1200, 700);
        QSignalSpy analysed(&viewer, &TraceViewer::analysisFinished);
        viewer.setSpans(spansFromText(QStringLiteral("shop/GET_/ 0 100\n  db/select 10 20 error\n  cache/get 40 10\n")));
        QVERIFY(QTest::qWaitFor([&] { return viewer.analysisReady(); }, 10'000));
        QCOMPARE(viewer.statsModel()->rowCount(), 3);
        QCOMPARE(viewer.serviceGraph()->graph().edges.size(), 2);
        viewer.tabs()->setCurrentIndex(TraceViewer::FlameGraphTab);
        QVERIFY(viewer.flameGraph());
        QVERIFY(QTest::qWaitFor([&] { return viewer.flameGraph()->flameView()->tree() && !viewer.flameGraph()->isBusy(); }, 10'000));
        QCOMPARE(viewer.flameGraph()->flameView()->tree()->total(), qint64(100'000'000)); // self times add up to the root

        QSignalSpy logs(&viewer, &TraceViewer::logsRequested);
        QSignalSpy metrics(&viewer, &TraceViewer::metricsRequested);
        viewer.waterfall()->setSelectedNode(1); // db/select
        const SignalJump j = viewer.logsJump();
        QVERIFY(j.query.startsWith(QStringLiteral("{service_name=\"db\"}")));
        for (QPushButton *b : viewer.findChildren<QPushButton *>()) {
            if (b->text() == QStringLiteral("Logs for this span") || b->text() == QStringLiteral("Metrics for this service"))
                b->click();
        }
        QCOMPARE(logs.size(), 1);
        QCOMPARE(logs.first().at(0).toString(), j.query);
        QCOMPARE(metrics.size(), 1);
        QVERIFY(metrics.first().at(0).toString().contains(QStringLiteral("traces_spanmetrics_calls_total{service=\"db\"}")));
    }
    // Not a check: with SPYGLASS_SCREENSHOT_DIR set, writes the screenshots
    // of docs/ (trace-10k.png, trace-compare.png).
    void screenshots()
    {
        const QString out = qEnvironmentVariable("SPYGLASS_SCREENSHOT_DIR");
        if (out.isEmpty())
            QSKIP("SPYGLASS_SCREENSHOT_DIR not set");
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.path());
        QVERIFY(storage);
        const QList<model::Span> big = exportTrace(1000, 0xe4901);
        QVERIFY((*storage)->traces().append(big));
        QList<model::Span> a = exportTrace(6, 0xa11ce, 0);
        QList<model::Span> b = exportTrace(8, 0xb0b, 3, 1.6);
        // B: the cache is bypassed, and a fraud check was added per order.
        b.removeIf([](const model::Span &s) { return s.serviceName == QLatin1String("cache"); });
        const QList<model::Span> bCopy = b;
        quint64 next = 50'000;
        for (const model::Span &s : bCopy) {
            if (s.name != QLatin1String("RenderOrder"))
                continue;
            model::Span f;
            f.traceId = s.traceId;
            f.spanId = spanIdBytes(next++);
            f.parentSpanId = s.spanId;
            f.serviceName = QStringLiteral("fraud");
            f.name = QStringLiteral("Score");
            f.kind = model::Span::Kind::Client;
            f.start = s.start + 27'000'000;
            f.end = f.start + 14'000'000;
            b.push_back(f);
        }
        QVERIFY((*storage)->traces().append(a));
        QVERIFY((*storage)->traces().append(b));

        TracesPage page(storage->get());
        page.resize(1600, 1000);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy searched(&page, &TracesPage::searchFinished);
        page.searchStore();
        QVERIFY(QTest::qWaitFor([&] { return searched.size() == 1; }, 10'000));
        QSignalSpy ready(page.viewer(), &TraceViewer::modelReady);
        page.openTrace(traceIdBytes(0xe4901));
        QVERIFY(QTest::qWaitFor([&] { return ready.size() >= 1; }, 20'000));
        TraceRowModel *m = page.viewer()->waterfall()->model();
        QCOMPARE(m->nodeCount(), 10'004);
        // Select the last failing stock check and zoom to the end of the
        // trace, where the critical path runs through the last orders.
        int failing = -1;
        for (int n = 0; n < m->nodeCount(); ++n)
            if (m->node(n).error)
                failing = n;
        QVERIFY(failing > 0);
        TraceWaterfallView *w = page.viewer()->waterfall();
        w->setSelectedNode(failing);
        w->setWindow(0.93, 0.995);
        const int rowsOnScreen = (w->viewport()->height() - TraceWaterfallView::kHeaderHeight) / TraceWaterfallView::kRowHeight;
        w->verticalScrollBar()->setValue((m->rowOfNode(failing) - rowsOnScreen / 2) * TraceWaterfallView::kRowHeight);
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/trace-10k.png")));

        page.compareTraces(traceIdBytes(0xa11ce), traceIdBytes(0xb0b));
        QSignalSpy compared(page.compareView(), &TraceCompareView::comparisonReady);
        QVERIFY(QTest::qWaitFor([&] { return compared.size() == 1; }, 10'000));
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/trace-compare.png")));

        page.serviceMapRange()->setCurrentIndex(page.serviceMapRange()->count() - 1);
        QSignalSpy mapped(&page, &TracesPage::serviceMapReady);
        page.buildServiceMap();
        QVERIFY(QTest::qWaitFor([&] { return mapped.size() == 1; }, 20'000));
        page.tabs()->setCurrentIndex(TracesPage::ServiceMapTab);
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/trace-service-graph.png")));

        page.tabs()->setCurrentIndex(TracesPage::TraceTab);
        page.viewer()->tabs()->setCurrentIndex(TraceViewer::StatisticsTab);
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/trace-statistics.png")));
        page.viewer()->tabs()->setCurrentIndex(TraceViewer::FlameGraphTab);
        QVERIFY(QTest::qWaitFor([&] { return page.viewer()->flameGraph() && page.viewer()->flameGraph()->flameView()->tree()
                                             && !page.viewer()->flameGraph()->isBusy(); }, 20'000));
        QTest::qWait(200);
        QVERIFY(page.grab().save(out + QStringLiteral("/trace-flamegraph.png")));
    }
};

QTEST_MAIN(TestTracesPage)
#include "tst_traces_page.moc"
