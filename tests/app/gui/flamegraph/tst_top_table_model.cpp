#include "app/gui/flamegraph/top_table_model.h"
#include "flame_fixtures.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;
using spyglass::test::folded;

namespace {

QString cell(const QAbstractItemModel &m, int row, int col, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, col), role).toString();
}

} // namespace

class TestTopTableModel : public QObject
{
    Q_OBJECT
private slots:
    void rowsPerFunctionWithUnits()
    {
        TopTableModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m.rowCount(), 0);
        const CallTree t = CallTree::build(StackSet::fromProfile(
            folded("main;parse 3000000000\nmain;parse;alloc 1000000000\nmain 500000000\n",
                   QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"))));
        m.setTree(t, ValueUnit::Nanoseconds);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.columnCount(), 3);
        QCOMPARE(m.headerData(TopTableModel::Self, Qt::Horizontal).toString(), QStringLiteral("Self"));
        const int parse = m.rowOfFunction(std::uint32_t(t.names().indexOf(QStringLiteral("parse"))));
        QVERIFY(parse >= 0);
        QCOMPARE(cell(m, parse, TopTableModel::Function), QStringLiteral("parse"));
        QCOMPARE(cell(m, parse, TopTableModel::Self), QStringLiteral("3.00 s  66.7 %"));
        QCOMPARE(cell(m, parse, TopTableModel::Total), QStringLiteral("4.00 s  88.9 %"));
        QCOMPARE(m.data(m.index(parse, TopTableModel::Total), TopTableModel::SortRole).toDouble(), 4e9);
        QCOMPARE(m.data(m.index(parse, 0), TopTableModel::FunctionIdRole).toUInt(), m.functionAt(parse));
        QVERIFY(!m.data(m.index(99, 0)).isValid());
        QCOMPARE(m.rowOfFunction(12345), -1);
        m.clear();
        QCOMPARE(m.rowCount(), 0);
    }

    void sortsAndFiltersThroughProxy()
    {
        TopTableModel m;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&m);
        proxy.setSortRole(TopTableModel::SortRole);
        proxy.setFilterKeyColumn(TopTableModel::Function);
        proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setTree(CallTree::build(StackSet::fromProfile(folded("main;small 1\nmain;big 90\nmain;mid 9\n"))),
                  ValueUnit::Count);
        proxy.sort(TopTableModel::Self, Qt::DescendingOrder);
        QCOMPARE(cell(proxy, 0, 0), QStringLiteral("big"));
        QCOMPARE(cell(proxy, 1, 0), QStringLiteral("mid"));
        QCOMPARE(cell(proxy, 2, 0), QStringLiteral("small"));
        QCOMPARE(cell(proxy, 3, 0), QStringLiteral("main")); // self 0
        proxy.sort(TopTableModel::Total, Qt::DescendingOrder);
        QCOMPARE(cell(proxy, 0, 0), QStringLiteral("main"));
        proxy.setFilterFixedString(QStringLiteral("MA"));
        QCOMPARE(proxy.rowCount(), 2); // main, small
        proxy.setFilterFixedString(QString());
        QCOMPARE(proxy.rowCount(), 4);
    }

    void diffColumnsListRegressionsFirst()
    {
        TopTableModel m;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&m);
        proxy.setSortRole(TopTableModel::SortRole);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto a = folded("main;work 50\nmain;idle 50\n");
        const auto b = folded("main;work 160\nmain;fresh 40\n");
        m.setTree(CallTree::build(StackSet::diff(a, b)), ValueUnit::Count);
        QVERIFY(m.isDiff());
        QCOMPARE(m.columnCount(), int(TopTableModel::DiffColumnCount));
        QCOMPARE(m.headerData(TopTableModel::SelfChange, Qt::Horizontal).toString(), QStringLiteral("Self change"));
        proxy.sort(TopTableModel::SelfChange, Qt::DescendingOrder);
        QCOMPARE(cell(proxy, 0, 0), QStringLiteral("work"));
        QCOMPARE(cell(proxy, 0, TopTableModel::SelfBaseline), QStringLiteral("50.0 %"));
        QCOMPARE(cell(proxy, 0, TopTableModel::SelfComparison), QStringLiteral("80.0 %"));
        QCOMPARE(cell(proxy, 0, TopTableModel::SelfChange), QStringLiteral("+30.0 %"));
        QCOMPARE(cell(proxy, 1, 0), QStringLiteral("fresh"));
        QCOMPARE(cell(proxy, 1, TopTableModel::SelfChange, Qt::ToolTipRole),
                 QStringLiteral("Only in the comparison profile"));
        const int last = proxy.rowCount() - 1;
        QCOMPARE(cell(proxy, last, 0), QStringLiteral("idle"));
        QCOMPARE(cell(proxy, last, TopTableModel::SelfChange), QStringLiteral("-50.0 %"));
        QCOMPARE(cell(proxy, last, TopTableModel::SelfChange, Qt::ToolTipRole),
                 QStringLiteral("Only in the baseline profile"));
        // Back to a plain profile: the columns shrink again.
        m.setTree(CallTree::build(StackSet::fromProfile(b)), ValueUnit::Count);
        QCOMPARE(proxy.columnCount(), 3);
    }
};

QTEST_GUILESS_MAIN(TestTopTableModel)
#include "tst_top_table_model.moc"
