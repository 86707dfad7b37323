#include "app/gui/import_controller.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace spyglass;
using spyglass::gui::ImportController;
using spyglass::gui::ImportFileResult;
using spyglass::gui::ImportSummary;

class TestImportController : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<QList<ImportFileResult>>(); }

    void importsFilesInOrderOffTheGuiThread()
    {
        QThread *guiThread = QThread::currentThread();
        std::atomic<bool> ranOnGui{false};
        ImportController c([&](const QString &file, const ImportController::ProgressFunction &progress,
                               const CancelToken &) -> Result<ImportSummary> {
            if (QThread::currentThread() == guiThread)
                ranOnGui = true;
            for (int i = 0; i <= 10; ++i)
                progress(i * 100, 1000);
            if (file.endsWith(u"bad.txt"))
                return fail(Error::at(file, 7, 12, QStringLiteral("expected a value")));
            ImportSummary s;
            s.series = 2;
            s.samples = 20;
            s.minTime = 1000;
            s.maxTime = 5000;
            return s;
        });
        QSignalSpy progress(&c, &ImportController::progress);
        QSignalSpy finished(&c, &ImportController::finished);
        QVERIFY(c.start({QStringLiteral("/x/a.txt"), QStringLiteral("/x/bad.txt"), QStringLiteral("/x/c.txt")}));
        QVERIFY(c.isRunning());
        QVERIFY(!c.start({QStringLiteral("/x/d.txt")})); // one import at a time
        QTRY_COMPARE(finished.count(), 1);
        QVERIFY(!c.isRunning());
        QVERIFY(!ranOnGui);
        QCOMPARE(finished.at(0).at(1).toBool(), false);
        const auto results = c.lastResults();
        QCOMPARE(results.size(), 3);
        QVERIFY(results[0].ok);
        QCOMPARE(results[0].summary.samples, 20);
        QVERIFY(!results[1].ok);
        QCOMPARE(results[1].error.toString(), QStringLiteral("/x/bad.txt:7:12: expected a value"));
        QVERIFY(results[2].ok);

        // Progress is per mille over all files, never goes back, reaches the end.
        QVERIFY(progress.count() >= 3);
        int last = -1;
        for (const auto &args : progress) {
            const int v = args.at(0).toInt();
            QVERIFY(v >= last);
            QVERIFY(v >= 0 && v <= 1000);
            last = v;
        }
        QCOMPARE(last, 1000);
        QCOMPARE(progress.last().at(1).toString(), QStringLiteral("c.txt"));
        QCOMPARE(progress.last().at(3).toInt(), 3);
    }

    void cancelStopsBetweenAndWithinFiles()
    {
        QSemaphore entered;
        ImportController c([&](const QString &, const ImportController::ProgressFunction &,
                               const CancelToken &cancel) -> Result<ImportSummary> {
            entered.release();
            while (!cancel.isCancelled())
                QThread::msleep(1);
            return fail(Error::cancelled());
        });
        QSignalSpy finished(&c, &ImportController::finished);
        QVERIFY(c.start({QStringLiteral("a"), QStringLiteral("b")}));
        entered.acquire();
        c.cancel();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(1).toBool(), true);
        QCOMPARE(c.lastResults().size(), 1); // b never started
        QCOMPARE(c.lastResults().at(0).error.kind, Error::Kind::Cancelled);
        // Ready for the next one.
        QVERIFY(c.start({QStringLiteral("c")}));
        entered.acquire();
        c.cancel();
        QTRY_VERIFY(!c.isRunning());
    }

    void destroyingWhileRunningIsSafe()
    {
        QSemaphore entered;
        auto *c = new ImportController([&](const QString &, const ImportController::ProgressFunction &p,
                                           const CancelToken &cancel) -> Result<ImportSummary> {
            entered.release();
            while (!cancel.isCancelled())
                p(1, 2);
            return fail(Error::cancelled());
        });
        QVERIFY(c->start({QStringLiteral("a")}));
        entered.acquire();
        delete c; // cancels and waits
        QCoreApplication::processEvents();
    }
};

QTEST_GUILESS_MAIN(TestImportController)
#include "tst_import_controller.moc"
