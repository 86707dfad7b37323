#include "app/gui/traces/span_stats_model.h"
#include "app/gui/traces/trace_analysis.h"

#include "trace_fixtures.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::traces;
using namespace spyglass::gui::traces::fixtures;

namespace {

constexpr std::int64_t ms = 1'000'000;

// cart/get twice (one with a db child), auth/check overlapping both cart calls.
const char *kTraceA = "frontend/GET_/ 0 100\n"
                      "  cart/get 10 30\n"
                      "    db/select 15 10 error\n"
                      "  cart/get 50 40\n"
                      "  auth/check 20 60\n";
// One cart call more, no db, no auth, a payment call instead.
const char *kTraceB = "frontend/GET_/ 0 120\n"
                      "  cart/get 10 30\n"
                      "  cart/get 45 30\n"
                      "  cart/get 80 30\n"
                      "  payment/charge 20 50\n";

TraceRowModel modelOf(const char *text, quint64 traceId = 0xabc)
{
    return TraceRowModel::build(spansFromText(QString::fromLatin1(text), traceId));
}

} // namespace

class TestTraceAnalysis : public QObject
{
    Q_OBJECT
private slots:
    void spanStatisticsSubtractsTheUnionOfChildren()
    {
        const QList<SpanStatRow> rows = spanStatistics(modelOf(kTraceA));
        QCOMPARE(rows.size(), 4);
        // By self time; cart/get and auth/check tie at 60 ms and keep trace order.
        QCOMPARE(rows[0].service + u'/' + rows[0].name, QStringLiteral("cart/get"));
        QCOMPARE(rows[0].count, 2);
        QCOMPARE(rows[0].totalNs, 70 * ms);
        QCOMPARE(rows[0].selfNs, 60 * ms); // 30 - 10 (db) + 40
        QCOMPARE(rows[0].minNs, 30 * ms);
        QCOMPARE(rows[0].maxNs, 40 * ms);
        QCOMPARE(rows[1].name, QStringLiteral("check"));
        QCOMPARE(rows[1].selfNs, 60 * ms);
        // Children cover [10, 90] of the root's 100 ms even though they overlap.
        QCOMPARE(rows[2].name, QStringLiteral("GET /"));
        QCOMPARE(rows[2].selfNs, 20 * ms);
        QCOMPARE(rows[3].name, QStringLiteral("select"));
        QCOMPARE(rows[3].selfNs, 10 * ms);
        QCOMPARE(rows[3].errors, 1);
        QCOMPARE(rows[0].errors, 0);
    }

    void childOutsideItsParentIsClipped()
    {
        // The child runs past its parent's end: only the overlap is subtracted.
        const QList<SpanStatRow> rows = spanStatistics(modelOf("a/root 0 10\n  b/late 5 20\n"));
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows[0].name, QStringLiteral("late"));
        QCOMPARE(rows[1].selfNs, 5 * ms);
    }

    void statsModelShowsAndSortsRawNumbers()
    {
        SpanStatsModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const TraceRowModel trace = modelOf(kTraceA);
        model.setRows(spanStatistics(trace), trace.duration());
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.index(0, SpanStatsModel::Service).data().toString(), QStringLiteral("cart"));
        QCOMPARE(model.index(0, SpanStatsModel::Count).data().toInt(), 2);
        QCOMPARE(model.index(0, SpanStatsModel::Self).data().toString(), QStringLiteral("60 ms"));
        QCOMPARE(model.index(0, SpanStatsModel::Self).data(SpanStatsModel::kSortRole).toLongLong(), 60 * ms);
        QCOMPARE(model.index(0, SpanStatsModel::SelfShare).data().toString(), QStringLiteral("40.0 %")); // of 150 ms summed self time
        QCOMPARE(model.index(0, SpanStatsModel::Average).data().toString(), QStringLiteral("35 ms"));
        QCOMPARE(model.index(3, SpanStatsModel::Errors).data().toInt(), 1);
        QCOMPARE(model.headerData(SpanStatsModel::Self, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Self time"));
        model.setRows({}, 0);
        QCOMPARE(model.rowCount(), 0);
    }

    void traceServiceGraphCountsCallsAndErrors()
    {
        const ServiceGraph g = traceServiceGraph(modelOf(kTraceA));
        QCOMPARE(g.services.size(), 4);
        QCOMPARE(g.edges.size(), 3);
        const int fc = g.edgeIndex(QStringLiteral("frontend"), QStringLiteral("cart"));
        const int fa = g.edgeIndex(QStringLiteral("frontend"), QStringLiteral("auth"));
        const int cd = g.edgeIndex(QStringLiteral("cart"), QStringLiteral("db"));
        QVERIFY(fc >= 0 && fa >= 0 && cd >= 0);
        QCOMPARE(g.edgeIndex(QStringLiteral("cart"), QStringLiteral("frontend")), -1);
        QCOMPARE(g.edges[fc].calls, 2);
        QCOMPARE(g.edges[fc].errors, 0);
        QCOMPARE(g.edges[fc].totalNs, 70 * ms);
        QCOMPARE(g.edges[fa].calls, 1);
        QCOMPARE(g.edges[cd].calls, 1);
        QCOMPARE(g.edges[cd].errors, 1);
        QCOMPARE(g.edges[cd].errorRate, 1.0);
        QCOMPARE(g.spanCounts[g.services.indexOf(QStringLiteral("cart"))], 2);
        QCOMPARE(g.errorCounts[g.services.indexOf(QStringLiteral("db"))], 1);

        const ServiceGraphLayout l = layoutServiceGraph(g);
        QCOMPARE(l.layers, 3);
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("frontend"))], 0);
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("cart"))], 1);
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("auth"))], 1);
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("db"))], 2);
        QCOMPARE(l.maxRows, 2);
    }

    void storeGraphRatesAndCycles()
    {
        // Two traces; b calls a back (a cycle) in the second.
        ServiceGraphBuilder b;
        b.addTrace(spansFromText(QStringLiteral("a/x 0 10\n  b/y 1 5\n"), 1));
        b.addTrace(spansFromText(QStringLiteral("a/x 0 10\n  b/y 1 5 error\n    a/z 2 1\n"), 2));
        const ServiceGraph g = b.finish(10.0);
        QCOMPARE(g.traces, 2);
        const int ab = g.edgeIndex(QStringLiteral("a"), QStringLiteral("b"));
        const int ba = g.edgeIndex(QStringLiteral("b"), QStringLiteral("a"));
        QCOMPARE(g.edges[ab].calls, 2);
        QCOMPARE(g.edges[ab].requestRate, 0.2);
        QCOMPARE(g.edges[ab].errorRate, 0.5);
        QCOMPARE(g.edges[ba].calls, 1);
        const ServiceGraphLayout l = layoutServiceGraph(g);
        // The back edge does not push `a` to a later layer.
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("a"))], 0);
        QCOMPARE(l.layer[g.services.indexOf(QStringLiteral("b"))], 1);
    }

    void traceAsProfileUsesSelfTimePerPath()
    {
        const model::Profile p = traceAsProfile(modelOf(kTraceA));
        QVERIFY(model::ProfileType::parse(p.typeId).has_value());
        QCOMPARE(p.functionNames.size(), 4);
        QHash<QString, qint64> byPath;
        for (const model::Profile::Stack &s : p.stacks) {
            QStringList names;
            for (auto it = s.functions.crbegin(); it != s.functions.crend(); ++it)
                names.push_back(p.functionNames[qsizetype(*it)]);
            byPath[names.join(u';')] += s.value;
        }
        QCOMPARE(byPath.size(), 4);
        QCOMPARE(byPath.value(QStringLiteral("frontend: GET /")), 20 * ms);
        QCOMPARE(byPath.value(QStringLiteral("frontend: GET /;cart: get")), 60 * ms); // two calls, one path
        QCOMPARE(byPath.value(QStringLiteral("frontend: GET /;cart: get;db: select")), 10 * ms);
        QCOMPARE(byPath.value(QStringLiteral("frontend: GET /;auth: check")), 60 * ms);
        QCOMPARE(p.total(), 150 * ms);
    }

    void compareMergesByServiceAndNamePath()
    {
        const TraceComparison c = compareTraces(modelOf(kTraceA, 1), modelOf(kTraceB, 2));
        QCOMPARE(c.nodes.size(), 5);
        QStringList order;
        for (const auto &n : c.nodes)
            order.push_back(n.service + u'/' + n.name + u':' + QString::number(n.countA) + u'/'
                            + QString::number(n.countB) + u'@' + QString::number(n.depth));
        QCOMPARE(order, QStringList({QStringLiteral("frontend/GET /:1/1@0"), QStringLiteral("cart/get:2/3@1"),
                                     QStringLiteral("db/select:1/0@2"), QStringLiteral("auth/check:1/0@1"),
                                     QStringLiteral("payment/charge:0/1@1")}));
        QCOMPARE(c.nodes[2].parent, 1);
        QCOMPARE(c.nodes[4].parent, 0);
        QCOMPARE(c.nodes[1].presence(), TraceComparison::Presence::Both);
        QCOMPARE(c.nodes[2].presence(), TraceComparison::Presence::OnlyA);
        QCOMPARE(c.nodes[4].presence(), TraceComparison::Presence::OnlyB);
        QCOMPARE(c.nodes[1].durationA, 70 * ms);
        QCOMPARE(c.nodes[1].durationB, 90 * ms);
        QCOMPARE(c.nodes[2].errorsA, 1);
        QCOMPARE(c.onlyA, 2);
        QCOMPARE(c.onlyB, 1);
        QCOMPARE(c.countChanged, 1);

        // A trace compared with itself: everything in both, nothing changed.
        const TraceComparison same = compareTraces(modelOf(kTraceA), modelOf(kTraceA));
        QCOMPARE(same.onlyA + same.onlyB + same.countChanged, 0);
        QCOMPARE(same.nodes.size(), 4);
        // Against an empty trace: all of A only in A.
        const TraceComparison empty = compareTraces(modelOf(kTraceA), TraceRowModel());
        QCOMPARE(empty.onlyA, 4);
    }

    void jumpsToLogsAndMetrics()
    {
        const TraceRowModel m = modelOf(kTraceA);
        const model::Span &db = m.span(2);
        QCOMPARE(db.serviceName, QStringLiteral("db"));
        const SignalJump logs = logsForSpan(db);
        QCOMPARE(logs.query, QStringLiteral("{service_name=\"db\"} |= \"00000000000000000000000000000abc\""));
        QCOMPARE(logs.from, db.start - 1'000'000'000);
        QCOMPARE(logs.to, db.end + 1'000'000'000);
        const SignalJump metrics = metricsForService(QStringLiteral("we\"ird"), m.start(), m.end());
        QCOMPARE(metrics.query, QStringLiteral("sum by (span_name, status_code) "
                                               "(rate(traces_spanmetrics_calls_total{service=\"we\\\"ird\"}[5m]))"));
        QCOMPARE(metrics.to - metrics.from, m.duration() + 2 * 15 * 60 * 1'000'000'000LL);
    }
};

QTEST_GUILESS_MAIN(TestTraceAnalysis)
#include "tst_trace_analysis.moc"
