#include "app/gui/traces/trace_row_model.h"

#include "trace_fixtures.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::traces;
using namespace spyglass::gui::traces::fixtures;

namespace {

// Span ids are the line numbers. Children sort by start, so the pre-order
// is 1 2 3 6 4 5 7 8 9; db/count overlaps db/select and is the only span
// off the critical path.
const char *kShop = R"(
frontend/GET_/checkout 0 100
  auth/verify 2 8
  cart/get_cart 10 30
    db/select 15 10 error
    db/count 16 5
    cache/get 12 2
  payment/charge 45 50 event@60
    bank/authorize 50 40
  frontend/render 96 3
)";

QList<quint64> preorderIds(const TraceRowModel &m)
{
    QList<quint64> out;
    for (int i = 0; i < m.nodeCount(); ++i)
        out.push_back(qFromBigEndian<quint64>(m.span(i).spanId.constData()));
    return out;
}

QList<quint64> visibleIds(const TraceRowModel &m)
{
    QList<quint64> out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.push_back(qFromBigEndian<quint64>(m.span(m.nodeAtRow(r)).spanId.constData()));
    return out;
}

} // namespace

class TestTraceRowModel : public QObject
{
    Q_OBJECT
private slots:
    void buildsTreeInStartOrder()
    {
        const TraceRowModel m = TraceRowModel::build(spansFromText(QString::fromLatin1(kShop)));
        QCOMPARE(m.nodeCount(), 9);
        QCOMPARE(preorderIds(m), (QList<quint64>{1, 2, 3, 6, 4, 5, 7, 8, 9}));
        QList<int> depths;
        for (int i = 0; i < m.nodeCount(); ++i)
            depths.push_back(m.node(i).depth);
        QCOMPARE(depths, (QList<int>{0, 1, 1, 2, 2, 2, 1, 2, 1}));
        QCOMPARE(m.node(0).subtreeSize, 9);
        QCOMPARE(m.node(2).subtreeSize, 4);
        QCOMPARE(m.node(2).childCount, 3);
        QCOMPARE(m.children(2), (QList<int>{3, 4, 5}));
        QCOMPARE(m.node(4).parent, 2);
        QCOMPARE(m.maxDepth(), 2);
        QCOMPARE(m.duration(), model::TimestampNs(100'000'000));
        QCOMPARE(m.errorCount(), 1);
        QVERIFY(m.node(4).error);
        QCOMPARE(m.services(), (QStringList{QStringLiteral("frontend"), QStringLiteral("auth"), QStringLiteral("cart"),
                                           QStringLiteral("cache"), QStringLiteral("db"), QStringLiteral("payment"),
                                           QStringLiteral("bank")}));
        QCOMPARE(m.node(8).service, 0); // frontend/render shares the root's colour
        QCOMPARE(m.traceId(), traceIdBytes());
        QCOMPARE(m.nodeOfSpanId(spanIdBytes(8)), 7);
        QCOMPARE(m.nodeOfSpanId(spanIdBytes(99)), -1);
    }

    void criticalPath()
    {
        const TraceRowModel m = TraceRowModel::build(spansFromText(QString::fromLatin1(kShop)));
        QCOMPARE(m.criticalCount(), 8);
        QVERIFY(!m.node(5).critical); // db/count overlaps db/select, which finishes later
        for (int i : {0, 1, 2, 3, 4, 6, 7, 8})
            QVERIFY2(m.node(i).critical, qPrintable(m.span(i).name));
    }

    void criticalPathSkipsChildEndingAfterLaterSibling()
    {
        // b ends last, so the path goes root -> b; a overlaps b's start and is
        // skipped; c ends before b starts and is on the path again.
        const TraceRowModel m = TraceRowModel::build(spansFromText(QStringLiteral("s/root 0 100\n"
                                                                                  "  s/c 1 10\n"
                                                                                  "  s/a 20 50\n"
                                                                                  "  s/b 40 55\n")));
        QCOMPARE(preorderIds(m), (QList<quint64>{1, 2, 3, 4}));
        QVERIFY(m.node(0).critical);
        QVERIFY(m.node(1).critical);
        QVERIFY(!m.node(2).critical);
        QVERIFY(m.node(3).critical);
    }

    void collapseAndExpand()
    {
        TraceRowModel m = TraceRowModel::build(spansFromText(QString::fromLatin1(kShop)));
        QCOMPARE(m.rowCount(), 9);
        m.setCollapsed(2, true); // cart
        QVERIFY(m.isCollapsed(2));
        QCOMPARE(visibleIds(m), (QList<quint64>{1, 2, 3, 7, 8, 9}));
        QCOMPARE(m.rowOfNode(4), -1);
        QCOMPARE(m.rowOfNode(6), 3);
        m.setCollapsed(1, true); // a leaf: nothing to collapse
        QVERIFY(!m.isCollapsed(1));
        m.reveal(4);
        QCOMPARE(m.rowCount(), 9);
        QCOMPARE(m.rowOfNode(4), 4);
        m.collapseBelow(1);
        QCOMPARE(visibleIds(m), (QList<quint64>{1, 2, 3, 7, 9}));
        m.collapseBelow(0);
        QCOMPARE(m.rowCount(), 1);
        m.toggleCollapsed(0);
        QCOMPARE(m.rowCount(), 5); // children stay folded
        m.expandAll();
        QCOMPARE(m.rowCount(), 9);
    }

    void searchFindsNamesServicesAttributesAndIds()
    {
        const TraceRowModel m = TraceRowModel::build(spansFromText(QString::fromLatin1(kShop)));
        QCOMPARE(m.search(QStringLiteral("db")), (QList<int>{4, 5}));
        QCOMPARE(m.search(QStringLiteral("CHECKOUT")), (QList<int>{0}));
        QCOMPARE(m.search(QStringLiteral("boom")), (QList<int>{4})); // status message
        QCOMPARE(m.search(QStringLiteral("0000000000000007")), (QList<int>{6}));
        QCOMPARE(m.search(QStringLiteral("fixture.line")).size(), 9); // attribute key
        QVERIFY(m.search(QStringLiteral("   ")).isEmpty());
        QVERIFY(m.search(QStringLiteral("nothing-like-this")).isEmpty());
    }

    void orphansAndCyclesBecomeRoots()
    {
        QList<model::Span> spans = spansFromText(QStringLiteral("a/root 0 10\n"
                                                                "  a/child 1 2\n"
                                                                "b/late 5 1\n"
                                                                "c/x 2 1\n"
                                                                "c/y 3 1\n"));
        spans[2].parentSpanId = spanIdBytes(77); // parent never arrived
        // x and y point at each other: no root among them.
        spans[3].parentSpanId = spans[4].spanId;
        spans[4].parentSpanId = spans[3].spanId;
        const TraceRowModel m = TraceRowModel::build(spans);
        QCOMPARE(m.nodeCount(), 5);
        QCOMPARE(preorderIds(m).first(), quint64(1)); // the real root comes first
        QCOMPARE(m.node(m.nodeOfSpanId(spanIdBytes(3))).parent, -1);
        QVERIFY(m.node(m.nodeOfSpanId(spanIdBytes(3))).orphan);
        int roots = 0;
        for (int i = 0; i < m.nodeCount(); ++i)
            roots += m.node(i).parent < 0 ? 1 : 0;
        QCOMPARE(roots, 3); // root, late, and one of x/y
        QCOMPARE(m.rowCount(), 5);
    }

    void emptyTrace()
    {
        TraceRowModel m = TraceRowModel::build({});
        QVERIFY(m.isEmpty());
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.rootNode(), -1);
        m.expandAll();
        QVERIFY(m.search(QStringLiteral("x")).isEmpty());
    }

    void hundredThousandSpans()
    {
        const int n = 100'000;
        const TraceRowModel m = TraceRowModel::build(syntheticTrace(n));
        QCOMPARE(m.nodeCount(), n);
        QCOMPARE(m.rowCount(), n);
        QCOMPARE(m.node(0).subtreeSize, n);
        QCOMPARE(m.span(0).spanId, spanIdBytes(1));
        QCOMPARE(m.maxDepth(), 9);
        QCOMPARE(m.services().size(), 8);
        QCOMPARE(m.errorCount(), (n - 1) / 97);
        QCOMPARE(m.criticalCount(), n); // children never overlap in this tree
        for (int i = 1; i < n; ++i) {
            const int p = m.node(i).parent;
            QVERIFY(p >= 0 && p < i);
            QCOMPARE(m.node(i).depth, m.node(p).depth + 1);
        }
        for (int i = 0; i < n; ++i) {
            const QList<int> kids = m.children(i);
            for (int k = 1; k < kids.size(); ++k)
                QVERIFY(m.span(kids[k - 1]).start <= m.span(kids[k]).start);
        }
        TraceRowModel folded = m;
        folded.collapseBelow(2);
        QCOMPARE(folded.rowCount(), 1 + 4 + 16);
    }

    void durations()
    {
        QCOMPARE(formatDurationNs(0), QStringLiteral("0 ns"));
        QCOMPARE(formatDurationNs(420), QStringLiteral("420 ns"));
        QCOMPARE(formatDurationNs(850'000), QStringLiteral("850 µs"));
        QCOMPARE(formatDurationNs(1'500'000), QStringLiteral("1.5 ms"));
        QCOMPARE(formatDurationNs(12'345'678), QStringLiteral("12.3 ms"));
        QCOMPARE(formatDurationNs(2'000'000'000), QStringLiteral("2 s"));
        QCOMPARE(formatDurationNs(90'000'000'000), QStringLiteral("1.5 min"));
        QCOMPARE(hexId(QByteArray::fromHex("00ff10")), QStringLiteral("00ff10"));
    }
};

QTEST_GUILESS_MAIN(TestTraceRowModel)
#include "tst_trace_row_model.moc"
