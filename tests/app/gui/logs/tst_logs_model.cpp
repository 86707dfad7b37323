#include "app/gui/logs/logs_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::logs;

namespace {

struct Row
{
    std::int64_t ns;
    QString line;
    model::Labels labels;
};

// A Logs frame shaped like LogqlResult::toFrames().
model::Frame logsFrame(const QList<Row> &rows)
{
    QList<std::int64_t> ms, ns;
    QStringList lines;
    QList<model::Labels> labels, empty;
    for (const auto &r : rows) {
        ms.append(r.ns / 1'000'000);
        ns.append(r.ns);
        lines.append(r.line);
        labels.append(r.labels);
        empty.append(model::Labels{});
    }
    model::Frame f(QStringLiteral("logs"), model::FrameKind::Logs);
    f.addField(model::Field::time(QStringLiteral("Time"), ms));
    f.addField(model::Field::string(QStringLiteral("Line"), lines));
    f.addField(model::Field::labels(QStringLiteral("labels"), labels));
    f.addField(model::Field::int64(QStringLiteral("tsNs"), ns));
    f.addField(model::Field::labels(QStringLiteral("structuredMetadata"), empty));
    f.addField(model::Field::labels(QStringLiteral("parsed"), empty));
    return f;
}

constexpr std::int64_t s = 1'000'000'000;

} // namespace

class TestLogsModel : public QObject
{
    Q_OBJECT
private slots:
    void ordersNewestFirstByDefault()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Backward query order (newest first) and a second, unsorted frame.
        m.setFrames({logsFrame({{3 * s, QStringLiteral("c"), {}}, {1 * s, QStringLiteral("a"), {}}}),
                     logsFrame({{2 * s, QStringLiteral("b"), {}}, {4 * s, QStringLiteral("d"), {}}})});
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(m.data(m.index(0)).toString(), QStringLiteral("d"));
        QCOMPARE(m.data(m.index(3)).toString(), QStringLiteral("a"));
        QCOMPARE(m.timeNsAt(0), 4 * s);
        m.setOrder(LogsModel::Order::OldestFirst);
        QCOMPARE(m.lineAt(0), QStringLiteral("a"));
        QCOMPARE(m.lineAt(3), QStringLiteral("d"));
        QCOMPARE(m.oldestNs(), 1 * s);
        QCOMPARE(m.newestNs(), 4 * s);
    }

    void ignoresNonLogFramesAndKeepsLabels()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const model::Labels l{{QStringLiteral("job"), QStringLiteral("api")}};
        m.setFrames({model::Frame::timeSeries({}, {{1000, 1.0}}), logsFrame({{5 * s, QStringLiteral("x"), l}})});
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.line(0).labels, l);
        QCOMPARE(m.data(m.index(0), LogsModel::TimeNsRole).toLongLong(), 5 * s);
    }

    void detectsLevels()
    {
        LogsModel m;
        m.setFrames({logsFrame({
            {1 * s, QStringLiteral("ts=1 level=warn msg=slow"), {}},
            {2 * s, QStringLiteral(R"({"level":"error","msg":"boom"})"), {}},
            {3 * s, QStringLiteral("2024-01-01 12:00:00 DEBUG starting"), {}},
            {4 * s, QStringLiteral("plain text"), {{QStringLiteral("level"), QStringLiteral("info")}}},
            {5 * s, QStringLiteral("nothing here"), {}},
        })});
        m.setOrder(LogsModel::Order::OldestFirst);
        QCOMPARE(m.levelAt(0), LogLevel::Warn);
        QCOMPARE(m.levelAt(1), LogLevel::Error);
        QCOMPARE(m.levelAt(2), LogLevel::Debug);
        QCOMPARE(m.levelAt(3), LogLevel::Info);
        QCOMPARE(m.levelAt(4), LogLevel::Unknown);
        QCOMPARE(m.data(m.index(1), LogsModel::LevelRole).toInt(), int(LogLevel::Error));
    }

    void dedupModes_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QStringList>("shown");
        QTest::addColumn<QList<int>>("dups");
        // Lines oldest first: a, a, "took 12ms", "took 345ms", "x=1, y", "q=7, z", b
        QTest::newRow("none") << int(LogsModel::Dedup::None)
                              << QStringList{QStringLiteral("a"), QStringLiteral("a"), QStringLiteral("took 12ms"),
                                             QStringLiteral("took 345ms"), QStringLiteral("x=1, y"),
                                             QStringLiteral("q=7, z"), QStringLiteral("b")}
                              << QList<int>{0, 0, 0, 0, 0, 0, 0};
        QTest::newRow("exact") << int(LogsModel::Dedup::Exact)
                               << QStringList{QStringLiteral("a"), QStringLiteral("took 12ms"),
                                              QStringLiteral("took 345ms"), QStringLiteral("x=1, y"),
                                              QStringLiteral("q=7, z"), QStringLiteral("b")}
                               << QList<int>{1, 0, 0, 0, 0, 0};
        QTest::newRow("numbers") << int(LogsModel::Dedup::Numbers)
                                 << QStringList{QStringLiteral("a"), QStringLiteral("took 12ms"),
                                                QStringLiteral("x=1, y"), QStringLiteral("q=7, z"), QStringLiteral("b")}
                                 << QList<int>{1, 1, 0, 0, 0};
        // Signature ignores letters and digits: "a", "a", "took 12ms" and
        // "took 345ms" share the empty/space signatures pairwise; "x=1, y"
        // and "q=7, z" both read "=, ".
        QTest::newRow("signature") << int(LogsModel::Dedup::Signature)
                                   << QStringList{QStringLiteral("a"), QStringLiteral("took 12ms"),
                                                  QStringLiteral("x=1, y"), QStringLiteral("b")}
                                   << QList<int>{1, 1, 1, 0};
    }
    void dedupModes()
    {
        QFETCH(int, mode);
        QFETCH(QStringList, shown);
        QFETCH(QList<int>, dups);
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setOrder(LogsModel::Order::OldestFirst);
        m.setFrames({logsFrame({{1 * s, QStringLiteral("a"), {}},
                                {2 * s, QStringLiteral("a"), {}},
                                {3 * s, QStringLiteral("took 12ms"), {}},
                                {4 * s, QStringLiteral("took 345ms"), {}},
                                {5 * s, QStringLiteral("x=1, y"), {}},
                                {6 * s, QStringLiteral("q=7, z"), {}},
                                {7 * s, QStringLiteral("b"), {}}})});
        m.setDedup(LogsModel::Dedup(mode));
        QStringList got;
        QList<int> gotDups;
        for (int r = 0; r < m.rowCount(); ++r) {
            got.append(m.lineAt(r));
            gotDups.append(m.duplicatesAt(r));
        }
        QCOMPARE(got, shown);
        QCOMPARE(gotDups, dups);
        QCOMPARE(m.totalLines(), 7);
        QCOMPARE(m.hiddenDuplicates(), 7 - shown.size());
        // Newest first folds the same runs, shown from the other end.
        m.setOrder(LogsModel::Order::NewestFirst);
        QCOMPARE(m.rowCount(), int(shown.size()));
        QCOMPARE(m.lineAt(0), QStringLiteral("b"));
    }

    void dedupKeys()
    {
        QCOMPARE(LogsModel::dedupKey(u"took 12.5ms, id 7", LogsModel::Dedup::Numbers), QStringLiteral("took #ms, id #"));
        QCOMPARE(LogsModel::dedupKey(u"GET /a/b 200", LogsModel::Dedup::Signature), QStringLiteral(" // "));
    }

    void pagingAppendsOlderAtTheEndNewestFirst()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setFrames({logsFrame({{10 * s, QStringLiteral("p1-new"), {}}, {9 * s, QStringLiteral("p1-old"), {}}})});
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
        // "Load more" with newest first: the next page is older.
        QCOMPARE(m.appendFrames({logsFrame({{8 * s, QStringLiteral("p2-new"), {}}, {7 * s, QStringLiteral("p2-old"), {}}})}), 2);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2); // appended below the two rows
        QCOMPARE(inserted[0][2].toInt(), 3);
        QStringList got;
        for (int r = 0; r < m.rowCount(); ++r)
            got.append(m.lineAt(r));
        QCOMPARE(got, (QStringList{QStringLiteral("p1-new"), QStringLiteral("p1-old"), QStringLiteral("p2-new"),
                                   QStringLiteral("p2-old")}));
    }

    void pagingAndTailOldestFirst()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setOrder(LogsModel::Order::OldestFirst);
        m.setFrames({logsFrame({{1 * s, QStringLiteral("a"), {}}, {2 * s, QStringLiteral("b"), {}}})});
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        m.appendFrames({logsFrame({{3 * s, QStringLiteral("c"), {}}})});
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2);
        QCOMPARE(m.lineAt(2), QStringLiteral("c"));
        // Newest first: a tail line goes on top.
        m.setOrder(LogsModel::Order::NewestFirst);
        m.appendFrames({logsFrame({{4 * s, QStringLiteral("d"), {}}})});
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted[1][1].toInt(), 0);
        QCOMPARE(m.lineAt(0), QStringLiteral("d"));
        // Overlapping lines merge in time order (a reset).
        m.appendFrames({logsFrame({{Q_INT64_C(2500000000), QStringLiteral("b2"), {}}})});
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.lineAt(2), QStringLiteral("b2"));
    }

    void capDropsOldest()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMaxLines(3);
        m.setFrames({logsFrame({{1 * s, QStringLiteral("a"), {}}, {2 * s, QStringLiteral("b"), {}}})});
        m.appendFrames({logsFrame({{3 * s, QStringLiteral("c"), {}}, {4 * s, QStringLiteral("d"), {}}})});
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.oldestNs(), 2 * s);
        QCOMPARE(m.lineAt(0), QStringLiteral("d"));
    }

    void findRowWraps()
    {
        LogsModel m;
        m.setOrder(LogsModel::Order::OldestFirst);
        m.setFrames({logsFrame({{1 * s, QStringLiteral("needle one"), {}},
                                {2 * s, QStringLiteral("hay"), {}},
                                {3 * s, QStringLiteral("NEEDLE two"), {}}})});
        QCOMPARE(m.findRow(QStringLiteral("needle"), -1, true), 0);
        QCOMPARE(m.findRow(QStringLiteral("needle"), 0, true), 2);
        QCOMPARE(m.findRow(QStringLiteral("needle"), 2, true), 0);
        QCOMPARE(m.findRow(QStringLiteral("needle"), 0, false), 2);
        QCOMPARE(m.findRow(QStringLiteral("absent"), 0, true), -1);
    }

    void emptyAndMalformedFrames()
    {
        LogsModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model::Frame bad(QStringLiteral("logs"), model::FrameKind::Logs);
        bad.addField(model::Field::string(QStringLiteral("Line"), {QStringLiteral("no time column")}));
        m.setFrames({bad, model::Frame(QStringLiteral("e"), model::FrameKind::Logs)});
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.oldestNs(), 0);
        QCOMPARE(m.appendFrames({}), 0);
    }
};

QTEST_GUILESS_MAIN(TestLogsModel)
#include "tst_logs_model.moc"
