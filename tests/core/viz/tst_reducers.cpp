#include "core/viz/reducers.h"

#include <QTest>
#include <cmath>

using namespace spyglass::viz;

namespace {
constexpr double N = std::numeric_limits<double>::quiet_NaN();
}

class TestReducers : public QObject
{
    Q_OBJECT
private slots:
    void standardCalcs_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<double>("expected");
        // values: 3, NaN, 1, 4, 1, 5, NaN
        QTest::newRow("last") << QStringLiteral("last") << N;
        QTest::newRow("lastNotNull") << QStringLiteral("lastNotNull") << 5.0;
        QTest::newRow("first") << QStringLiteral("first") << 3.0;
        QTest::newRow("firstNotNull") << QStringLiteral("firstNotNull") << 3.0;
        QTest::newRow("min") << QStringLiteral("min") << 1.0;
        QTest::newRow("max") << QStringLiteral("max") << 5.0;
        QTest::newRow("mean") << QStringLiteral("mean") << 14.0 / 5;
        QTest::newRow("median") << QStringLiteral("median") << 3.0;
        QTest::newRow("sum") << QStringLiteral("sum") << 14.0;
        QTest::newRow("count counts nulls") << QStringLiteral("count") << 7.0;
        QTest::newRow("range") << QStringLiteral("range") << 4.0;
        // 3->1 reset (+1), 1->4 (+3), 4->1 reset (+1), 1->5 (+4)
        QTest::newRow("delta") << QStringLiteral("delta") << 9.0;
        QTest::newRow("diff") << QStringLiteral("diff") << 2.0;
        QTest::newRow("diffperc") << QStringLiteral("diffperc") << 2.0 / 3;
        QTest::newRow("changeCount") << QStringLiteral("changeCount") << 4.0;
        QTest::newRow("distinctCount") << QStringLiteral("distinctCount") << 4.0;
        QTest::newRow("allIsNull") << QStringLiteral("allIsNull") << 0.0;
        QTest::newRow("allIsZero") << QStringLiteral("allIsZero") << 0.0;
        QTest::newRow("step") << QStringLiteral("step") << -3.0;
        QTest::newRow("logmin") << QStringLiteral("logmin") << 1.0;
        QTest::newRow("legacy avg") << QStringLiteral("avg") << 14.0 / 5;
        QTest::newRow("legacy current") << QStringLiteral("current") << 5.0;
    }
    void standardCalcs()
    {
        QFETCH(QString, id);
        QFETCH(double, expected);
        const auto r = reducerFromId(id);
        QVERIFY2(r.has_value(), qPrintable(id));
        const double got = reduce(*r, {3, N, 1, 4, 1, 5, N});
        if (std::isnan(expected))
            QVERIFY(std::isnan(got));
        else
            QVERIFY2(std::abs(got - expected) < 1e-12, qPrintable(QString::number(got)));
    }

    void emptyInput()
    {
        QVERIFY(std::isnan(reduce(Reducer::Max, {})));
        QVERIFY(std::isnan(reduce(Reducer::Mean, {N, N})));
        QCOMPARE(reduce(Reducer::Sum, {}), 0.0);
        QCOMPARE(reduce(Reducer::Count, {N, N}), 2.0);
        QCOMPARE(reduce(Reducer::AllIsNull, {N, N}), 1.0);
        QCOMPARE(reduce(Reducer::AllIsZero, {0, 0}), 1.0);
    }

    void varianceAndStdDev()
    {
        QCOMPARE(reduce(Reducer::Variance, {2, 4, 4, 4, 5, 5, 7, 9}), 4.0);
        QCOMPARE(reduce(Reducer::StdDev, {2, 4, 4, 4, 5, 5, 7, 9}), 2.0);
    }

    void namesAndIds()
    {
        QCOMPARE(reducerDisplayName(Reducer::LastNotNull), QStringLiteral("Last *"));
        QCOMPARE(reducerDisplayName(Reducer::Sum), QStringLiteral("Total"));
        QCOMPARE(reducerId(Reducer::DiffPercent), QStringLiteral("diffperc"));
        QVERIFY(!reducerFromId(QStringLiteral("bogus")));
        for (const QString &id : reducerIds())
            QCOMPARE(reducerId(*reducerFromId(id)), id);
    }
};

QTEST_GUILESS_MAIN(TestReducers)
#include "tst_reducers.moc"
