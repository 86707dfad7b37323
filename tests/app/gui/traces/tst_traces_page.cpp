#include "app/gui/theme.h"
#include "app/gui/traces/trace_file_loader.h"
#include "app/gui/traces/trace_search_table.h"
#include "app/gui/traces/trace_viewer.h"
#include "app/gui/traces/trace_waterfall_view.h"
#include "app/gui/traces/traces_page.h"
#include "core/store/storage.h"

#include "trace_fixtures.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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
};

QTEST_MAIN(TestTracesPage)
#include "tst_traces_page.moc"
