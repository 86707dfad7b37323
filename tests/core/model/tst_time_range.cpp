#include "core/model/time_range.h"

#include <QTest>

using namespace spyglass::model;

class TestTimeRange : public QObject
{
    Q_OBJECT
private slots:
    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("5m") << QStringLiteral("5m") << qint64(300'000);
        QTest::newRow("1h30m") << QStringLiteral("1h30m") << qint64(5'400'000);
        QTest::newRow("250ms") << QStringLiteral("250ms") << qint64(250);
        QTest::newRow("1d2h") << QStringLiteral("1d2h") << qint64(93'600'000);
        QTest::newRow("seconds") << QStringLiteral("15") << qint64(15'000);
        QTest::newRow("fractional") << QStringLiteral("1.5") << qint64(1500);
        QTest::newRow("1w") << QStringLiteral("1w") << qint64(604'800'000);
    }
    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        auto d = parseDuration(text);
        QVERIFY2(d.has_value(), qPrintable(text));
        QCOMPARE(*d, ms);
    }
    void badDurations()
    {
        for (const char *t : {"", "5x", "m5", "5m1h", "1h1h", "--1"})
            QVERIFY2(!parseDuration(QString::fromLatin1(t)).has_value(), t);
    }
    void formatRoundTrips()
    {
        for (qint64 ms : {qint64(1), qint64(1500), qint64(300'000), qint64(5'400'000), qint64(93'600'000)})
            QCOMPARE(*parseDuration(formatDuration(ms)), ms);
        QCOMPARE(formatDuration(5'400'000), QStringLiteral("1h30m"));
    }
    void timestamps()
    {
        QCOMPARE(*parseTimestamp(u"1700000000"), TimestampMs(1'700'000'000'000));
        QCOMPARE(*parseTimestamp(u"1700000000.25"), TimestampMs(1'700'000'000'250));
        QCOMPARE(*parseTimestamp(u"2023-11-14T22:13:20Z"), TimestampMs(1'700'000'000'000));
        QCOMPARE(*parseTimestamp(u"2023-11-14T23:13:20+01:00"), TimestampMs(1'700'000'000'000));
        QCOMPARE(*parseTimestamp(u"2023-11-14T22:13:20.5Z"), TimestampMs(1'700'000'000'500));
        auto bad = parseTimestamp(u"yesterday");
        QVERIFY(!bad.has_value());
        QVERIFY(bad.error().message.contains(QStringLiteral("yesterday")));
    }
    void relative()
    {
        const TimestampMs now = 1'700'000'000'000; // 2023-11-14T22:13:20Z
        QCOMPARE(*resolveTimeExpression(u"now", now, false), now);
        QCOMPARE(*resolveTimeExpression(u"now-6h", now, false), now - 6 * 3'600'000);
        QCOMPARE(*resolveTimeExpression(u"now/d", now, false), TimestampMs(1'699'920'000'000));
        QCOMPARE(*resolveTimeExpression(u"now/d", now, true), TimestampMs(1'700'006'400'000 - 1));
        QCOMPARE(*resolveTimeExpression(u"now-1d/d", now, false), TimestampMs(1'699'833'600'000));
        QCOMPARE(*resolveTimeExpression(u"1700000000000", now, false), now); // epoch ms (URLs)
        QVERIFY(!resolveTimeExpression(u"now*2", now, false).has_value());
    }
    void rangeParse()
    {
        auto r = TimeRange::parse(QStringLiteral("now-6h"), QStringLiteral("now"));
        QVERIFY(r.has_value());
        QVERIFY(r->isRelative());
        QCOMPARE(r->displayText(), QStringLiteral("Last 6 hours"));
        QCOMPARE(TimeRange::lastMs(300'000).displayText(), QStringLiteral("Last 5 minutes"));
        QVERIFY(!TimeRange::parse(QStringLiteral("now"), QStringLiteral("now-1h")).has_value());
        auto abs = TimeRange::absolute(1000, 2000);
        QCOMPARE(abs.fromMs(0), TimestampMs(1000));
        QCOMPARE(abs.toMs(0), TimestampMs(2000));
        QVERIFY(!abs.isRelative());
    }
};

QTEST_GUILESS_MAIN(TestTimeRange)
#include "tst_time_range.moc"
