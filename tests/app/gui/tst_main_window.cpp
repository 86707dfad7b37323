#include "app/gui/datasources_view.h"
#include "app/gui/explore/explore_view.h"
#include "app/gui/main_window.h"
#include "app/gui/traces/traces_page.h"
#include "app/gui/lab/lab_view.h"
#include "app/gui/placeholder_view.h"
#include "app/gui/widgets/time_range_picker.h"
#include "app/gui/workbench.h"
#include "core/store/storage.h"

#include <QFile>
#include <QImage>
#include <QMimeData>
#include <QProcess>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

using namespace spyglass;

namespace {

constexpr qint64 kStartSec = 1'700'000'000;

// An OpenMetrics file: `series` gauges with `points` samples 15 s apart.
QByteArray openMetrics(int series, int points)
{
    QByteArray out = "# TYPE demo_value gauge\n";
    for (int s = 0; s < series; ++s)
        for (int i = 0; i < points; ++i)
            out += QStringLiteral("demo_value{job=\"j%1\"} %2 %3\n")
                       .arg(s)
                       .arg(s * 10 + (i % 17))
                       .arg(kStartSec + i * 15)
                       .toUtf8();
    out += "# EOF\n";
    return out;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<gui::Workbench> m_wb;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        gui::Workbench::Options options;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        options.extraPluginDirs = {QStringLiteral(SPYGLASS_PLUGIN_DIR)};
        auto wb = gui::Workbench::open(options);
        QVERIFY2(wb.has_value(), wb ? "" : qPrintable(wb.error().toString()));
        m_wb = std::move(*wb);
    }

    void importGoodAndBadFiles()
    {
        const QString good = m_dir.filePath(QStringLiteral("good.om"));
        const QString bad = m_dir.filePath(QStringLiteral("bad.om"));
        QVERIFY(writeFile(good, openMetrics(3, 100)));
        QVERIFY(writeFile(bad, "# TYPE x gauge\nx{a=\"1\"} 1 1700000000\nx{a=\"2\" 2\n# EOF\n"));

        gui::MainWindow window(*m_wb);
        window.setInteractive(false);
        QSignalSpy done(&window, &gui::MainWindow::importFinished);
        window.importFiles({good, bad});
        QTRY_COMPARE(done.count(), 1);
        QCOMPARE(done.at(0).at(0).toBool(), false);
        QVERIFY2(window.statusMessage().contains(QStringLiteral("3 series, 300 samples")),
                 qPrintable(window.statusMessage()));
        QVERIFY(window.statusMessage().contains(QStringLiteral("1 file(s) refused")));
        // The error names the file and the line.
        QVERIFY2(window.lastImportErrors().startsWith(bad + QStringLiteral(":3")),
                 qPrintable(window.lastImportErrors()));

        // The store has the good file's data; the time range moved to it.
        auto stats = m_wb->storage().metrics().stats();
        QVERIFY(stats.has_value());
        QCOMPARE(stats->series, 3);
        QCOMPARE(stats->samples, 300);
        const auto range = window.timePicker()->range();
        QVERIFY(!range.isRelative());
        QVERIFY(range.fromMs(0) <= kStartSec * 1000);
        QVERIFY(range.toMs(0) >= (kStartSec + 99 * 15) * 1000);
    }

    void dropImportsFiles()
    {
        const QString file = m_dir.filePath(QStringLiteral("dropped.om"));
        QVERIFY(writeFile(file, openMetrics(1, 10).replace("demo_value", "dropped_value")));
        gui::MainWindow window(*m_wb);
        window.setInteractive(false);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy done(&window, &gui::MainWindow::importFinished);

        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(file), QUrl(QStringLiteral("https://example.com/x"))});
        const QPoint pos = window.rect().center();
        QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&window, &drop);
        QTRY_COMPARE(done.count(), 1);
        QCOMPARE(done.at(0).at(0).toBool(), true);
        auto matcher = model::LabelMatcher::create(model::LabelMatcher::Op::Equal, QStringLiteral("__name__"),
                                                   QStringLiteral("dropped_value"));
        QVERIFY(matcher.has_value());
        auto refs = m_wb->storage().metrics().select({*matcher});
        QVERIFY(refs.has_value());
        QCOMPARE(refs->size(), 1);

        // Dragging something that is not a local file is refused.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(pos, Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        refused.setAccepted(false);
        QCoreApplication::sendEvent(&window, &refused);
        QVERIFY(!refused.isAccepted());
    }

    void pagesAndDatasources()
    {
        gui::MainWindow window(*m_wb);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showPage(gui::MainWindow::Page::Lab);
        auto *stack = window.findChild<QStackedWidget *>();
        QVERIFY(stack);
        auto *labView = qobject_cast<gui::lab::LabView *>(stack->currentWidget());
        QVERIFY(labView);
        QVERIFY(!labView->isRunning());

        window.showPage(gui::MainWindow::Page::Datasources);
        gui::DatasourcesView *ds = window.datasourcesView();
        QCOMPARE(stack->currentWidget(), ds);
        QVERIFY(ds->datasourceList()->topLevelItemCount() >= 1);
        QCOMPARE(ds->datasourceList()->topLevelItem(0)->text(1), QStringLiteral("local"));
        bool localLoaded = false;
        for (int i = 0; i < ds->pluginList()->topLevelItemCount(); ++i) {
            auto *item = ds->pluginList()->topLevelItem(i);
            if (item->text(0) == u"local" && item->text(4).startsWith(u"loaded"))
                localLoaded = true;
        }
        QVERIFY(localLoaded);
        QSignalSpy checked(ds, &gui::DatasourcesView::healthChecked);
        ds->checkHealth();
        QTRY_COMPARE(checked.count(), 1);
        QVERIFY2(ds->datasourceList()->topLevelItem(0)->text(3).startsWith(QStringLiteral("ok")),
                 qPrintable(ds->datasourceList()->topLevelItem(0)->text(3)));
    }

    // The trace viewer's jumps land in Explore in the right language and window.
    void traceJumpsOpenExplore()
    {
        gui::MainWindow window(*m_wb);
        auto *traces = window.findChild<gui::traces::TracesPage *>();
        QVERIFY(traces);
        const QString logql = QStringLiteral(R"({service_name="mythical-server"} |= "abc123")");
        emit traces->logsRequested(logql, 1'000'000'000'000'000'000LL, 1'000'000'060'000'000'000LL);
        QCOMPARE(window.currentPage(), gui::MainWindow::Page::Explore);
        QCOMPARE(window.explore()->queryLanguage(), gui::explore::ExploreView::QueryLanguage::LogQL);
        QCOMPARE(window.explore()->query(), logql);

        const QString promql = QStringLiteral("sum(rate(traces_spanmetrics_calls_total[5m]))");
        emit traces->metricsRequested(promql, 1'000'000'000'000'000'000LL, 1'000'000'060'000'000'000LL);
        QCOMPARE(window.explore()->queryLanguage(), gui::explore::ExploreView::QueryLanguage::PromQL);
        QCOMPARE(window.explore()->query(), promql);
    }

    // `spyglass --screenshot` as the docs and CI use it.
    void screenshotExecutable()
    {
        const QString exe = QStringLiteral(SPYGLASS_BINARY_DIR "/app/gui/spyglass");
        if (!QFile::exists(exe))
            QFAIL(qPrintable(QStringLiteral("build the spyglass target first: %1 is missing").arg(exe)));
        const QString file = m_dir.filePath(QStringLiteral("shot.om"));
        QVERIFY(writeFile(file, openMetrics(4, 200)));
        const QString png = m_dir.filePath(QStringLiteral("shot.png"));

        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("SPYGLASS_PLUGIN_PATH"), QStringLiteral(SPYGLASS_PLUGIN_DIR));
        p.setProcessEnvironment(env);
        p.start(exe, {QStringLiteral("--data"), m_dir.filePath(QStringLiteral("shotdata")),
                      QStringLiteral("--import"), file, QStringLiteral("--query"), QStringLiteral("demo_value"),
                      QStringLiteral("--size"), QStringLiteral("1200x760"), QStringLiteral("--screenshot"), png});
        QVERIFY(p.waitForFinished(120'000));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 p.readAllStandardError().constData());
        const QImage img(png);
        QVERIFY(!img.isNull());
        QCOMPARE(img.size(), QSize(1200, 760));

        // The graph is there: pixels in the first series' colour (#7EB26D).
        int green = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) {
                const QColor c = img.pixelColor(x, y);
                green += (std::abs(c.hsvHue() - QColor(0x7E, 0xB2, 0x6D).hsvHue()) <= 8 &&
                          c.hsvSaturation() > 60 && c.value() > 60);
            }
        QVERIFY2(green > 200, qPrintable(QString::number(green)));

        // A bad file fails the run (non-zero) but still writes the picture.
        const QString bad = m_dir.filePath(QStringLiteral("bad-shot.om"));
        QVERIFY(writeFile(bad, "garbage here\n"));
        const QString png2 = m_dir.filePath(QStringLiteral("shot2.png"));
        p.start(exe, {QStringLiteral("--data"), m_dir.filePath(QStringLiteral("shotdata")),
                      QStringLiteral("--import"), bad, QStringLiteral("--screenshot"), png2});
        QVERIFY(p.waitForFinished(120'000));
        QCOMPARE(p.exitCode(), 3);
        QVERIFY(p.readAllStandardError().contains("bad-shot.om:1"));
        QVERIFY(!QImage(png2).isNull());

        // Bad arguments are refused up front.
        p.start(exe, {QStringLiteral("--size"), QStringLiteral("huge"), QStringLiteral("--screenshot"), png2});
        QVERIFY(p.waitForFinished(60'000));
        QCOMPARE(p.exitCode(), 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
