// The Lab page driving the demo system through the workbench's loopback
// receivers: start fills the counters, the endpoints shown accept OTLP,
// controls reach the lab, shortcuts ask for Explore, stop stops.
// With SPYGLASS_SCREENSHOT_DIR set, the page is also saved as lab.png there.

#include "app/gui/lab/lab_view.h"
#include "app/gui/workbench.h"
#include "core/ingest/blocking_http_client.h"
#include "core/lab/lab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace spyglass;
using spyglass::gui::lab::LabView;

namespace {
qint64 count(const LabView &v, const char *signal)
{
    QString t = v.counterText(QString::fromLatin1(signal));
    t.remove(QLocale().groupSeparator());
    return t.toLongLong();
}
} // namespace

class TestLabView : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<gui::Workbench> m_wb;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        gui::Workbench::Options options;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        auto wb = gui::Workbench::open(options);
        QVERIFY2(wb.has_value(), wb ? "" : qPrintable(wb.error().toString()));
        m_wb = std::move(*wb);
    }

    void startControlStop()
    {
        LabView view(*m_wb);
        view.resize(1280, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(!view.isRunning());
        QCOMPARE(count(view, "requests"), 0);
        QVERIFY(view.httpEndpoint().isEmpty());

        auto *startStop = view.findChild<QPushButton *>(QStringLiteral("labStartStop"));
        QVERIFY(startStop);
        QCOMPARE(startStop->text(), QStringLiteral("Start"));
        QTest::mouseClick(startStop, Qt::LeftButton);
        QCOMPARE(startStop->text(), QStringLiteral("Stop"));
        QVERIFY(m_wb->lab());
        QVERIFY(!view.httpEndpoint().isEmpty());

        // The backfill crosses the receivers; wait until it is done and live.
        QTRY_VERIFY_WITH_TIMEOUT(view.isRunning() && !m_wb->labBackfilling(), 120'000);
        QTRY_VERIFY(count(view, "requests") > 1000);
        QVERIFY(count(view, "spans") > 3 * count(view, "requests") / 2);
        QVERIFY(count(view, "samples") > 0);
        QVERIFY(count(view, "exemplars") > 0);
        QVERIFY(count(view, "logs") > 0);
        QVERIFY(count(view, "profiles") > 0);

        // The address shown is a live OTLP receiver an SDK can use.
        const QUrl http(view.httpEndpoint());
        QCOMPARE(http.host(), QStringLiteral("127.0.0.1"));
        ingest::BlockingHttpClient client(http.host(), quint16(http.port()));
        auto reply = client.post("/v1/traces", "application/json", "{}");
        QVERIFY2(reply, qPrintable(reply ? QString() : reply.error().toString()));
        QCOMPARE(reply->status, 200);
        QVERIFY(view.grpcEndpoint().startsWith(QStringLiteral("127.0.0.1:")));

        // Controls reach the lab.
        view.findChild<QDoubleSpinBox *>(QStringLiteral("labRps"))->setValue(12.5);
        view.findChild<QComboBox *>(QStringLiteral("labSlowEndpoint"))->setCurrentIndex(4); // /owlbear
        view.findChild<QCheckBox *>(QStringLiteral("labCpuHotLoop"))->setChecked(true);
        view.findChild<QDoubleSpinBox *>(QStringLiteral("labErrorRate"))->setValue(20);
        QCOMPARE(m_wb->lab()->options().requestsPerSecond, 12.5);
        const auto faults = m_wb->lab()->faults();
        QCOMPARE(faults.slowEndpoint, QStringLiteral("/owlbear"));
        QCOMPARE(faults.addedLatencyMs, 800.0);
        QVERIFY(faults.cpuHotLoop);
        QVERIFY(!faults.memoryLeak);
        QCOMPARE(faults.errorRate, 0.2);

        // Shortcuts.
        QSignalSpy explore(&view, &LabView::openInExplore);
        QPushButton *shortcut = nullptr;
        for (auto *b : view.findChildren<QPushButton *>())
            if (b->text() == LabView::exploreShortcuts().front().first)
                shortcut = b;
        QVERIFY(shortcut);
        QTest::mouseClick(shortcut, Qt::LeftButton);
        QCOMPARE(explore.size(), 1);
        QVERIFY(explore.front().front().toString().contains(QStringLiteral("mythical_request_times_bucket")));

        view.refresh();
        if (const QByteArray dir = qgetenv("SPYGLASS_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(view.grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/lab.png")));

        QTest::mouseClick(startStop, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!view.isRunning(), 30'000);
        QTRY_COMPARE(startStop->text(), QStringLiteral("Start"));
        QTRY_VERIFY(view.findChild<QLabel *>(QStringLiteral("labState"))->text().contains(QStringLiteral("stopped")));
    }
};

QTEST_MAIN(TestLabView)
#include "tst_lab_view.moc"
