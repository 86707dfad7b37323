#include "app/gui/explore/frames_table_model.h"

#include <QAbstractItemModelTester>
#include <QTest>
#include <cmath>
#include <limits>

using namespace spyglass;
using spyglass::gui::explore::FramesTableModel;

namespace {

model::Frame series(const QString &job, QList<model::Sample> samples)
{
    return model::Frame::timeSeries(
        model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")}, {QStringLiteral("job"), job}},
        samples);
}

} // namespace

class TestFramesTableModel : public QObject
{
    Q_OBJECT
private slots:
    void samplesLayoutForRangeResults()
    {
        FramesTableModel m;
        m.setTimeZone(QTimeZone::utc());
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setFrames({series(QStringLiteral("a"), {{1000, 1}, {2000, 2}, {3000, 3}}),
                     series(QStringLiteral("b"), {{1000, 10}, {2000, std::numeric_limits<double>::quiet_NaN()}})});
        QCOMPARE(m.layout(), FramesTableModel::Layout::Samples);
        QCOMPARE(m.seriesCount(), 2);
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.columnCount(), 3);
        QCOMPARE(m.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Series"));
        QCOMPARE(m.data(m.index(0, 0)).toString(), QStringLiteral("up{job=\"a\"}"));
        QCOMPARE(m.data(m.index(2, 1)).toString(), QStringLiteral("1970-01-01 00:00:03.000"));
        QCOMPARE(m.data(m.index(2, 2)).toString(), QStringLiteral("3"));
        QCOMPARE(m.data(m.index(3, 0)).toString(), QStringLiteral("up{job=\"b\"}"));
        QCOMPARE(m.data(m.index(3, 2)).toString(), QStringLiteral("10"));
        QCOMPARE(m.data(m.index(4, 2)).toString(), QStringLiteral("NaN"));
        QCOMPARE(m.data(m.index(4, 1), FramesTableModel::RawValueRole).toLongLong(), 2000);
        QCOMPARE(m.data(m.index(1, 2), FramesTableModel::RawValueRole).toDouble(), 2.0);
        QVERIFY(!m.data(m.index(99, 0)).isValid());
    }

    void seriesLayoutForInstantResults()
    {
        FramesTableModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto b = model::Frame::timeSeries(
            model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")},
                          {QStringLiteral("job"), QStringLiteral("b")},
                          {QStringLiteral("instance"), QStringLiteral("x:9090")}},
            {{5000, 0.1}});
        m.setFrames({series(QStringLiteral("a"), {{5000, 1}}), b});
        QCOMPARE(m.layout(), FramesTableModel::Layout::Series);
        QCOMPARE(m.rowCount(), 2);
        // Time, __name__, instance, job, Value
        QCOMPARE(m.columnCount(), 5);
        QCOMPARE(m.headerData(1, Qt::Horizontal).toString(), QStringLiteral("__name__"));
        QCOMPARE(m.headerData(2, Qt::Horizontal).toString(), QStringLiteral("instance"));
        QCOMPARE(m.headerData(4, Qt::Horizontal).toString(), QStringLiteral("Value"));
        QCOMPARE(m.data(m.index(0, 2)).toString(), QString()); // a has no instance
        QCOMPARE(m.data(m.index(1, 2)).toString(), QStringLiteral("x:9090"));
        QCOMPARE(m.data(m.index(1, 4)).toString(), QStringLiteral("0.1"));

        m.setLayout(FramesTableModel::Layout::Samples);
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.columnCount(), 3);
    }

    void tableLayoutForOtherFrames()
    {
        FramesTableModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model::Frame t1(QStringLiteral("A"), model::FrameKind::Table);
        t1.addField(model::Field::time(QStringLiteral("Time"), {1000, 2000}));
        t1.addField(model::Field::string(QStringLiteral("job"), {QStringLiteral("x"), QStringLiteral("y")}));
        t1.addField(model::Field::float64(QStringLiteral("Value"), {1.5, 2.5}));
        model::Frame empty(QStringLiteral("B"), model::FrameKind::Table);
        empty.addField(model::Field::float64(QStringLiteral("Value"), {}));
        model::Frame t2(QStringLiteral("C"), model::FrameKind::Table);
        t2.addField(model::Field::float64(QStringLiteral("Value"), {7}));
        t2.addField(model::Field::string(QStringLiteral("extra"), {QStringLiteral("e")}));
        m.setFrames({t1, empty, t2});
        QCOMPARE(m.layout(), FramesTableModel::Layout::Table);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.columnCount(), 4); // Time, job, Value, extra
        QCOMPARE(m.data(m.index(1, 1)).toString(), QStringLiteral("y"));
        QCOMPARE(m.data(m.index(1, 2)).toString(), QStringLiteral("2.5"));
        QCOMPARE(m.data(m.index(2, 2)).toString(), QStringLiteral("7"));
        QCOMPARE(m.data(m.index(2, 3)).toString(), QStringLiteral("e"));
        QVERIFY(!m.data(m.index(2, 0)).isValid()); // C has no Time
        QCOMPARE(m.data(m.index(0, 0), FramesTableModel::RawValueRole).toLongLong(), 1000);
    }

    void clearAndEmpty()
    {
        FramesTableModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.columnCount(), 0);
        m.setFrames({series(QStringLiteral("a"), {{1, 1}, {2, 2}})});
        QCOMPARE(m.rowCount(), 2);
        m.clear();
        QCOMPARE(m.rowCount(), 0);
        m.setFrames({});
        QCOMPARE(m.rowCount(), 0);
    }

    void manyRowsWithoutPerRowCost()
    {
        QList<model::Sample> samples;
        for (int i = 0; i < 200'000; ++i)
            samples.push_back({i * 1000LL, double(i)});
        FramesTableModel m;
        m.setFrames({series(QStringLiteral("a"), samples), series(QStringLiteral("b"), samples)});
        QCOMPARE(m.rowCount(), 400'000);
        QCOMPARE(m.data(m.index(399'999, 2)).toString(), QStringLiteral("199999"));
        QCOMPARE(m.data(m.index(200'000, 0)).toString(), QStringLiteral("up{job=\"b\"}"));
    }
};

QTEST_MAIN(TestFramesTableModel)
#include "tst_frames_table_model.moc"
