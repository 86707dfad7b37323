#include "core/viz/units.h"

#include <QTest>

using namespace spyglass::viz;

class TestUnits : public QObject
{
    Q_OBJECT
private slots:
    void toFixedAutoDecimals_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("integer") << 1234.0 << QStringLiteral("1234");
        QTest::newRow("1.5 gets 2 decimals") << 1.5 << QStringLiteral("1.50");
        QTest::newRow("12.3") << 12.3 << QStringLiteral("12.3");
        QTest::newRow("0.0123") << 0.0123 << QStringLiteral("0.0123");
        QTest::newRow("zero") << 0.0 << QStringLiteral("0");
        QTest::newRow("negative") << -2.5 << QStringLiteral("-2.50");
    }
    void toFixedAutoDecimals()
    {
        QFETCH(double, value);
        QFETCH(QString, expected);
        QCOMPARE(toFixed(value), expected);
    }

    void toFixedExplicitDecimals()
    {
        QCOMPARE(toFixed(3.14159, 2), QStringLiteral("3.14"));
        QCOMPARE(toFixed(2.0, 3), QStringLiteral("2.000"));
        QCOMPARE(toFixed(2.5, 0), QStringLiteral("3"));
        QCOMPARE(toFixed(0.0, 2), QStringLiteral("0.00"));
    }

    void formatValue_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QString>("unit");
        QTest::addColumn<int>("decimals"); // -1 = auto
        QTest::addColumn<QString>("expected");
        QTest::newRow("bytes KiB") << 1536.0 << QStringLiteral("bytes") << -1 << QStringLiteral("1.50 KiB");
        QTest::newRow("bytes small") << 512.0 << QStringLiteral("bytes") << -1 << QStringLiteral("512 B");
        QTest::newRow("bytes MiB") << 3.0 * 1024 * 1024 << QStringLiteral("bytes") << -1 << QStringLiteral("3 MiB");
        QTest::newRow("decbytes kB") << 1500.0 << QStringLiteral("decbytes") << -1 << QStringLiteral("1.50 kB");
        QTest::newRow("s -> ms") << 0.0123 << QStringLiteral("s") << -1 << QStringLiteral("12.3 ms");
        QTest::newRow("s") << 42.0 << QStringLiteral("s") << -1 << QStringLiteral("42 s");
        QTest::newRow("s -> min") << 90.0 << QStringLiteral("s") << -1 << QStringLiteral("1.50 min");
        QTest::newRow("s -> hour") << 7200.0 << QStringLiteral("s") << -1 << QStringLiteral("2 hour");
        QTest::newRow("ms") << 250.0 << QStringLiteral("ms") << -1 << QStringLiteral("250 ms");
        QTest::newRow("ms -> s") << 1500.0 << QStringLiteral("ms") << -1 << QStringLiteral("1.50 s");
        QTest::newRow("µs") << 12.0 << QStringLiteral("µs") << -1 << QStringLiteral("12 µs");
        QTest::newRow("µs -> ms") << 2500.0 << QStringLiteral("µs") << -1 << QStringLiteral("2.50 ms");
        QTest::newRow("ns -> µs") << 1500.0 << QStringLiteral("ns") << -1 << QStringLiteral("1.50 µs");
        QTest::newRow("ns -> s") << 2e9 << QStringLiteral("ns") << -1 << QStringLiteral("2 s");
        QTest::newRow("percent") << 42.0 << QStringLiteral("percent") << -1 << QStringLiteral("42%");
        QTest::newRow("percentunit") << 0.256 << QStringLiteral("percentunit") << -1 << QStringLiteral("25.6%");
        QTest::newRow("short") << 1500.0 << QStringLiteral("short") << -1 << QStringLiteral("1.50 K");
        QTest::newRow("short Mil") << 2.5e6 << QStringLiteral("short") << 1 << QStringLiteral("2.5 Mil");
        QTest::newRow("short small") << 0.5 << QStringLiteral("short") << -1 << QStringLiteral("0.500");
        QTest::newRow("reqps") << 12.0 << QStringLiteral("reqps") << -1 << QStringLiteral("12 req/s");
        QTest::newRow("reqps K") << 1500.0 << QStringLiteral("reqps") << -1 << QStringLiteral("1.50K req/s");
        QTest::newRow("ops") << 3.0 << QStringLiteral("ops") << -1 << QStringLiteral("3 ops/s");
        QTest::newRow("bps") << 2e6 << QStringLiteral("bps") << -1 << QStringLiteral("2 Mbps");
        QTest::newRow("Bps") << 1500.0 << QStringLiteral("Bps") << -1 << QStringLiteral("1.50 kB/s");
        QTest::newRow("bits") << 2048.0 << QStringLiteral("bits") << -1 << QStringLiteral("2 Kib");
        QTest::newRow("none") << 3.14159 << QStringLiteral("none") << 2 << QStringLiteral("3.14");
        QTest::newRow("empty unit") << 7.0 << QString() << -1 << QStringLiteral("7");
        QTest::newRow("decimals override") << 1536.0 << QStringLiteral("bytes") << 0 << QStringLiteral("2 KiB");
        QTest::newRow("custom suffix") << 5.0 << QStringLiteral("suffix: widgets") << -1 << QStringLiteral("5 widgets");
        QTest::newRow("custom prefix") << 5.0 << QStringLiteral("prefix:~") << -1 << QStringLiteral("~5");
        QTest::newRow("currency") << 1500.0 << QStringLiteral("currencyUSD") << -1 << QStringLiteral("$1.50K");
        QTest::newRow("unknown unit is a suffix") << 3.0 << QStringLiteral("apples") << -1 << QStringLiteral("3 apples");
        QTest::newRow("celsius") << 21.5 << QStringLiteral("celsius") << 1 << QStringLiteral("21.5°C");
    }
    void formatValue()
    {
        QFETCH(double, value);
        QFETCH(QString, unit);
        QFETCH(int, decimals);
        QFETCH(QString, expected);
        const auto d = decimals < 0 ? std::nullopt : std::optional<int>(decimals);
        QCOMPARE(spyglass::viz::formatValue(value, unit, d).toString(), expected);
    }

    void suffixIsSeparate()
    {
        const FormattedValue f = spyglass::viz::formatValue(1536, QStringLiteral("bytes"));
        QCOMPARE(f.text, QStringLiteral("1.50"));
        QCOMPARE(f.suffix, QStringLiteral(" KiB"));
        QVERIFY(f.prefix.isEmpty());
    }

    void nanAndInfinity()
    {
        QCOMPARE(spyglass::viz::formatValue(std::numeric_limits<double>::quiet_NaN(), QStringLiteral("ms")).toString(),
                 QStringLiteral("NaN"));
        QCOMPARE(toFixed(std::numeric_limits<double>::infinity()), QStringLiteral("Infinity"));
    }

    void knownUnits()
    {
        QVERIFY(isKnownUnit(QStringLiteral("bytes")));
        QVERIFY(isKnownUnit(QStringLiteral("suffix:x")));
        QVERIFY(!isKnownUnit(QStringLiteral("apples")));
    }
};

QTEST_GUILESS_MAIN(TestUnits)
#include "tst_units.moc"
