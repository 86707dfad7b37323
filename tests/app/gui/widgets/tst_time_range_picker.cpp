#include "app/gui/widgets/time_range_picker.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace spyglass;
using spyglass::gui::widgets::TimeRangePicker;

class TestTimeRangePicker : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<model::TimeRange>(); }

    void quickRanges()
    {
        TimeRangePicker picker;
        QCOMPARE(picker.range().fromText(), QStringLiteral("now-1h"));
        QCOMPARE(picker.rangeButton()->text(), QStringLiteral("Last 1 hour"));
        QSignalSpy spy(&picker, &TimeRangePicker::rangeChanged);
        const auto ranges = TimeRangePicker::quickRanges();
        QVERIFY(ranges.size() >= 6);
        QCOMPARE(ranges[0].label, QStringLiteral("Last 5 minutes"));
        QCOMPARE(picker.quickRangeList()->count(), ranges.size());

        picker.selectQuickRange(0);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(picker.range().fromText(), QStringLiteral("now-5m"));
        QCOMPARE(picker.range().toText(), QStringLiteral("now"));
        QCOMPARE(picker.rangeButton()->text(), QStringLiteral("Last 5 minutes"));
        const auto now = model::nowMs();
        QVERIFY(std::abs(picker.range().toMs(now) - picker.range().fromMs(now) - 300'000) < 1);

        // Selecting the same range again is not a change.
        picker.selectQuickRange(0);
        QCOMPARE(spy.count(), 1);
        // Clicking in the list works like the slot.
        picker.quickRangeList()->itemClicked(picker.quickRangeList()->item(7));
        QCOMPARE(picker.range().fromText(), QStringLiteral("now-24h"));
        QCOMPARE(spy.count(), 2);
        picker.selectQuickRange(99); // out of range: ignored
        QCOMPARE(spy.count(), 2);
    }

    void absoluteRange()
    {
        TimeRangePicker picker;
        QSignalSpy spy(&picker, &TimeRangePicker::rangeChanged);
        picker.fromEdit()->setText(QStringLiteral("2024-01-01T00:00:00Z"));
        picker.toEdit()->setText(QStringLiteral("2024-01-01T06:00:00Z"));
        picker.applyButton()->click();
        QCOMPARE(spy.count(), 1);
        QVERIFY(picker.errorLabel()->isHidden());
        const auto r = spy.at(0).at(0).value<model::TimeRange>();
        QCOMPARE(r.fromMs(0), 1704067200000LL);
        QCOMPARE(r.toMs(0), 1704067200000LL + 6 * 3'600'000LL);
        QVERIFY(!picker.range().isRelative());
        QVERIFY(picker.rangeButton()->text().contains(QStringLiteral("2024-01-01 00:00:00")));

        // Unix seconds and relative expressions are accepted too.
        picker.fromEdit()->setText(QStringLiteral("1704067200"));
        picker.toEdit()->setText(QStringLiteral("now"));
        QVERIFY(picker.applyEdited());
        QCOMPARE(picker.range().fromMs(0), 1704067200000LL);
    }

    void badExpressionShowsErrorInline()
    {
        TimeRangePicker picker;
        QSignalSpy spy(&picker, &TimeRangePicker::rangeChanged);
        picker.fromEdit()->setText(QStringLiteral("yesterday"));
        picker.toEdit()->setText(QStringLiteral("now"));
        QVERIFY(!picker.applyEdited());
        QCOMPARE(spy.count(), 0);
        QVERIFY(!picker.errorLabel()->isHidden());
        QVERIFY2(picker.errorLabel()->text().contains(QStringLiteral("yesterday")),
                 qPrintable(picker.errorLabel()->text()));
        QCOMPARE(picker.range().fromText(), QStringLiteral("now-1h"));

        picker.fromEdit()->setText(QStringLiteral("now"));
        picker.toEdit()->setText(QStringLiteral("now-1h"));
        QVERIFY(!picker.applyEdited());
        QVERIFY(picker.errorLabel()->text().contains(QStringLiteral("starts after it ends")));

        picker.fromEdit()->setText(QStringLiteral("now-6h"));
        QVERIFY(picker.applyEdited()); // now-6h .. now-1h is a valid window
        QVERIFY(picker.errorLabel()->isHidden());
        QCOMPARE(picker.range().toText(), QStringLiteral("now-1h"));
    }

    void validAfterErrorClearsIt()
    {
        TimeRangePicker picker;
        picker.fromEdit()->setText(QStringLiteral("now-"));
        QVERIFY(!picker.applyEdited());
        picker.fromEdit()->setText(QStringLiteral("now-6h"));
        picker.toEdit()->setText(QStringLiteral("now"));
        QVERIFY(picker.applyEdited());
        QVERIFY(picker.errorLabel()->isHidden());
        QCOMPARE(picker.rangeButton()->text(), QStringLiteral("Last 6 hours"));
    }

    void zoomOut()
    {
        TimeRangePicker picker;
        picker.zoomOut();
        QCOMPARE(picker.range().fromText(), QStringLiteral("now-2h"));
        QCOMPARE(picker.range().toText(), QStringLiteral("now"));

        picker.setRange(model::TimeRange::absolute(1704067200000LL, 1704067200000LL + 6 * 3'600'000LL));
        picker.zoomOut();
        QCOMPARE(picker.range().fromMs(0), 1704067200000LL - 3 * 3'600'000LL);
        QCOMPARE(picker.range().toMs(0), 1704067200000LL + 9 * 3'600'000LL);
    }

    void refresh()
    {
        TimeRangePicker picker;
        QSignalSpy spy(&picker, &TimeRangePicker::refreshRequested);
        picker.refreshButton()->click();
        QCOMPARE(spy.count(), 1);
    }

    void editorPopupOpens()
    {
        TimeRangePicker picker;
        picker.show();
        QVERIFY(QTest::qWaitForWindowExposed(&picker));
        picker.rangeButton()->click();
        QVERIFY(picker.editorPopup()->isVisible());
        QCOMPARE(picker.fromEdit()->text(), QStringLiteral("now-1h"));
        picker.selectQuickRange(1);
        QVERIFY(!picker.editorPopup()->isVisible());
    }
};

QTEST_MAIN(TestTimeRangePicker)
#include "tst_time_range_picker.moc"
