#include "core/query/traceql/parser.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::query::traceql;

class TestTraceqlParser : public QObject
{
    Q_OBJECT

private slots:
    // Queries from Tempo's TraceQL documentation must all parse.
    void documentedQueriesParse_data()
    {
        QTest::addColumn<QString>("query");
        const char *queries[] = {
            "{ }",
            "{ .http.status_code = 200 }",
            "{ span.http.method = \"GET\" }",
            "{ resource.service.name = \"frontend\" }",
            "{ .service.name = \"frontend\" }",
            "{ resource.namespace = \"prod\" && span.http.status_code >= 500 }",
            "{ span.http.status_code >= 400 && span.http.status_code < 500 }",
            "{ duration > 2s }",
            "{ span:duration > 1h30m }",
            "{ status = error }",
            "{ span:status = error && span:statusMessage =~ \".*timeout.*\" }",
            "{ kind = server }",
            "{ span:kind = client }",
            "{ name = \"HTTP GET - root\" }",
            "{ rootName = \"HTTP Get - root\" }",
            "{ rootServiceName = \"frontend\" }",
            "{ trace:rootService = \"frontend\" && trace:rootName = \"x\" && trace:duration > 1m }",
            "{ traceDuration > 5s }",
            "{ span:id = \"0000000000000001\" }",
            "{ trace:id = \"aabb\" }",
            "{ event:name = \"exception\" }",
            "{ event.exception.message =~ \".*something went wrong.*\" }",
            "{ event:timeSinceStart > 2ms }",
            "{ link:traceID = \"abc\" && link:spanID = \"def\" }",
            "{ link.opentracing.ref_type = \"child_of\" }",
            "{ instrumentation:name = \"io.opentelemetry\" && instrumentation:version = \"1.0\" }",
            "{ instrumentation.my-attr = \"x\" }",
            "{ span.\"attribute name with space\" = \"value\" }",
            "{ .foo != nil }",
            "{ nestedSetParent < 0 }",
            "{ span.http.request_content_length > 10 * span.http.response_content_length }",
            "{ .http.status_code = 500 } && { .http.status_code = 200 }",
            "{ .http.status_code = 500 } || { .http.status_code = 200 }",
            "{ resource.service.name = \"frontend\" } > { resource.service.name = \"shop-backend\" }",
            "{ resource.service.name = \"frontend\" } >> { status = error }",
            "{ .http.status_code = 200 } < { .db.system = \"postgresql\" }",
            "{ } << { status = error }",
            "{ .http.url = \"/order\" } ~ { .http.url = \"/payment\" }",
            "{ } !> { } !>> { } !< { } !<< { } !~ { }",
            "{ } &> { } &>> { } &< { } &<< { } &~ { }",
            "{ .http.status_code = 200 } | count() > 3",
            "{ } | avg(duration) > 20ms",
            "{ } | min(span.http.request_content_length) > 100 | max(duration) < 1s | sum(duration) > 1s",
            "{ } | by(resource.service.name) | count() > 1",
            "{ status = error } | by(resource.service.name, name)",
            "{ status = error } | select(span.http.status_code, span.http.url)",
            "{ } | coalesce()",
            "({ resource.service.name = \"a\" } | count() > 1) && { status = error }",
            "{ } | { kind = server }",
            "{ resource.service.name = \"foo\" } | rate()",
            "{ status = error } | rate() by (resource.service.name)",
            "{ } | count_over_time() by (span.http.route)",
            "{ } | quantile_over_time(duration, .99, .9, .5)",
            "{ } | quantile_over_time(duration, 0.99) by (span.http.target)",
            "{ } | histogram_over_time(duration) by (resource.service.name)",
            "{ } | min_over_time(duration) | max_over_time(duration)", // invalid: checked below
            "{ name =~ `a\\w+` }",
            "{ .a = -1 && .b = -1.5 && .c = -2s && .d = 1e3 }",
            "{ 1.5 < .x }",
            "{ true && !false }",
            "{ .x = 1h2m3s4ms5us6ns }",
        };
        for (const char *q : queries)
            QTest::newRow(q) << QString::fromUtf8(q);
    }

    void documentedQueriesParse()
    {
        QFETCH(QString, query);
        auto r = TraceqlParser::parse(query);
        if (query.contains(QLatin1String("min_over_time(duration) | max_over_time"))) {
            QVERIFY(!r);
            return;
        }
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
    }

    void structure()
    {
        auto r = TraceqlParser::parse(QStringLiteral("{ a } ")); // `a` is not an intrinsic
        QVERIFY(!r);
        auto q = TraceqlParser::parse(QStringLiteral("{ span.http.status_code >= 500 && name = \"x\" } >> { status = error } | count() > 2"));
        QVERIFY2(q, q ? "" : qPrintable(q.error().toString()));
        const auto &head = *q->pipeline.head;
        QCOMPARE(head.kind, SpansetExpr::Kind::Binary);
        QCOMPARE(head.op, SpansetOp::Descendant);
        const auto &f = *head.lhs->filter;
        QCOMPARE(f.op, FieldExpr::Op::And);
        QCOMPARE(f.lhs->op, FieldExpr::Op::Gte);
        QCOMPARE(f.lhs->lhs->scope, Scope::Span);
        QCOMPARE(f.lhs->lhs->name, QStringLiteral("http.status_code"));
        QCOMPARE(f.lhs->rhs->literal.type, Value::Type::Int);
        QCOMPARE(f.lhs->rhs->literal.num, 500.0);
        QCOMPARE(f.rhs->op, FieldExpr::Op::Eq);
        QCOMPARE(f.rhs->lhs->intrinsic, Intrinsic::Name);
        QCOMPARE(q->pipeline.stages.size(), 1);
        QCOMPARE(q->pipeline.stages[0].kind, Stage::Kind::AggregateFilter);
        QCOMPARE(q->pipeline.stages[0].threshold.num, 2.0);

        // Precedence: && binds tighter than ||, and structural tighter than &&.
        q = TraceqlParser::parse(QStringLiteral("{ } > { } && { } || { }"));
        QVERIFY(q);
        QCOMPARE(q->pipeline.head->op, SpansetOp::Or);
        QCOMPARE(q->pipeline.head->lhs->op, SpansetOp::And);
        QCOMPARE(q->pipeline.head->lhs->lhs->op, SpansetOp::Child);
        // Field precedence: 1 + 2 * 3 = 7
        q = TraceqlParser::parse(QStringLiteral("{ .a + 2 * 3 = 7 || .b }"));
        QVERIFY(q);
        const auto &g = *q->pipeline.head->filter;
        QCOMPARE(g.op, FieldExpr::Op::Or);
        QCOMPARE(g.lhs->op, FieldExpr::Op::Eq);
        QCOMPARE(g.lhs->lhs->op, FieldExpr::Op::Add);
        QCOMPARE(g.lhs->lhs->rhs->op, FieldExpr::Op::Mul);

        // Durations and units.
        q = TraceqlParser::parse(QStringLiteral("{ duration > 1h30m && duration < 1.5s && duration != 250us && duration != 3ns }"));
        QVERIFY(q);
        const auto &d = *q->pipeline.head->filter;
        QCOMPARE(d.lhs->lhs->lhs->rhs->literal.type, Value::Type::Duration);
        QCOMPARE(d.lhs->lhs->lhs->rhs->literal.num, 5400e9);
        QCOMPARE(d.lhs->lhs->rhs->rhs->literal.num, 1.5e9);
        QCOMPARE(d.lhs->rhs->rhs->literal.num, 250e3);
        QCOMPARE(d.rhs->rhs->literal.num, 3.0);

        // Metrics stage.
        q = TraceqlParser::parse(QStringLiteral("{ } | quantile_over_time(duration, .99, .5) by (resource.service.name, span.http.route)"));
        QVERIFY(q);
        QVERIFY(q->metrics);
        QCOMPARE(q->metrics->function, MetricsStage::Function::QuantileOverTime);
        QCOMPARE(q->metrics->quantiles, (QList<double>{0.99, 0.5}));
        QCOMPARE(q->metrics->by.size(), 2);
        QCOMPARE(q->metrics->by[0]->text, QStringLiteral("resource.service.name"));
        QCOMPARE(q->metrics->by[1]->text, QStringLiteral("span.http.route"));

        // Quoted attribute names and string escapes.
        q = TraceqlParser::parse(QStringLiteral("{ span.\"my attr\" = \"a\\\"b\\n\" }"));
        QVERIFY(q);
        QCOMPARE(q->pipeline.head->filter->lhs->name, QStringLiteral("my attr"));
        QCOMPARE(q->pipeline.head->filter->rhs->literal.s, QStringLiteral("a\"b\n"));
    }

    void errorsCarryPositions_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QString() << 1 << QStringLiteral("empty query");
        QTest::newRow("missing value") << QStringLiteral("{ span.foo = }") << 14 << QStringLiteral("expected a value");
        QTest::newRow("unclosed") << QStringLiteral("{ name = \"x\" ") << 14 << QStringLiteral("expected \"}\"");
        QTest::newRow("unscoped identifier") << QStringLiteral("{ foo = 1 }") << 3 << QStringLiteral("unknown identifier \"foo\"");
        QTest::newRow("bad intrinsic") << QStringLiteral("{ span:bogus = 1 }") << 3 << QStringLiteral("unknown intrinsic");
        QTest::newRow("bad regex") << QStringLiteral("{ name =~ \"(\" }") << 8 << QStringLiteral("invalid regular expression");
        QTest::newRow("regex without literal") << QStringLiteral("{ name =~ .x }") << 8 << QStringLiteral("string literal");
        QTest::newRow("unterminated string") << QStringLiteral("{ name = \"abc }") << 10 << QStringLiteral("unterminated string");
        QTest::newRow("bad unit") << QStringLiteral("{ duration > 5xs }") << 15 << QStringLiteral("unknown duration unit");
        QTest::newRow("chained comparison") << QStringLiteral("{ 1 < .a < 3 }") << 10 << QStringLiteral("cannot be chained");
        QTest::newRow("count arg") << QStringLiteral("{ } | count(duration) > 1") << 7 << QStringLiteral("count() takes no argument");
        QTest::newRow("avg no arg") << QStringLiteral("{ } | avg() > 1") << 7 << QStringLiteral("exactly one argument");
        QTest::newRow("aggregate without comparison") << QStringLiteral("{ } | count()") << 14 << QStringLiteral("expected a comparison");
        QTest::newRow("aggregate vs string") << QStringLiteral("{ } | count() > \"x\"") << 20 << QStringLiteral("number or duration");
        QTest::newRow("unknown stage") << QStringLiteral("{ } | frobnicate()") << 7 << QStringLiteral("unknown pipeline function");
        QTest::newRow("metrics not last") << QStringLiteral("{ } | rate() | count() > 1") << 16 << QStringLiteral("must be the last stage");
        QTest::newRow("metrics in parens") << QStringLiteral("({ } | rate())") << 8 << QStringLiteral("only allowed as the last stage");
        QTest::newRow("rate arg") << QStringLiteral("{ } | rate(duration)") << 7 << QStringLiteral("takes no argument");
        QTest::newRow("quantile range") << QStringLiteral("{ } | quantile_over_time(duration, 2)") << 7 << QStringLiteral("between 0 and 1");
        QTest::newRow("quantile missing") << QStringLiteral("{ } | quantile_over_time(duration)") << 7 << QStringLiteral("at least one quantile");
        QTest::newRow("no spanset") << QStringLiteral("name = \"x\"") << 1 << QStringLiteral("expected a spanset");
        QTest::newRow("trailing") << QStringLiteral("{ } }") << 5 << QStringLiteral("unexpected \"}\"");
        QTest::newRow("bad char") << QStringLiteral("{ .a = 1 } $") << 12 << QStringLiteral("unexpected character '$'");
        QTest::newRow("missing rhs spanset") << QStringLiteral("{ } && ") << 8 << QStringLiteral("expected a spanset");
        QTest::newRow("unclosed paren") << QStringLiteral("({ }") << 5 << QStringLiteral("expected \")\"");
    }

    void errorsCarryPositions()
    {
        QFETCH(QString, query);
        QFETCH(int, column);
        QFETCH(QString, message);
        auto r = TraceqlParser::parse(query);
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(message), qPrintable(r.error().message));
        QCOMPARE(r.error().column, column);
        QCOMPARE(r.error().line, 1);
        QCOMPARE(r.error().source, query);
    }
};

QTEST_GUILESS_MAIN(TestTraceqlParser)
#include "tst_traceql_parser.moc"
