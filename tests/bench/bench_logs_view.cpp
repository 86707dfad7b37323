// The logs view with 1,000,000 lines loaded (QBENCHMARK, run by hand or by
// scripts/bench-logs; QT_QPA_PLATFORM=offscreen): building the model and
// the volume histogram from the frame, the first paint, and one scroll step
// (a page down plus its repaint).

#include "app/gui/logs/log_volume_histogram.h"
#include "app/gui/logs/logs_view.h"

#include <QListView>
#include <QScrollBar>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::logs;

namespace {

model::Frame bigFrame(int lines)
{
    QList<std::int64_t> ms, ns;
    QStringList text;
    QList<model::Labels> labels, empty;
    ms.reserve(lines);
    ns.reserve(lines);
    text.reserve(lines);
    labels.reserve(lines);
    empty.reserve(lines);
    const model::Labels stream{{QStringLiteral("job"), QStringLiteral("x")}};
    static const char *levels[] = {"info", "info", "info", "debug", "warn", "error"};
    const std::int64_t t0 = 1'767'225'600LL * 1'000'000'000;
    for (int i = 0; i < lines; ++i) {
        // Newest first, as a backward query returns them.
        const std::int64_t t = t0 + std::int64_t(lines - i) * 3'000'000;
        ns.append(t);
        ms.append(t / 1'000'000);
        text.append(QStringLiteral("ts=%1 level=%2 method=GET path=/api/cart status=200 duration=%3ms traceID=%4 "
                                   "msg=\"request served\"")
                        .arg(t / 1'000'000)
                        .arg(QLatin1String(levels[i % 6]))
                        .arg(i % 977)
                        .arg(std::uint64_t(i) * 0x9E3779B97F4A7C15ULL, 16, 16, QLatin1Char('0')));
        labels.append(stream);
        empty.append(model::Labels{});
    }
    model::Frame f(QStringLiteral("logs"), model::FrameKind::Logs);
    f.addField(model::Field::time(QStringLiteral("Time"), ms));
    f.addField(model::Field::string(QStringLiteral("Line"), text));
    f.addField(model::Field::labels(QStringLiteral("labels"), labels));
    f.addField(model::Field::int64(QStringLiteral("tsNs"), ns));
    f.addField(model::Field::labels(QStringLiteral("structuredMetadata"), empty));
    f.addField(model::Field::labels(QStringLiteral("parsed"), empty));
    return f;
}

} // namespace

class BenchLogsView : public QObject
{
    Q_OBJECT
    model::Frame m_frame;

private slots:
    void initTestCase()
    {
        const int lines = qEnvironmentVariableIntValue("SPYGLASS_BENCH_LINES") > 0
                              ? qEnvironmentVariableIntValue("SPYGLASS_BENCH_LINES")
                              : 1'000'000;
        m_frame = bigFrame(lines);
        qInfo("lines: %lld", (long long)m_frame.rowCount());
    }

    void setFrames()
    {
        LogsView v;
        v.resize(1400, 900);
        QBENCHMARK {
            v.setFrames({m_frame});
        }
        QCOMPARE(v.model()->totalLines(), m_frame.rowCount());
    }

    void firstPaint()
    {
        QBENCHMARK {
            LogsView v;
            v.resize(1400, 900);
            v.setFrames({m_frame});
            v.show();
            // grab() paints the whole widget tree once, as the first frame does.
            const QPixmap pm = v.grab();
            QVERIFY(!pm.isNull());
        }
    }

    void scrollFrame()
    {
        LogsView v;
        v.resize(1400, 900);
        v.setFrames({m_frame});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QScrollBar *bar = v.listView()->verticalScrollBar();
        int value = 0;
        QBENCHMARK {
            value = (value + bar->pageStep()) % std::max(1, bar->maximum());
            bar->setValue(value);
            v.listView()->viewport()->repaint();
        }
    }
};

QTEST_MAIN(BenchLogsView)
#include "bench_logs_view.moc"
