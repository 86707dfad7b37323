#include "core/datasource/datasource.h"

#include <QTest>

using namespace spyglass::datasource;

class TestQueryRequest : public QObject
{
    Q_OBJECT
private slots:
    void effectiveStep_data()
    {
        QTest::addColumn<qint64>("rangeMs");
        QTest::addColumn<int>("maxDataPoints");
        QTest::addColumn<qint64>("stepMs");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("1h / 1000 -> 3.6 s rounds up to 4 s") << qint64(3600000) << 1000 << qint64(0) << qint64(4000);
        QTest::newRow("exact seconds stay") << qint64(3600000) << 720 << qint64(0) << qint64(5000);
        QTest::newRow("short range: at least 1 s") << qint64(60000) << 1000 << qint64(0) << qint64(1000);
        QTest::newRow("empty range: 1 s") << qint64(0) << 1000 << qint64(0) << qint64(1000);
        QTest::newRow("24h / 1000 = 86.4 s -> 87 s") << qint64(86400000) << 1000 << qint64(0) << qint64(87000);
        QTest::newRow("explicit step wins") << qint64(86400000) << 1000 << qint64(250) << qint64(250);
        QTest::newRow("no maxDataPoints: 1000 assumed") << qint64(3600000) << 0 << qint64(0) << qint64(4000);
    }
    void effectiveStep()
    {
        QFETCH(qint64, rangeMs);
        QFETCH(int, maxDataPoints);
        QFETCH(qint64, stepMs);
        QFETCH(qint64, expected);
        QueryRequest r;
        r.from = 1'700'000'000'000;
        r.to = r.from + rangeMs;
        r.maxDataPoints = maxDataPoints;
        r.stepMs = stepMs;
        QCOMPARE(qint64(r.effectiveStepMs()), expected);
        if (stepMs == 0 && maxDataPoints > 0)
            QVERIFY(rangeMs / r.effectiveStepMs() <= maxDataPoints);
    }
    void capabilityNames()
    {
        QCOMPARE(capabilityName(Capability::Profiles), QStringLiteral("profiles"));
        QCOMPARE(capabilityFromName(u"logs"), std::optional<Capability>(Capability::Logs));
        QVERIFY(!capabilityFromName(u"Logs").has_value());
        QVERIFY(!capabilityFromName(u"").has_value());
        QCOMPARE(spyglass::datasource::capabilityNames(Capability::Metrics | Capability::Traces),
                 (QStringList{QStringLiteral("metrics"), QStringLiteral("traces")}));
    }
};

QTEST_GUILESS_MAIN(TestQueryRequest)
#include "tst_query_request.moc"
