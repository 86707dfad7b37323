#include "core/query/traceql/engine.h"
#include "core/query/traceql/evaluator.h"
#include "core/query/traceql/parser.h"
#include "trace_fixture.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::query::traceql;

namespace {

// "1:{1,2,6} 2:{1}" — per trace, the span numbers (last id byte) of each
// spanset, spansets separated by "|".
QString run(const QString &query)
{
    auto q = TraceqlParser::parse(query);
    if (!q)
        return QStringLiteral("ERROR ") + q.error().toString();
    QStringList out;
    for (const auto &spans : {fixture::trace1(), fixture::trace2()}) {
        const TraceView t(spans);
        const auto sets = Evaluator::evaluate(*q, t);
        if (sets.isEmpty())
            continue;
        QStringList setTexts;
        for (const auto &s : sets) {
            QStringList ids;
            for (int i : s.spans)
                ids << QString::number(int(t.spans()[i].spanId[7]));
            setTexts << u'{' + ids.join(u',') + u'}';
        }
        out << QString::number(int(spans.front().traceId[15])) + u':' + setTexts.join(u'|');
    }
    return out.join(u' ');
}

} // namespace

class TestTraceqlEvaluator : public QObject
{
    Q_OBJECT

private slots:
    void queries_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *q, const char *e) {
            QTest::newRow(q) << QString::fromUtf8(q) << QString::fromUtf8(e);
        };
        // Intrinsics and attributes.
        row("{ }", "1:{1,2,3,4,5,6} 2:{1,2,3}");
        row("{}", "1:{1,2,3,4,5,6} 2:{1,2,3}");
        row("{ true }", "1:{1,2,3,4,5,6} 2:{1,2,3}");
        row("{ resource.service.name = \"frontend\" }", "1:{1,2,6}");
        row("{ .service.name = \"payment\" }", "2:{2}");
        row("{ resource.deployment.environment = \"prod\" }", "1:{1}");
        row("{ span.http.status_code >= 500 }", "1:{3} 2:{1}");
        row("{ .http.status_code = 200 }", "1:{1}");
        row("{ span.http.method = \"GET\" }", "1:{1}");
        row("{ span.http.method != \"POST\" }", "1:{1}"); // missing attribute: false
        row("{ duration > 100ms }", "1:{1,2,3} 2:{1,2}");
        row("{ duration >= 100ms && duration < 0.15s }", "1:{3,4}");
        row("{ span:duration > 1h }", "");
        row("{ status = error }", "1:{4} 2:{1,2}");
        row("{ span:status = ok }", "1:{1} 2:{3}");
        row("{ status != error && kind = server }", "1:{1,3}");
        row("{ kind = client }", "1:{2,4} 2:{3}");
        row("{ span:kind = internal }", "1:{5,6}");
        row("{ name = \"SELECT\" }", "1:{4} 2:{3}");
        row("{ span:name = \"Charge\" }", "2:{2}");
        row("{ name =~ \"GET.*\" }", "1:{1}");
        row("{ name =~ \"GET\" }", ""); // regexes are anchored
        row("{ name !~ \".*GET.*\" && kind = server }", "1:{3} 2:{1,2}");
        row("{ name =~ \"(?i)select\" }", "1:{4} 2:{3}");
        row("{ statusMessage = \"db timeout\" }", "1:{4}");
        row("{ span.db.system = \"postgresql\" || span.db.system = \"mysql\" }", "1:{4} 2:{3}");
        row("{ span.db.system != nil }", "1:{4} 2:{3}");
        row("{ span.db.system = nil && kind = client }", "1:{2}");
        row("{ event.exception.message = \"timeout\" }", "1:{4}");
        row("{ event:name = \"exception\" && event.exception.message =~ \"time.*\" }", "1:{4}");
        row("{ event:timeSinceStart > 80ms }", "1:{4}");
        row("{ link:traceID = \"10000000000000000000000000000001\" }", "2:{2}");
        row("{ link:spanID = \"2100000000000004\" }", "2:{2}");
        row("{ span:id = \"2200000000000003\" }", "2:{3}");
        row("{ trace:id = \"10000000000000000000000000000002\" && kind = client }", "2:{3}");
        row("{ span:parentID = \"2100000000000003\" }", "1:{4,5}");
        row("{ rootServiceName = \"checkout\" }", "2:{1,2,3}");
        row("{ trace:rootService = \"frontend\" && name = \"render\" }", "1:{6}");
        row("{ rootName = \"POST /checkout\" && status = ok }", "2:{3}");
        row("{ traceDuration > 500ms }", "2:{1,2,3}");
        row("{ trace:duration < 300ms && kind = server }", "1:{1,3}");
        row("{ instrumentation:name = \"pg\" }", "1:{4}");
        row("{ nestedSetParent = -1 }", "1:{1} 2:{1}");
        row("{ nestedSetLeft = 1 }", "1:{1} 2:{1}");
        row("{ span:childCount = 2 }", "1:{1,3} 2:{1}");
        row("{ !(status = error) && kind = client }", "1:{2} 2:{3}");
        row("{ span.http.status_code - 300 = 200 }", "1:{3}");
        row("{ span.http.status_code / 100 = 5 }", "1:{3}");
        row("{ span.http.status_code % 100 = 3 }", "2:{1}");
        row("{ 2 ^ 3 = 8 && name = \"render\" }", "1:{6}");
        row("{ duration * 2 > 1s }", "2:{1}");
        row("{ span.http.status_code = \"500\" }", ""); // int is not a string
        row("{ span.http.method = nil }", "1:{2,3,4,5,6} 2:{1,2,3}");
        // Spanset operators.
        row("{ status = error } && { name = \"render\" }", "1:{4,6}");
        row("{ status = error } || { name = \"render\" }", "1:{4,6} 2:{1,2}");
        row("{ resource.service.name = \"frontend\" } > { resource.service.name = \"productcatalog\" }", "1:{3}");
        row("{ resource.service.name = \"frontend\" } >> { status = error }", "1:{4}");
        row("{ name = \"SELECT\" } < { }", "1:{3} 2:{1}");
        row("{ name = \"SELECT\" } << { kind = server }", "1:{1,3} 2:{1}");
        row("{ name = \"SELECT\" } ~ { }", "1:{5} 2:{2}");
        row("{ kind = server } !> { kind = server }", "1:{1,3} 2:{1}");
        row("{ resource.service.name = \"frontend\" } !>> { }", "1:{1} 2:{1,2,3}");
        row("{ kind = internal } !< { }", "1:{2,4,5,6} 2:{1,2,3}");
        row("{ status = error } !<< { kind = server }", "2:{2}");
        row("{ name = \"cache.get\" } !~ { kind = client }", "1:{2} 2:{3}");
        row("{ resource.service.name = \"frontend\" } &> { resource.service.name = \"productcatalog\" }", "1:{2,3}");
        row("{ kind = server && nestedSetParent = -1 } &>> { status = error }", "1:{1,4} 2:{1,2}");
        row("{ name = \"SELECT\" } &< { }", "1:{3,4} 2:{1,3}");
        row("{ name = \"SELECT\" } &<< { kind = server }", "1:{1,3,4} 2:{1,3}");
        row("{ name = \"SELECT\" } &~ { }", "1:{4,5} 2:{2,3}");
        row("{ kind = server } > { kind = client } > { status = error }", ""); // left-associative
        row("{ kind = server } > { kind = client } > { kind = server }", "1:{3}");
        row("{ status = error } && { kind = client } || { name = \"render\" }", "1:{2,4,6} 2:{1,2,3}");
        // Pipelines.
        row("{ } | count() > 4", "1:{1,2,3,4,5,6}");
        row("{ } | count() = 3", "2:{1,2,3}");
        row("{ } | avg(duration) > 300ms", "2:{1,2,3}");
        row("{ } | max(duration) >= 600ms", "2:{1,2,3}");
        row("{ } | min(duration) < 5ms", "1:{1,2,3,4,5,6}");
        row("{ kind = server } | sum(duration) > 900ms", "2:{1,2}");
        row("{ } | sum(span.http.status_code) = 700", "1:{1,2,3,4,5,6}");
        row("{ } | by(resource.service.name)", "1:{1,2,6}|{3,4,5} 2:{1,3}|{2}");
        row("{ } | by(resource.service.name) | count() > 2", "1:{1,2,6}|{3,4,5}");
        row("{ } | by(kind, status)", "1:{1}|{2}|{3}|{4}|{5,6} 2:{1,2}|{3}");
        row("{ } | by(resource.service.name) | coalesce()", "1:{1,2,3,4,5,6} 2:{1,2,3}");
        row("{ duration > 100ms } | { status = error }", "2:{1,2}");
        row("{ } | { kind = server } | count() > 1", "1:{1,3} 2:{1,2}");
        row("({ kind = server } | count() > 1) && { status = error }", "1:{1,3,4} 2:{1,2}");
        row("({ kind = server } | count() > 2) || { name = \"render\" }", "1:{6}");
        row("{ status = error } | select(span.http.status_code)", "1:{4} 2:{1,2}");
    }

    void queries()
    {
        QFETCH(QString, query);
        QFETCH(QString, expected);
        QCOMPARE(run(query), expected);
    }

    void aggregatesAndByAreRecorded()
    {
        auto q = TraceqlParser::parse(QStringLiteral("{ } | by(resource.service.name) | avg(duration) > 100ms"));
        QVERIFY(q);
        const TraceView t(fixture::trace1());
        const auto sets = Evaluator::evaluate(*q, t);
        QCOMPARE(sets.size(), 1); // frontend: (200+150+15)/3 = 121.7ms; productcatalog: 74ms
        QCOMPARE(sets[0].attributes.size(), 2);
        QCOMPARE(sets[0].attributes[0].first, QStringLiteral("resource.service.name"));
        QCOMPARE(sets[0].attributes[0].second.s, QStringLiteral("frontend"));
        QCOMPARE(sets[0].attributes[1].first, QStringLiteral("avg(duration)"));
        QCOMPARE(sets[0].attributes[1].second.type, Value::Type::Duration);
        QCOMPARE(qint64(sets[0].attributes[1].second.num), (200 + 150 + 15) * fixture::kMs / 3);
    }

    void selectAndReferencedFieldsAreShown()
    {
        auto q = TraceqlParser::parse(QStringLiteral("{ status = error && resource.service.name != \"x\" } | select(span.http.status_code)"));
        QVERIFY(q);
        auto resp = TraceqlEngine::searchTraces(*q, {fixture::trace1(), fixture::trace2()}, 0, 2);
        QCOMPARE(resp.traces.size(), 2);
        QCOMPARE(resp.inspectedSpans, 9);
        const auto &t2 = resp.traces[1];
        QCOMPARE(t2.summary.rootServiceName, QStringLiteral("checkout"));
        QCOMPARE(t2.spanSets.size(), 1);
        QCOMPARE(t2.spanSets[0].matched, 2);
        const auto &m = t2.spanSets[0].spans[0];
        QCOMPARE(m.span.name, QStringLiteral("POST /checkout"));
        QStringList names;
        for (const auto &[n, v] : m.attributes)
            names << n + u'=' + v.toString();
        QCOMPARE(names, (QStringList{QStringLiteral("status=error"), QStringLiteral("service.name=checkout"),
                                     QStringLiteral("http.status_code=503")}));
        // spss cuts the spans shown, not the matched count.
        auto one = TraceqlEngine::searchTraces(*TraceqlParser::parse(QStringLiteral("{ }")), {fixture::trace1()}, 0, 1);
        QCOMPARE(one.traces[0].spanSets[0].matched, 6);
        QCOMPARE(one.traces[0].spanSets[0].spans.size(), 1);
        QCOMPARE(one.traces[0].spanSets[0].spans[0].span.name, QStringLiteral("GET /api/products"));
    }

    void metrics()
    {
        const QList<TraceView> traces{TraceView(fixture::trace1()), TraceView(fixture::trace2())};
        const auto start = fixture::kT0;
        const auto end = fixture::kT0 + 2000 * fixture::kMs;
        const auto step = 1000 * fixture::kMs;
        auto frames = [&](const char *query) {
            auto q = TraceqlParser::parse(QString::fromUtf8(query));
            if (!q)
                qFatal("%s", qPrintable(q.error().toString()));
            return TraceqlEngine::metrics(*q, traces, start, end, step);
        };
        auto values = [](const model::Frame &f) {
            QStringList out;
            const auto &t = f.fields()[0].int64s();
            const auto &v = f.fields()[1].doubles();
            for (qsizetype i = 0; i < t.size(); ++i)
                out << QStringLiteral("%1=%2").arg((t[i] - fixture::kT0 / 1'000'000) / 1000).arg(v[i]);
            return out.join(u' ');
        };
        auto f = frames("{ } | count_over_time()");
        QCOMPARE(f.size(), 1);
        QCOMPARE(values(f[0]), QStringLiteral("0=6 1=3"));
        f = frames("{ status = error } | rate()");
        QCOMPARE(values(f[0]), QStringLiteral("0=1 1=2"));
        f = frames("{ } | count_over_time() by (resource.service.name)");
        QCOMPARE(f.size(), 4);
        QCOMPARE(f[0].seriesLabels().value(u"resource.service.name"), QStringLiteral("checkout"));
        QCOMPARE(values(f[0]), QStringLiteral("0=0 1=2"));
        QCOMPARE(f[1].seriesLabels().value(u"resource.service.name"), QStringLiteral("frontend"));
        QCOMPARE(values(f[1]), QStringLiteral("0=3 1=0"));
        f = frames("{ kind = server } | quantile_over_time(duration, .5, 1)");
        QCOMPARE(f.size(), 2);
        QCOMPARE(f[0].seriesLabels().value(u"p"), QStringLiteral("0.5"));
        QCOMPARE(values(f[0]), QStringLiteral("0=0.16 1=0.5"));
        QCOMPARE(values(f[1]), QStringLiteral("0=0.2 1=0.6"));
        f = frames("{ } | max_over_time(duration) by (kind)");
        QCOMPARE(f.size(), 3); // client, internal, server
        for (const auto &fr : f)
            if (fr.seriesLabels().value(u"kind") == QLatin1String("client"))
                QCOMPARE(values(fr), QStringLiteral("0=0.15 1=0.02"));
        f = frames("{ } | avg_over_time(span.http.status_code)");
        QCOMPARE(values(f[0]), QStringLiteral("0=350 1=503"));
        f = frames("{ name = \"SELECT\" } | histogram_over_time(duration)");
        QCOMPARE(f.size(), 2);
        QCOMPARE(f[0].seriesLabels().value(u"__bucket"), QStringLiteral("0.033554432")); // 20ms -> 2^25 ns
        QCOMPARE(values(f[0]), QStringLiteral("1=1"));
        QCOMPARE(f[1].seriesLabels().value(u"__bucket"), QStringLiteral("0.134217728")); // 100ms -> 2^27 ns
        QCOMPARE(values(f[1]), QStringLiteral("0=1"));
    }
};

QTEST_GUILESS_MAIN(TestTraceqlEvaluator)
#include "tst_traceql_evaluator.moc"
