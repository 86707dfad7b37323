#include "app/gui/logs/log_details_panel.h"
#include "app/gui/logs/log_line_delegate.h"
#include "app/gui/logs/log_volume_histogram.h"
#include "app/gui/logs/logs_view.h"

#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using namespace spyglass;
using namespace spyglass::gui::logs;

namespace {

constexpr std::int64_t s = 1'000'000'000;
constexpr std::int64_t t0 = 1'700'000'000LL * s;

model::Frame frame()
{
    const model::Labels stream{{QStringLiteral("job"), QStringLiteral("checkout")}};
    QList<std::int64_t> ms, ns;
    QStringList lines;
    QList<model::Labels> labels, meta, parsed;
    auto add = [&](std::int64_t t, const QString &line, const model::Labels &p, const model::Labels &m = {}) {
        ns.append(t);
        ms.append(t / 1'000'000);
        lines.append(line);
        QList<model::Label> all(stream.pairs());
        all.append(p.pairs());
        labels.append(model::Labels(all));
        meta.append(m);
        parsed.append(p);
    };
    // Newest first, as a backward query returns them.
    add(t0 + 30 * s, QStringLiteral("level=error msg=\"payment failed\" traceID=4bf92f3577b34da6 status=500"),
        {{QStringLiteral("level"), QStringLiteral("error")}, {QStringLiteral("msg"), QStringLiteral("payment failed")},
         {QStringLiteral("status"), QStringLiteral("500")}, {QStringLiteral("traceID"), QStringLiteral("4bf92f3577b34da6")}},
        {{QStringLiteral("pod"), QStringLiteral("checkout-1")}});
    add(t0 + 20 * s, QStringLiteral("level=warn msg=slow needle"), {});
    add(t0 + 10 * s, QStringLiteral("level=info msg=ok"), {});
    add(t0 + 5 * s, QStringLiteral("level=info msg=ok needle"), {});
    model::Frame f(QStringLiteral("logs"), model::FrameKind::Logs);
    f.addField(model::Field::time(QStringLiteral("Time"), ms));
    f.addField(model::Field::string(QStringLiteral("Line"), lines));
    f.addField(model::Field::labels(QStringLiteral("labels"), labels));
    f.addField(model::Field::int64(QStringLiteral("tsNs"), ns));
    f.addField(model::Field::labels(QStringLiteral("structuredMetadata"), meta));
    f.addField(model::Field::labels(QStringLiteral("parsed"), parsed));
    return f;
}

} // namespace

class TestLogsView : public QObject
{
    Q_OBJECT
private slots:
    void showsLinesAndVolume()
    {
        LogsView v;
        v.resize(900, 600);
        v.setTimeRange(t0 / 1'000'000, (t0 + 60 * s) / 1'000'000);
        v.setFrames({frame()});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QCOMPARE(v.model()->rowCount(), 4);
        QCOMPARE(v.model()->lineAt(0).left(11), QStringLiteral("level=error"));
        QCOMPARE(v.histogram()->totalLines(), 4.0);
        double errors = 0, infos = 0;
        for (int b = 0; b < v.histogram()->bucketCount(); ++b) {
            errors += v.histogram()->count(b, LogLevel::Error);
            infos += v.histogram()->count(b, LogLevel::Info);
        }
        QCOMPARE(errors, 1.0);
        QCOMPARE(infos, 2.0);
        QVERIFY(v.statusLabel()->text().startsWith(QStringLiteral("4 lines")));
        // A metric query's counts replace the loaded lines' counts.
        model::Frame vol = model::Frame::timeSeries({{QStringLiteral("level"), QStringLiteral("warn")}},
                                                    {{t0 / 1'000'000, 7}, {t0 / 1'000'000 + 30000, 5}});
        v.setVolumeFrames({vol});
        QCOMPARE(v.histogram()->totalLines(), 12.0);
    }

    void expandShowsFieldsAndFilters()
    {
        LogsView v;
        v.resize(900, 600);
        v.setFrames({frame()});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy filter(&v, &LogsView::filterRequested);
        QSignalSpy scoped(&v, &LogsView::scopedFilterRequested);
        v.expandRow(0);
        QCOMPARE(v.expandedRow(), 0);
        QVERIFY(v.detailsPanel()->isVisible());
        auto *details = v.detailsPanel();
        QCOMPARE(details->rowsOf(QStringLiteral("Labels")), QStringList{QStringLiteral("job=checkout")});
        QCOMPARE(details->rowsOf(QStringLiteral("Structured metadata")), QStringList{QStringLiteral("pod=checkout-1")});
        QVERIFY(details->rowsOf(QStringLiteral("Parsed fields")).contains(QStringLiteral("status=500")));
        QCOMPARE(details->rowsOf(QStringLiteral("Links")), QStringList{QStringLiteral("traceID=4bf92f3577b34da6")});

        auto *plus = details->findChild<QToolButton *>(QStringLiteral("filterFor:status"));
        QVERIFY(plus);
        plus->click();
        QCOMPARE(filter.count(), 1);
        QCOMPARE(filter[0][0].toString(), QStringLiteral("status"));
        QCOMPARE(filter[0][1].toString(), QStringLiteral("500"));
        QCOMPARE(filter[0][2].toBool(), true);
        QCOMPARE(scoped[0][3].value<FilterScope>(), FilterScope::Pipeline);
        auto *minus = details->findChild<QToolButton *>(QStringLiteral("filterOut:job"));
        QVERIFY(minus);
        minus->click();
        QCOMPARE(filter[1][2].toBool(), false);
        QCOMPARE(scoped[1][3].value<FilterScope>(), FilterScope::Stream);

        // A line without parsed fields shows the fields detected in it.
        v.expandRow(2);
        QCOMPARE(details->rowsOf(QStringLiteral("Detected fields (logfmt)")),
                 (QStringList{QStringLiteral("level=info"), QStringLiteral("msg=ok")}));
        v.expandRow(-1);
        QVERIFY(!v.detailsPanel()->isVisible());
    }

    void clickingATraceIdEmitsTheLink()
    {
        LogsView v;
        v.resize(1400, 500);
        v.setFrames({frame()});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy link(&v, &LogsView::traceLinkActivated);
        QListView *list = v.listView();
        const QModelIndex idx = v.model()->index(0);
        const QRect r = list->visualRect(idx);
        QStyleOptionViewItem option;
        option.initFrom(list);
        option.font = list->font();
        option.fontMetrics = QFontMetrics(list->font());
        option.rect = r;
        int hit = -1;
        for (int x = r.left(); x < r.right(); x += 2)
            if (v.delegate()->linkAt(option, idx, QPoint(x, r.center().y()))) {
                hit = x;
                break;
            }
        QVERIFY2(hit >= 0, "the trace id is drawn as a link");
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, QPoint(hit + 3, r.center().y()));
        QCOMPARE(link.count(), 1);
        QCOMPARE(link[0][0].toString(), QStringLiteral("4bf92f3577b34da6"));
        // Clicking elsewhere on the line expands it instead.
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, QPoint(r.left() + 30, r.center().y()));
        QCOMPARE(link.count(), 1);
        QCOMPARE(v.expandedRow(), 0);
        // The details offer the same link.
        auto *open = v.detailsPanel()->findChild<QPushButton *>(QStringLiteral("openTrace:4bf92f3577b34da6"));
        QVERIFY(open);
        open->click();
        QCOMPARE(link.count(), 2);
    }

    void loadMoreFollowsTheOrder()
    {
        LogsView v;
        v.setFrames({frame()});
        QSignalSpy more(&v, &LogsView::loadMoreRequested);
        v.loadMoreButton()->click();
        QCOMPARE(more.count(), 1);
        QCOMPARE(more[0][0].toLongLong(), t0 + 5 * s); // older than the oldest shown
        QCOMPARE(more[0][1].toLongLong(), 0);
        v.orderCombo()->setCurrentIndex(1);
        QCOMPARE(v.model()->order(), LogsModel::Order::OldestFirst);
        v.loadMoreButton()->click();
        QCOMPARE(more[1][0].toLongLong(), 0);
        QCOMPARE(more[1][1].toLongLong(), t0 + 30 * s);
    }

    void searchMovesBetweenMatches()
    {
        LogsView v;
        v.setFrames({frame()});
        v.setSearchText(QStringLiteral("needle"));
        QCOMPARE(v.findNext(true), 1);
        QCOMPARE(v.findNext(true), 3);
        QCOMPARE(v.findNext(true), 1);
        QCOMPARE(v.findNext(false), 3);
        v.setSearchText(QStringLiteral("absent"));
        QCOMPARE(v.findNext(true), -1);
    }

    void dedupFromTheCombo()
    {
        LogsView v;
        v.setFrames({frame()});
        v.dedupCombo()->setCurrentIndex(int(LogsModel::Dedup::Signature));
        // No two consecutive lines share a signature here ("= =" vs "= = "), so nothing folds.
        QCOMPARE(v.model()->dedup(), LogsModel::Dedup::Signature);
        QCOMPARE(v.model()->totalLines(), 4);
        v.dedupCombo()->setCurrentIndex(int(LogsModel::Dedup::None));
        QCOMPARE(v.model()->rowCount(), 4);
    }

    void dragInTheHistogramSelectsTime()
    {
        LogsView v;
        v.resize(900, 600);
        v.setTimeRange(t0 / 1'000'000, (t0 + 60 * s) / 1'000'000);
        v.setFrames({frame()});
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy range(&v, &LogsView::timeRangeSelected);
        auto *h = v.histogram();
        const int y = h->height() / 2;
        QTest::mousePress(h, Qt::LeftButton, {}, QPoint(200, y));
        QTest::mouseMove(h, QPoint(400, y));
        QTest::mouseRelease(h, Qt::LeftButton, {}, QPoint(400, y));
        QCOMPARE(range.count(), 1);
        const auto from = range[0][0].toLongLong(), to = range[0][1].toLongLong();
        QVERIFY(from < to);
        QVERIFY(from >= t0 / 1'000'000);
        QVERIFY(to <= (t0 + 61 * s) / 1'000'000);
        // A click is not a drag.
        QTest::mouseClick(h, Qt::LeftButton, {}, QPoint(300, y));
        QCOMPARE(range.count(), 1);
    }

    void liveControls()
    {
        LogsView v;
        QSignalSpy live(&v, &LogsView::liveTailToggled);
        QSignalSpy pause(&v, &LogsView::pauseToggled);
        v.liveButton()->click();
        QCOMPARE(live.count(), 1);
        QVERIFY(v.isLive());
        QVERIFY(v.pauseButton()->isEnabled());
        v.setTailRate(12.0);
        QVERIFY(v.rateLabel()->text().contains(QStringLiteral("12")));
        v.pauseButton()->click();
        QCOMPARE(pause.count(), 1);
        QVERIFY(v.isPaused());
        v.liveButton()->click();
        QVERIFY(!v.isLive());
        QVERIFY(v.rateLabel()->text().isEmpty());
    }
};

QTEST_MAIN(TestLogsView)
#include "tst_logs_view.moc"
