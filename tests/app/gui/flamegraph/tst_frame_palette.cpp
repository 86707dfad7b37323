#include "app/gui/flamegraph/frame_palette.h"
#include "app/gui/flamegraph/value_format.h"

#include <QTest>

using namespace spyglass::gui::flamegraph;

class TestFramePalette : public QObject
{
    Q_OBJECT
private slots:
    void packages_data()
    {
        QTest::addColumn<QString>("function");
        QTest::addColumn<QString>("package");
        auto row = [](const char *f, const char *p) {
            QTest::newRow(f) << QString::fromLatin1(f) << QString::fromLatin1(p);
        };
        row("main.run", "main");
        row("encoding/json.(*decodeState).value", "encoding/json");
        row("reflect.(*rtype).Kind", "reflect");
        row("github.com/x/y.(*T).M", "github.com/x/y");
        row("sort.Float64s (inline)", "sort");
        row("std::vector<int>::push_back", "std");
        row("void foo::bar(int)", "foo");
        row("app.js:handleRequest", "app.js");
        row("[kernel.kallsyms]", "[kernel.kallsyms]");
        row("memcpy", "memcpy");
        row("", "");
    }
    void packages()
    {
        QFETCH(QString, function);
        QFETCH(QString, package);
        QCOMPARE(packageOf(function), package);
    }

    void coloursAreStable()
    {
        // Same package, same colour, in this run and the next (FNV, not qHash).
        QCOMPARE(packageColor(u"encoding/json"), packageColor(packageOf(u"encoding/json.Unmarshal")));
        QCOMPARE(packageColor(u"main").rgb(), QColor(packageColor(u"main")).rgb());
        int distinct = 0;
        const QColor first = packageColor(u"runtime");
        for (const char *p : {"main", "sort", "crypto/sha256", "encoding/json", "reflect", "strconv"})
            distinct += packageColor(QString::fromLatin1(p)) != first;
        QVERIFY(distinct >= 4);
    }

    void diffAndSelfColours()
    {
        const QColor neutral = diffColor(0, DiffPalette::RedBlue);
        QCOMPARE(neutral.red(), neutral.green());
        QVERIFY(neutral.hsvSaturation() < 40);
        const QColor grew = diffColor(1, DiffPalette::RedBlue);
        const QColor shrank = diffColor(-1, DiffPalette::RedBlue);
        QVERIFY(grew.red() > 200 && grew.blue() < 100);
        QVERIFY(shrank.blue() > 200 && shrank.red() < 100);
        // Colour-blind-safe: orange for growth, no red/green pair.
        const QColor orange = diffColor(1, DiffPalette::BlueOrange);
        QVERIFY(orange.red() > 200 && orange.green() > 100 && orange.blue() < 60);
        QVERIFY(diffColor(-1, DiffPalette::BlueOrange).blue() > 150);
        // Small changes are tinted, less than big ones.
        const QColor small = diffColor(0.1, DiffPalette::RedBlue);
        QVERIFY(small.red() > neutral.red() && small.red() < grew.red());
        QVERIFY(selfShareColor(1).red() > selfShareColor(0).red());
        QCOMPARE(textColorOn(QColor(Qt::white)).lightness() < 60, true);
        QCOMPARE(textColorOn(QColor(0x11, 0x12, 0x17)).lightness() > 200, true);
    }

    void units()
    {
        QCOMPARE(unitFromTypeId(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")), ValueUnit::Nanoseconds);
        QCOMPARE(unitFromTypeId(QStringLiteral("memory:inuse_space:bytes:space:bytes")), ValueUnit::Bytes);
        QCOMPARE(unitFromTypeId(QStringLiteral("process_cpu:samples:count:cpu:nanoseconds")), ValueUnit::Count);
        QCOMPARE(unitFromTypeId(QString()), ValueUnit::Count);
        QCOMPARE(formatValue(1'980'000'000, ValueUnit::Nanoseconds), QStringLiteral("1.98 s"));
        QCOMPARE(formatValue(10'000'000, ValueUnit::Nanoseconds), QStringLiteral("10.0 ms"));
        QCOMPARE(formatValue(750, ValueUnit::Nanoseconds), QStringLiteral("750 ns"));
        QCOMPARE(formatValue(90LL * 60 * 1'000'000'000, ValueUnit::Nanoseconds), QStringLiteral("1.50 h"));
        QCOMPARE(formatValue(512, ValueUnit::Bytes), QStringLiteral("512 B"));
        QCOMPARE(formatValue(1536, ValueUnit::Bytes), QStringLiteral("1.50 KiB"));
        QCOMPARE(formatValue(3LL << 30, ValueUnit::Bytes), QStringLiteral("3.00 GiB"));
        QCOMPARE(formatValue(9999, ValueUnit::Count), QStringLiteral("9999"));
        QCOMPARE(formatValue(123'456, ValueUnit::Count), QStringLiteral("123 k"));
        QCOMPARE(formatShare(0.5), QStringLiteral("50.0 %"));
        QCOMPARE(formatShare(0.01234), QStringLiteral("1.23 %"));
        QCOMPARE(formatShare(0), QStringLiteral("0 %"));
    }
};

QTEST_GUILESS_MAIN(TestFramePalette)
#include "tst_frame_palette.moc"
