#include "app/gui/explore/explore_view.h"
#include "app/gui/explore/explore_workspace.h"
#include "app/gui/explore/query_history.h"
#include "app/gui/explore/query_history_panel.h"
#include "app/gui/widgets/promql_editor.h"
#include "app/gui/widgets/time_series_plot.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMouseEvent>
#include <QMutex>
#include <QPushButton>
#include <QSignalSpy>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QToolButton>
#include <atomic>

using namespace spyglass;
using spyglass::gui::explore::DatasourceEntry;
using spyglass::gui::explore::ExploreView;
using spyglass::gui::explore::ExploreWorkspace;
using spyglass::gui::explore::QueryHistory;

namespace {

constexpr model::TimestampMs kStart = 1'700'000'000'000LL;

// Two series per query, named by the legend format when one is given (as
// the local and Prometheus plugins do); records requests and the threads
// its look-ups run on.
class FakeDatasource : public datasource::Datasource
{
public:
    explicit FakeDatasource(QString uid) : m_settings{uid, uid, QStringLiteral("fake"), {}, false, {}, {}} {}

    QMutex mutex;
    QList<datasource::QueryRequest> requests;
    std::atomic<int> lookups{0};
    std::atomic<bool> lookupOnGuiThread{false};

    const datasource::DatasourceSettings &settings() const override { return m_settings; }
    datasource::Capabilities capabilities() const override { return datasource::Capability::Metrics; }
    Result<model::Frames> query(const datasource::QueryRequest &request, const CancelToken &) override
    {
        {
            QMutexLocker lock(&mutex);
            requests.push_back(request);
        }
        model::Frames frames;
        for (int i = 0; i < 2; ++i) {
            QList<model::Sample> samples;
            for (int k = 0; k <= 60; ++k)
                samples.push_back({request.from + k * 60'000, double(i + 1)});
            const model::Labels labels{{QStringLiteral("__name__"), QStringLiteral("up")},
                                       {QStringLiteral("job"), QStringLiteral("job%1").arg(i)}};
            model::Frame f = model::Frame::timeSeries(labels, samples);
            const QString legend = request.options.value(QStringLiteral("legendFormat")).toString();
            if (!legend.isEmpty())
                f.setName(QString(legend).replace(QStringLiteral("{{job}}"), labels.value(u"job")));
            frames.push_back(f);
        }
        return frames;
    }
    Result<QStringList> labelNames(const CancelToken &) override
    {
        noteLookup();
        return QStringList{QStringLiteral("__name__"), QStringLiteral("job"), QStringLiteral("instance")};
    }
    Result<QStringList> labelValues(const QString &label, const CancelToken &) override
    {
        noteLookup();
        if (label == u"__name__")
            return QStringList{QStringLiteral("up"), QStringLiteral("http_requests_total")};
        if (label == u"job")
            return QStringList{QStringLiteral("job1"), QStringLiteral("job0")};
        return fail(Error::io(QStringLiteral("no values for %1").arg(label)));
    }
    Result<QString> checkHealth(const CancelToken &) override { return QStringLiteral("fake"); }

    datasource::QueryRequest lastRequest()
    {
        QMutexLocker lock(&mutex);
        return requests.isEmpty() ? datasource::QueryRequest() : requests.back();
    }

private:
    void noteLookup()
    {
        ++lookups;
        if (QThread::currentThread() == qApp->thread())
            lookupOnGuiThread = true;
    }
    datasource::DatasourceSettings m_settings;
};

void hoverAt(QWidget *w, QPoint pos)
{
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), QPointF(w->mapToGlobal(pos)), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(w, &move);
}

struct Fixture
{
    std::shared_ptr<FakeDatasource> a = std::make_shared<FakeDatasource>(QStringLiteral("a"));
    std::shared_ptr<FakeDatasource> b = std::make_shared<FakeDatasource>(QStringLiteral("b"));
    QList<DatasourceEntry> entries{{QStringLiteral("a"), QStringLiteral("A"), a, {}},
                                   {QStringLiteral("b"), QStringLiteral("B"), b, {}}};
};

} // namespace

class TestExploreWorkspace : public QObject
{
    Q_OBJECT
private slots:
    void optionsReachTheDatasource()
    {
        Fixture fx;
        ExploreView view;
        view.resize(1000, 700);
        view.setDatasources(fx.entries, QStringLiteral("a"));
        view.setTimeRange(model::TimeRange::absolute(kStart, kStart + 3'600'000));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy finished(&view, &ExploreView::queryFinished);

        view.setQuery(QStringLiteral("up"));
        view.runQuery();
        QTRY_COMPARE(finished.count(), 1);
        auto r = fx.a->lastRequest();
        QVERIFY(!r.options.contains(QStringLiteral("legendFormat")));
        QCOMPARE(r.stepMs, 0);
        const int fullPoints = r.maxDataPoints;
        QCOMPARE(view.plot()->series(0).name, QStringLiteral("up{job=\"job0\"}"));

        // Legend format, resolution and min step.
        view.legendEdit()->setText(QStringLiteral("{{job}} requests"));
        view.setResolution(2);
        view.minStepEdit()->setText(QStringLiteral("5m"));
        view.runQuery();
        QTRY_COMPARE(finished.count(), 2);
        r = fx.a->lastRequest();
        QCOMPARE(r.options.value(QStringLiteral("legendFormat")).toString(), QStringLiteral("{{job}} requests"));
        QCOMPARE(r.maxDataPoints, fullPoints / 2);
        QCOMPARE(r.stepMs, 300'000); // 1 h / (points) is below 5 m: the minimum wins
        QCOMPARE(view.plot()->series(0).name, QStringLiteral("job0 requests"));
        QCOMPARE(view.plot()->series(1).name, QStringLiteral("job1 requests"));

        // A bad min step is an error before anything is sent.
        view.minStepEdit()->setText(QStringLiteral("fast"));
        const int before = int(fx.a->requests.size());
        view.runQuery();
        QVERIFY(view.statusText().contains(QStringLiteral("Min step")));
        QCOMPARE(int(fx.a->requests.size()), before);

        // Graph style.
        view.styleCombo()->setCurrentIndex(2);
        QCOMPARE(view.plot()->drawStyle(), gui::widgets::DrawStyle::StackedArea);
    }

    void completionDataComesFromTheDatasourceOffThread()
    {
        Fixture fx;
        ExploreView view;
        view.resize(900, 600);
        view.setDatasources(fx.entries, QStringLiteral("a"));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *editor = view.queryEdit();
        editor->setFocus();
        QTRY_VERIFY(fx.a->lookups.load() >= 2); // label names and metric names, on focus
        QVERIFY(!fx.a->lookupOnGuiThread.load());

        QTest::keyClicks(editor, QStringLiteral("http"));
        QTRY_VERIFY(editor->isCompletionVisible());
        QCOMPARE(editor->visibleCompletions(), QStringList{QStringLiteral("http_requests_total")});
        editor->acceptCompletion(0);
        QTest::keyClicks(editor, QStringLiteral("{"));
        QTRY_VERIFY(editor->isCompletionVisible());
        QCOMPARE(editor->visibleCompletions(), (QStringList{QStringLiteral("instance"), QStringLiteral("job")}));
        editor->acceptCompletion(1);
        // Values of "job" are fetched when first needed, then shown sorted.
        QTRY_COMPARE(editor->visibleCompletions(), (QStringList{QStringLiteral("job0"), QStringLiteral("job1")}));
        editor->acceptCompletion(0);
        QCOMPARE(view.query(), QStringLiteral("http_requests_total{job=\"job0\"}"));
        QVERIFY(!fx.a->lookupOnGuiThread.load());

        // Cached: asking again does not reach the datasource.
        const int lookups = fx.a->lookups.load();
        editor->setPlainText(QStringLiteral("up{job=\""));
        editor->moveCursor(QTextCursor::End);
        editor->showCompletions();
        QCOMPARE(editor->visibleCompletions(), (QStringList{QStringLiteral("job0"), QStringLiteral("job1")}));
        QCOMPARE(fx.a->lookups.load(), lookups);

        // Another datasource: its own names.
        view.datasourceCombo()->setCurrentIndex(1);
        QTRY_VERIFY(fx.b->lookups.load() >= 2);
    }

    void parseErrorsShowUnderTheEditor()
    {
        Fixture fx;
        ExploreView view;
        view.setDatasources(fx.entries);
        view.queryEdit()->setParseDelay(10);
        view.setQuery(QStringLiteral("sum(rate(up[5m]) by (job)"));
        QTRY_VERIFY(!view.parseErrorLabel()->isHidden());
        QVERIFY2(view.parseErrorLabel()->text().startsWith(QStringLiteral("Parse error at column ")),
                 qPrintable(view.parseErrorLabel()->text()));
        QVERIFY(view.queryEdit()->errorPosition() >= 0);
        view.setQuery(QStringLiteral("sum(rate(up[5m])) by (job)"));
        QTRY_VERIFY(view.parseErrorLabel()->isHidden());
        QCOMPARE(view.queryEdit()->errorPosition(), -1);
    }

    void runsAreRecordedInTheSharedHistory()
    {
        Fixture fx;
        QTemporaryDir dir;
        QueryHistory history(dir.filePath(QStringLiteral("history.json")));
        auto *primary = new ExploreView;
        ExploreWorkspace ws(primary);
        ws.setHistory(&history);
        primary->setDatasources(fx.entries, QStringLiteral("a"));
        QSignalSpy finished(primary, &ExploreView::queryFinished);
        primary->setQuery(QStringLiteral("up"));
        primary->runQuery();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.entries().first().datasourceUid, QStringLiteral("a"));

        ExploreView *second = ws.split();
        QCOMPARE(second->history(), &history);
        second->setQuery(QStringLiteral("rate(up[5m])"));
        QSignalSpy finished2(second, &ExploreView::queryFinished);
        second->runQuery();
        QTRY_COMPARE(finished2.count(), 1);
        QCOMPARE(history.size(), 2);
        // The history panel of either pane picks a query into its editor.
        primary->historyButton()->click();
        QVERIFY(primary->isHistoryVisible());
        QCOMPARE(primary->historyPanel()->shownQueries().first(), QStringLiteral("rate(up[5m])"));
        emit primary->historyPanel()->querySelected(QStringLiteral("rate(up[5m])"));
        QCOMPARE(primary->query(), QStringLiteral("rate(up[5m])"));
        QTRY_VERIFY(history.isLoaded());
        history.waitForIo();
    }

    void splitPanesShareTimeAndCrosshair()
    {
        Fixture fx;
        auto *primary = new ExploreView;
        ExploreWorkspace ws(primary);
        ws.resize(1600, 800);
        primary->setDatasources(fx.entries, QStringLiteral("a"));
        primary->setTimeRange(model::TimeRange::absolute(kStart, kStart + 3'600'000));
        primary->setQuery(QStringLiteral("up"));
        ws.show();
        QVERIFY(QTest::qWaitForWindowExposed(&ws));

        QSignalSpy splitChanged(&ws, &ExploreWorkspace::splitChanged);
        primary->splitButton()->click();
        QCOMPARE(splitChanged.count(), 1);
        QVERIFY(ws.isSplit());
        ExploreView *second = ws.secondary();
        QVERIFY(second);
        QCOMPARE(ws.splitter()->count(), 2);
        QCOMPARE(second->query(), QStringLiteral("up"));
        QCOMPARE(second->currentDatasourceUid(), QStringLiteral("a"));
        QCOMPARE(second->splitButton()->text(), QStringLiteral("Close"));
        QVERIFY(!primary->splitButton()->isEnabled());

        // Each pane its own datasource and query.
        second->setCurrentDatasource(QStringLiteral("b"));
        second->setQuery(QStringLiteral("rate(up[5m])"));
        QSignalSpy f1(primary, &ExploreView::queryFinished);
        QSignalSpy f2(second, &ExploreView::queryFinished);
        primary->runQuery();
        second->runQuery();
        QTRY_COMPARE(f1.count(), 1);
        QTRY_COMPARE(f2.count(), 1);
        QCOMPARE(fx.a->lastRequest().expr, QStringLiteral("up"));
        QCOMPARE(fx.b->lastRequest().expr, QStringLiteral("rate(up[5m])"));

        // The global range reaches both; the second re-runs with it.
        primary->setTimeRange(model::TimeRange::absolute(kStart + 600'000, kStart + 1'200'000));
        QCOMPARE(second->timeRange().fromMs(0), kStart + 600'000);
        QTRY_COMPARE(f2.count(), 2);
        QCOMPARE(fx.b->lastRequest().from, kStart + 600'000);
        QCOMPARE(fx.b->lastRequest().to, kStart + 1'200'000);
        // Zooming in the second pane is reported like the first pane's.
        QSignalSpy zoom(primary, &ExploreView::timeRangeSelected);
        emit second->plot()->timeRangeSelected(kStart + 700'000, kStart + 800'000);
        QCOMPARE(zoom.count(), 1);

        // Crosshair: hovering the first graph puts a line at the same time in the second.
        primary->runQuery();
        QTRY_COMPARE(f1.count(), 2);
        auto *c1 = primary->plot()->canvas();
        auto *c2 = second->plot()->canvas();
        const model::TimestampMs t = kStart + 900'000;
        const QPoint hover(int(c1->timeToX(t)), c1->plotArea().center().y());
        hoverAt(c1, hover);
        QVERIFY(c2->sharedCrosshair().has_value());
        QVERIFY(std::abs(*c2->sharedCrosshair() - t) <= (c1->rangeTo() - c1->rangeFrom()) / c1->plotArea().width() + 1);
        // It is drawn: a dashed vertical line at that time's x in the second plot.
        const QImage img = c2->grab().toImage();
        const int x = int(std::round(c2->timeToX(*c2->sharedCrosshair())));
        const QColor bg = c2->palette().color(QPalette::Base);
        int differing = 0;
        for (int y = c2->plotArea().top() + 2; y < c2->plotArea().bottom() - 2; ++y)
            if (img.pixelColor(x, y) != bg)
                ++differing;
        QVERIFY2(differing > c2->plotArea().height() / 4, qPrintable(QString::number(differing)));
        // And the other way round; leaving removes it.
        hoverAt(c2, QPoint(int(c2->timeToX(t + 60'000)), c2->plotArea().center().y()));
        QVERIFY(c1->sharedCrosshair().has_value());
        QEvent leave(QEvent::Leave);
        QCoreApplication::sendEvent(c2, &leave);
        QVERIFY(!c1->sharedCrosshair().has_value());

        // Close removes the pane.
        second->splitButton()->click();
        QTRY_VERIFY(!ws.isSplit());
        QCOMPARE(splitChanged.count(), 2);
        QVERIFY(primary->splitButton()->isEnabled());
        QCOMPARE(ExploreWorkspace::of(primary), &ws);
    }
};

QTEST_MAIN(TestExploreWorkspace)
#include "tst_explore_workspace.moc"
