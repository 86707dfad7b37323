#include "core/formats/folded_reader.h"

#include <QTest>

using namespace spyglass;
using formats::FoldedReader;
using formats::FoldedReadOptions;

namespace {

template <typename R>
QByteArray err(const R &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

// "root;...;leaf" -> value, from the model's leaf-first stacks.
QHash<QString, qint64> folded(const model::Profile &p)
{
    QHash<QString, qint64> out;
    for (const auto &s : p.stacks) {
        QStringList names;
        for (auto it = s.functions.crbegin(); it != s.functions.crend(); ++it)
            names.append(p.functionNames[*it]);
        out[names.join(QLatin1Char(';'))] += s.value;
    }
    return out;
}

} // namespace

class TestFoldedReader : public QObject
{
    Q_OBJECT

private slots:
    void basic()
    {
        const QByteArray text = "main;work;leaf 3\nmain;work 1\r\n\nmain;work;leaf 2\nmain;other thing(int, char) 5\n";
        auto p = FoldedReader::parse(text, QStringLiteral("a.folded"));
        QVERIFY2(p, err(p).constData());
        QCOMPARE(p->total(), qint64(11));
        QCOMPARE(p->stacks.size(), 3); // the repeated stack is summed
        const auto f = folded(*p);
        QCOMPARE(f.value(QStringLiteral("main;work;leaf")), qint64(5));
        QCOMPARE(f.value(QStringLiteral("main;work")), qint64(1));
        QCOMPARE(f.value(QStringLiteral("main;other thing(int, char)")), qint64(5));
        // Leaf first in the model.
        QCOMPARE(p->functionNames[p->stacks[0].functions.front()], QStringLiteral("leaf"));
        QCOMPARE(p->typeId, QStringLiteral("process_cpu:samples:count:cpu:nanoseconds"));
    }

    void optionsApply()
    {
        FoldedReadOptions o;
        o.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
        o.valueMultiplier = 10'000'000; // 100 Hz
        o.labels = model::Labels{{QStringLiteral("service_name"), QStringLiteral("app")}};
        o.time = 42;
        auto p = FoldedReader::parse("a;b 2\n", QStringLiteral("x"), o);
        QVERIFY(p);
        QCOMPARE(p->total(), qint64(20'000'000));
        QCOMPARE(p->typeId, o.typeId);
        QCOMPARE(p->labels, o.labels);
        QCOMPARE(p->time, model::TimestampNs(42));
    }

    void linesFormat()
    {
        FoldedReadOptions o;
        o.linesFormat = true;
        auto p = FoldedReader::parse("a;b;c\na;b;c\na;d\n", QStringLiteral("x"), o);
        QVERIFY(p);
        QCOMPARE(folded(*p).value(QStringLiteral("a;b;c")), qint64(2));
        QCOMPARE(p->total(), qint64(3));
    }

    void zeroValuesDropped()
    {
        auto p = FoldedReader::parse("a;b 0\na 1\n", QStringLiteral("x"));
        QVERIFY(p);
        QCOMPARE(p->stacks.size(), 1);
    }

    void writeRoundTrip()
    {
        const QByteArray text = "main;a 1\nmain;b;c 7\nx 2\n";
        auto p = FoldedReader::parse(text, QStringLiteral("x"));
        QVERIFY(p);
        QCOMPARE(FoldedReader::write(*p), text);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("no count") << QByteArray("a;b 1\nmain;work\n") << 2 << 10 << QStringLiteral("expected a space");
        QTest::newRow("bad count") << QByteArray("a;b 1x\n") << 1 << 5 << QStringLiteral("non-negative integer");
        QTest::newRow("negative") << QByteArray("a;b -1\n") << 1 << 5 << QStringLiteral("non-negative integer");
        QTest::newRow("empty frame") << QByteArray("a;;b 1\n") << 1 << 3 << QStringLiteral("empty frame name");
        QTest::newRow("only count") << QByteArray(" 5\n") << 1 << 1 << QStringLiteral("expected a stack");
        QTest::newRow("overflow") << QByteArray("a 99999999999999999999999\n") << 1 << 3 << QStringLiteral("non-negative integer");
        QTest::newRow("truncated") << QByteArray("a;b 3\na;b") << 2 << 4 << QStringLiteral("expected a space");
    }
    void errors()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        auto p = FoldedReader::parse(text, QStringLiteral("bad.folded"));
        QVERIFY(!p);
        QCOMPARE(p.error().source, QStringLiteral("bad.folded"));
        QCOMPARE(p.error().line, line);
        QCOMPARE(p.error().column, column);
        QVERIFY2(p.error().message.contains(message), qPrintable(p.error().message));
    }
};

QTEST_GUILESS_MAIN(TestFoldedReader)
#include "tst_folded_reader.moc"
