#include "app/gui/explore/explore_view.h"
#include "app/gui/explore/frames_table_model.h"
#include "app/gui/main_window.h"
#include "app/gui/widgets/time_range_picker.h"
#include "app/gui/widgets/time_series_plot.h"
#include "app/gui/workbench.h"
#include "core/store/storage.h"

#include <QComboBox>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSemaphore>
#include <QStandardPaths>
#include <QThreadPool>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <atomic>

using namespace spyglass;
using spyglass::gui::explore::DatasourceEntry;
using spyglass::gui::explore::ExploreView;
using spyglass::gui::explore::FramesTableModel;

namespace {

constexpr model::TimestampMs kStart = 1'700'000'000'000LL;

// Answers "slow" only after `release` is signalled (ignoring cancellation,
// like a remote server that replies late), "bad" with a positioned parse
// error and anything else with one series per character of the query.
class FakeDatasource : public datasource::Datasource
{
public:
    QSemaphore release;
    std::atomic<int> calls{0};
    datasource::QueryRequest lastRequest;

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Metrics; }
    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &) override
    {
        ++calls;
        lastRequest = request;
        if (request.expr == u"slow")
            release.acquire();
        if (request.expr == u"bad")
            return fail(Error::at(request.expr, 1, 3, QStringLiteral("unexpected character")));
        model::Frames frames;
        for (qsizetype i = 0; i < request.expr.size(); ++i) {
            QList<model::Sample> samples;
            for (int k = 0; k < 10; ++k)
                samples.push_back({request.from + k * 60'000, double(i * 100 + k)});
            frames.push_back(model::Frame::timeSeries(
                model::Labels{{QStringLiteral("__name__"), request.expr},
                              {QStringLiteral("i"), QString::number(i)}},
                samples));
        }
        return frames;
    }
    Result<QStringList> labelNames(const CancelToken &) override { return QStringList(); }
    Result<QStringList> labelValues(const QString &, const CancelToken &) override { return QStringList(); }
    Result<QString> checkHealth(const CancelToken &) override { return QStringLiteral("fake"); }

private:
    datasource::DatasourceSettings m_settings{QStringLiteral("fake"), QStringLiteral("Fake"),
                                              QStringLiteral("fake"), {}, false, {}, {}};
};

} // namespace

class TestExploreView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void shiftEnterRunsQueryOffThread()
    {
        auto fake = std::make_shared<FakeDatasource>();
        ExploreView view;
        view.resize(900, 700);
        view.setDatasources({{QStringLiteral("fake"), QStringLiteral("Fake"), fake, {}}});
        view.setTimeRange(model::TimeRange::absolute(kStart, kStart + 3'600'000));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        QSignalSpy finished(&view, &ExploreView::queryFinished);
        view.queryEdit()->setFocus();
        QTest::keyClicks(view.queryEdit(), QStringLiteral("abc"));
        QCOMPARE(view.query(), QStringLiteral("abc"));
        QTest::keyClick(view.queryEdit(), Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(view.query(), QStringLiteral("abc")); // no newline inserted
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(1).toBool(), true);
        QCOMPARE(fake->lastRequest.from, kStart);
        QCOMPARE(fake->lastRequest.to, kStart + 3'600'000);
        QVERIFY(fake->lastRequest.maxDataPoints >= 100);
        QCOMPARE(view.plot()->seriesCount(), 3);
        QCOMPARE(view.lastSeriesCount(), 3);
        QCOMPARE(view.plot()->legend()->count(), 3);
        QCOMPARE(view.tableModel()->layout(), FramesTableModel::Layout::Samples);
        QCOMPARE(view.tableModel()->rowCount(), 30);
        QVERIFY2(view.statusText().startsWith(QStringLiteral("3 series, 30 points")), qPrintable(view.statusText()));
        QVERIFY(!view.isRunning());

        // The Run button does the same.
        view.setQuery(QStringLiteral("xy"));
        view.runButton()->click();
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(view.plot()->seriesCount(), 2);
    }

    void staleResultsAreDropped()
    {
        auto fake = std::make_shared<FakeDatasource>();
        ExploreView view;
        view.setDatasources({{QStringLiteral("fake"), QStringLiteral("Fake"), fake, {}}});
        view.setTimeRange(model::TimeRange::absolute(kStart, kStart + 3'600'000));
        QSignalSpy finished(&view, &ExploreView::queryFinished);

        view.setQuery(QStringLiteral("slow"));
        view.runQuery();
        const int slowJob = view.lastJobId();
        QTRY_COMPARE(fake->calls.load(), 1); // the slow one is inside the datasource
        view.setQuery(QStringLiteral("fast"));
        view.runQuery();
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(finished.at(0).at(0).toInt() != slowJob);
        QCOMPARE(view.plot()->seriesCount(), 4);

        // The superseded query answers late: it must not replace the result.
        fake->release.release();
        QTest::qWait(0);
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(view.plot()->seriesCount(), 4);
        QCOMPARE(view.plot()->series(0).name.left(4), QStringLiteral("fast"));
    }

    void cancelAbandonsTheRunningQuery()
    {
        auto fake = std::make_shared<FakeDatasource>();
        ExploreView view;
        view.setDatasources({{QStringLiteral("fake"), QStringLiteral("Fake"), fake, {}}});
        QSignalSpy finished(&view, &ExploreView::queryFinished);
        view.setQuery(QStringLiteral("slow"));
        view.runQuery();
        QVERIFY(view.isRunning());
        view.cancelQuery();
        QVERIFY(!view.isRunning());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QCOMPARE(view.statusText(), QStringLiteral("Query cancelled."));
        fake->release.release();
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(view.plot()->seriesCount(), 0);
    }

    void errorsShowWhereTheyAre()
    {
        auto fake = std::make_shared<FakeDatasource>();
        ExploreView view;
        view.setDatasources({{QStringLiteral("fake"), QStringLiteral("Fake"), fake, {}}});
        QSignalSpy finished(&view, &ExploreView::queryFinished);
        view.setQuery(QStringLiteral("bad"));
        view.runQuery();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        QCOMPARE(view.statusText(), QStringLiteral("Error: line 1, column 3: unexpected character"));
        QCOMPARE(view.queryEdit()->extraSelections().size(), 1);
        QCOMPARE(view.queryEdit()->extraSelections().at(0).cursor.selectionStart(), 2);
        QCOMPARE(view.plot()->seriesCount(), 0);
        // Typing clears the marker.
        view.queryEdit()->appendPlainText(QStringLiteral(" "));
        QVERIFY(view.queryEdit()->extraSelections().isEmpty());
    }

    void unusableDatasourcesAndEmptyQueries()
    {
        ExploreView view;
        QSignalSpy started(&view, &ExploreView::queryStarted);
        view.setQuery(QStringLiteral("up"));
        view.runQuery();
        QVERIFY(view.statusText().contains(QStringLiteral("No datasource")));
        view.setDatasources({{QStringLiteral("p"), QStringLiteral("Prom"), nullptr,
                              QStringLiteral("plugin \"prometheus\" is not loaded")}});
        QCOMPARE(view.datasourceCombo()->itemText(0), QStringLiteral("Prom (unavailable)"));
        view.runQuery();
        QVERIFY(view.statusText().contains(QStringLiteral("is not loaded")));
        view.setQuery(QStringLiteral("   "));
        view.runQuery();
        QVERIFY(view.statusText().startsWith(QStringLiteral("Type a query")));
        QCOMPARE(started.count(), 0);
    }

    // The whole path: a real store on disk, the real local plugin found by
    // the registry, the main window, Shift+Enter, and a PNG of the window.
    void localStoreInMainWindow()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        gui::Workbench::Options options;
        options.dataDir = dir.filePath(QStringLiteral("data"));
        options.extraPluginDirs = {QStringLiteral(SPYGLASS_PLUGIN_DIR)};
        auto wb = gui::Workbench::open(options);
        QVERIFY2(wb.has_value(), wb ? "" : qPrintable(wb.error().toString()));

        store::SampleBatch batch;
        for (int s = 0; s < 3; ++s) {
            model::Series series;
            series.labels = model::Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                          {QStringLiteral("job"), QStringLiteral("job%1").arg(s)}};
            for (int i = 0; i < 240; ++i)
                series.samples.push_back({kStart + i * 15'000LL, double(s * 1000 + i)});
            batch.series.push_back(series);
        }
        model::Series other;
        other.labels = model::Labels{{QStringLiteral("__name__"), QStringLiteral("other")}};
        other.samples.push_back({kStart, 1});
        batch.series.push_back(other);
        auto appended = (*wb)->storage().metrics().append(batch);
        QVERIFY2(appended.has_value(), appended ? "" : qPrintable(appended.error().toString()));

        const auto entries = (*wb)->datasourceEntries();
        QVERIFY(!entries.isEmpty());
        QVERIFY2(entries.front().datasource, qPrintable(entries.front().error));

        gui::MainWindow window(**wb);
        window.setInteractive(false);
        window.resize(1280, 800);
        window.timePicker()->setRange(model::TimeRange::absolute(kStart, kStart + 3'600'000));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.currentPage(), gui::MainWindow::Page::Explore);

        ExploreView *explore = window.explore();
        QSignalSpy finished(explore, &ExploreView::queryFinished);
        explore->queryEdit()->setFocus();
        QTest::keyClicks(explore->queryEdit(), QStringLiteral("http_requests_total{job=~\"job.*\"}"));
        QTest::keyClick(explore->queryEdit(), Qt::Key_Return, Qt::ShiftModifier);
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(explore->statusText()));
        QCOMPARE(explore->plot()->seriesCount(), 3);
        QCOMPARE(explore->plot()->legend()->count(), 3);
        QCOMPARE(explore->plot()->legend()->item(0)->text(),
                 QStringLiteral("http_requests_total{job=\"job0\"}"));
        QCOMPARE(explore->tableModel()->seriesCount(), 3);
        QVERIFY(explore->tableModel()->rowCount() > 3 * 100);

        // Dragging on the graph zooms: the picker and the query follow.
        auto *canvas = explore->plot()->canvas();
        const int x0 = int(canvas->timeToX(kStart + 600'000));
        const int x1 = int(canvas->timeToX(kStart + 1'200'000));
        const int y = canvas->plotArea().center().y();
        QTest::mousePress(canvas, Qt::LeftButton, {}, QPoint(x0, y));
        QTest::mouseMove(canvas, QPoint(x1, y));
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, QPoint(x1, y));
        const auto zoomed = window.timePicker()->range();
        QVERIFY(!zoomed.isRelative());
        QVERIFY(std::abs(zoomed.fromMs(0) - (kStart + 600'000)) < 10'000);
        QVERIFY(std::abs(zoomed.toMs(0) - (kStart + 1'200'000)) < 10'000);
        QTRY_COMPARE(finished.count(), 2);
        QCOMPARE(explore->plot()->canvas()->rangeFrom(), zoomed.fromMs(0));

        QTemporaryDir out;
        const QString png = out.filePath(QStringLiteral("explore.png"));
        QVERIFY(window.grab().save(png));
        const QImage img(png);
        QCOMPARE(img.size(), window.size());

        // Every sidebar page exists; unbuilt ones say what will come.
        window.showPage(gui::MainWindow::Page::Dashboards);
        QCOMPARE(window.currentPage(), gui::MainWindow::Page::Dashboards);
        QCOMPARE(window.sidebar()->count(), 6);
    }
};

QTEST_MAIN(TestExploreView)
#include "tst_explore_view.moc"
