#include "core/model/frame.h"
#include "core/model/result.h"

#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::model;

class TestFrame : public QObject
{
    Q_OBJECT
private slots:
    void timeSeriesFrame()
    {
        Labels l{{QStringLiteral("__name__"), QStringLiteral("up")}, {QStringLiteral("job"), QStringLiteral("a")}};
        Frame f = Frame::timeSeries(l, {{1000, 1.0}, {2000, staleNaN()}, {3000, 2.5}});
        QCOMPARE(f.kind(), FrameKind::TimeSeries);
        QCOMPARE(f.rowCount(), 3);
        QVERIFY(f.isConsistent());
        QCOMPARE(f.seriesLabels(), l);
        QCOMPARE(f.name(), QStringLiteral("up{job=\"a\"}"));
        const Field *time = f.firstOfType(FieldType::Time);
        QVERIFY(time);
        QCOMPARE(time->int64s().at(2), std::int64_t(3000));
        const Field *value = f.field(u"Value");
        QVERIFY(value);
        QVERIFY(isStaleNaN(value->doubles().at(1)));
        QVERIFY(!isStaleNaN(std::nan("")));
        QCOMPARE(value->displayValue(1), QStringLiteral("stale"));
        QCOMPARE(value->displayValue(2), QStringLiteral("2.5"));
        QCOMPARE(time->displayValue(0), QStringLiteral("1970-01-01 00:00:01.000"));
        QCOMPARE(value->displayValue(7), QString());
    }
    void inconsistentFrameDetected()
    {
        Frame f(QStringLiteral("t"), FrameKind::Table);
        f.addField(Field::string(QStringLiteral("a"), {QStringLiteral("x"), QStringLiteral("y")}));
        f.addField(Field::int64(QStringLiteral("b"), {1}));
        QVERIFY(!f.isConsistent());
        QCOMPARE(f.indexOf(u"b"), 1);
        QCOMPARE(f.indexOf(u"zz"), -1);
    }
    void errorFormatting()
    {
        QCOMPARE(Error::at(QStringLiteral("m.om"), 3, 14, QStringLiteral("bad")).toString(),
                 QStringLiteral("m.om:3:14: bad"));
        QCOMPARE(Error::invalid(QStringLiteral("oops")).toString(), QStringLiteral("oops"));
        Error e = Error::at(QString(), 2, 0, QStringLiteral("x"));
        QCOMPARE(e.toString(), QStringLiteral("2: x"));
    }
};

QTEST_GUILESS_MAIN(TestFrame)
#include "tst_frame.moc"
