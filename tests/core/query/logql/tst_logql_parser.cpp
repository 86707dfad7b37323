#include "core/query/logql/line_template.h"
#include "core/query/logql/parser.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::query::logql;

class TestLogqlParser : public QObject
{
    Q_OBJECT

private slots:
    // Queries from Loki's documentation that must parse.
    void accepts_data()
    {
        QTest::addColumn<QString>("q");
        const char *qs[] = {
            R"({container="query-frontend",namespace="loki-dev"} |= "metrics.go" | logfmt | duration > 10s and throughput_mb < 500)",
            R"({job="mysql"} |= "error" != "timeout")",
            R"({name=~"mysql.+"})",
            R"({app="foo"} |= "bar" or "baz" |~ "(?i)ERR")",
            R"({job="x"} |> "<_> level=debug <_>" !> "<_> noisy <_>")",
            R"({job="x"} |= ip("192.168.4.5-192.168.4.20"))",
            R"({job="x"} | json first_server="servers[0]", ua=`request.headers["User-Agent"]`)",
            R"({job="x"} | logfmt --strict --keep-empty host, fwd_ip="forwarded_for")",
            R"~({job="x"} | regexp "(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)")~",
            R"({job="x"} | pattern `<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>`)",
            R"({job="x"} | unpack | line_format "{{.message}}")",
            R"({job="x"} | logfmt | level="error" or (status >= 500, duration > 1m) | size > 20MB)",
            R"({job="x"} | label_format foo=bar, baz="{{.a}}-{{.b}}" | drop a, b="x" | keep c, d=~"y.*" | decolorize)",
            R"({job="x"} | json | __error__ != "JSONParserErr")",
            R"(rate({job="mysql"} |= "error" != "timeout" [5m]))",
            R"(sum by (host) (rate({job="mysql"} |= "error" [1m])))",
            R"(topk(10, sum(rate({region="us-east1"}[5m])) by (name)))",
            R"(quantile_over_time(0.99, {cluster="ops-tools1",container="ingress-nginx"} | json | __error__ = "" | unwrap request_time [1m]) by (path))",
            R"(sum_over_time({job="x"} | logfmt | unwrap duration(latency) | __error__="" [5m] offset 1h) by (host))",
            R"(avg_over_time({job="x"} | unwrap bytes(size) [1m]) without (pod))",
            R"(sum(rate({app="foo"}[1m])) / sum(rate({app="bar"}[1m])) > bool 0.5)",
            R"(sum by (a) (count_over_time({a=~".+"}[1m])) * on(a) group_left(b) sum by (a, b) (count_over_time({a=~".+"}[1m])))",
            R"~(label_replace(rate({job="api"}[1m]), "foo", "$1", "job", "(.*)"))~",
            R"(vector(1) + 2 ^ 3)",
            R"(sort_desc(sum by (x) (bytes_rate({a="b"}[1m]))))",
            R"(absent_over_time({job="x"}[5m]) # trailing comment)",
        };
        for (const char *q : qs)
            QTest::newRow(q) << QString::fromUtf8(q);
    }
    void accepts()
    {
        QFETCH(QString, q);
        auto r = LogqlParser::parse(q);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    }

    void structure()
    {
        auto r = LogqlParser::parse(QStringLiteral(R"(sum by (host) (rate({job="mysql"} |= "error" != "timeout" | json | status >= 500 [5m] offset 1h)))"));
        QVERIFY(r);
        const Expr &e = **r;
        QCOMPARE(e.kind, Expr::Kind::VectorAgg);
        QCOMPARE(e.func, QStringLiteral("sum"));
        QCOMPARE(e.grouping.labels, QStringList{QStringLiteral("host")});
        const Expr &range = *e.inner;
        QCOMPARE(range.kind, Expr::Kind::RangeAgg);
        QCOMPARE(range.func, QStringLiteral("rate"));
        QCOMPARE(range.rangeNs, 300LL * 1'000'000'000);
        QCOMPARE(range.offsetNs, 3600LL * 1'000'000'000);
        QCOMPARE(range.selector.matchers.size(), 1);
        QCOMPARE(range.selector.pipeline.size(), 4);
        QCOMPARE(range.selector.pipeline[0].lineFilter.op, LineFilter::Op::Contains);
        QCOMPARE(range.selector.pipeline[1].lineFilter.op, LineFilter::Op::NotContains);
        QCOMPARE(range.selector.pipeline[2].kind, Stage::Kind::Json);
        QCOMPARE(range.selector.pipeline[3].labelFilter->kind, LabelFilter::Kind::Number);
        QCOMPARE(range.selector.pipeline[3].labelFilter->number, 500.0);

        // and binds tighter than or; juxtaposition and ',' are and.
        auto f = LogqlParser::parse(QStringLiteral(R"({a="b"} | x="1" or y="2" z="3")"));
        QVERIFY(f);
        const auto &lf = *(*f)->selector.pipeline[0].labelFilter;
        QCOMPARE(lf.kind, LabelFilter::Kind::Or);
        QCOMPARE(lf.right->kind, LabelFilter::Kind::And);

        // Binary precedence: 1 + 2 * 3 parses as 1 + (2 * 3).
        auto b = LogqlParser::parse(QStringLiteral("1 + 2 * 3"));
        QVERIFY(b);
        QCOMPARE((*b)->op, BinOp::Add);
        QCOMPARE((*b)->rhs->op, BinOp::Mul);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("q");
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("col");
        QTest::newRow("unclosed selector") << QStringLiteral(R"({job="x")") << QStringLiteral("parse error at line 1, col 9: syntax error: unexpected $end, expecting } or ,") << 9;
        QTest::newRow("empty selector") << QStringLiteral("{}") << QStringLiteral("parse error at line 1, col 1: queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will") << 1;
        QTest::newRow("empty-compatible") << QStringLiteral(R"({app=~".*"})") << QString() << 1;
        QTest::newRow("missing range") << QStringLiteral(R"(rate({job="x"}))") << QStringLiteral("parse error at line 1, col 15: syntax error: unexpected ), expecting [") << 15;
        QTest::newRow("unknown function") << QStringLiteral(R"(foo({job="x"}[1m]))") << QStringLiteral("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER") << 1;
        QTest::newRow("bad op") << QStringLiteral(R"({job="x"} |= 5)") << QStringLiteral("parse error at line 1, col 14: syntax error: unexpected NUMBER, expecting STRING") << 14;
        QTest::newRow("second line") << QStringLiteral("{job=\"x\"}\n  | json | ") << QString() << 0;
        QTest::newRow("unwrap needed") << QStringLiteral(R"(sum_over_time({job="x"}[1m]))") << QStringLiteral("parse error at line 1, col 1: invalid aggregation sum_over_time without unwrap") << 1;
        QTest::newRow("grouping without unwrap") << QStringLiteral(R"(rate({job="x"}[1m]) by (a))") << QString() << 1;
        QTest::newRow("unwrap in log query") << QStringLiteral(R"({job="x"} | unwrap foo)") << QString() << 13;
        QTest::newRow("regexp without names") << QStringLiteral(R"~({job="x"} | regexp "(a)")~") << QStringLiteral("parse error at line 1, col 20: at least one named capture must be supplied") << 20;
        QTest::newRow("bad regex") << QStringLiteral("{job=\"x\"} |~ \"(\"") << QString() << 14;
        QTest::newRow("log query in binary op") << QStringLiteral(R"({job="x"} + 1)") << QString() << 11;
        QTest::newRow("duplicate label_format") << QStringLiteral(R"({job="x"} | label_format a=b, a="c")") << QStringLiteral("parse error at line 1, col 31: multiple label name 'a' not allowed in a single format operation") << 31;
        QTest::newRow("unterminated string") << QStringLiteral("{job=\"x)") << QString() << 6;
        QTest::newRow("topk param") << QStringLiteral(R"(topk(0.5, rate({a="b"}[1m])))") << QString() << 6;
        QTest::newRow("bad duration") << QStringLiteral(R"(rate({a="b"}[5x]))") << QString() << 14;
        QTest::newRow("trailing") << QStringLiteral(R"({a="b"} ))") << QStringLiteral("parse error at line 1, col 9: syntax error: unexpected )") << 9;
    }
    void errors()
    {
        QFETCH(QString, q);
        QFETCH(QString, message);
        QFETCH(int, col);
        auto r = LogqlParser::parse(q);
        QVERIFY(!r);
        QVERIFY2(r.error().message.startsWith(QStringLiteral("parse error at line ")), qPrintable(r.error().message));
        if (!message.isEmpty())
            QCOMPARE(r.error().message, message);
        if (col > 0)
            QCOMPARE(r.error().column, col);
        QVERIFY(r.error().line >= 1);
    }

    void secondLinePosition()
    {
        auto r = LogqlParser::parse(QStringLiteral("{job=\"x\"}\n  | json | "));
        QVERIFY(!r);
        QCOMPARE(r.error().line, 2);
    }

    void units()
    {
        QCOMPARE(parseGoDuration(u"1h30m").value(), 5400.0);
        QCOMPARE(parseGoDuration(u"250ms").value(), 0.25);
        QCOMPARE(parseGoDuration(u"1.5s").value(), 1.5);
        QCOMPARE(parseGoDuration(u"3us").value(), 3e-6);
        QVERIFY(!parseGoDuration(u"abc"));
        QCOMPARE(parseHumanBytes(u"10KB").value(), 10000.0);
        QCOMPARE(parseHumanBytes(u"10KiB").value(), 10240.0);
        QCOMPARE(parseHumanBytes(u"1.5 MB").value(), 1.5e6);
        QCOMPARE(parseHumanBytes(u"42").value(), 42.0);
        QVERIFY(!parseHumanBytes(u"12 parsecs"));
    }

    void templates()
    {
        TemplateContext ctx;
        ctx.label = [](const QString &n) {
            if (n == u"app") return QStringLiteral("Web");
            if (n == u"n") return QStringLiteral("42");
            return QString();
        };
        ctx.line = QStringLiteral("the line");
        ctx.timeNs = 1'700'000'000'123'000'000;
        auto render = [&](const char *t) {
            auto tmpl = LineTemplate::parse(QString::fromUtf8(t));
            if (!tmpl)
                return QString(QStringLiteral("ERR ") + tmpl.error().message);
            auto r = tmpl->render(ctx);
            return r ? *r : QString(QStringLiteral("ERR ") + r.error().message);
        };
        QCOMPARE(render("{{.app}} {{ .app | ToUpper }} {{ToLower .app}}"), QStringLiteral("Web WEB web"));
        QCOMPARE(render("{{ printf \"%s=%d %.2f %q\" .app .n 1.5 .app }}"), QStringLiteral("Web=42 1.50 \"Web\""));
        QCOMPARE(render("{{ .missing | default \"none\" }}"), QStringLiteral("none"));
        QCOMPARE(render("{{ regexReplaceAll \"(W)e\" .app \"${1}E\" }}"), QStringLiteral("WEb"));
        QCOMPARE(render("{{ __line__ | replace \"the\" \"a\" }}"), QStringLiteral("a line"));
        QCOMPARE(render("{{ if gt (int .n) 40 }}big{{ else if eq .n \"1\" }}one{{ else }}small{{ end }}"), QStringLiteral("big"));
        QCOMPARE(render("{{- \" x \" -}}  y"), QStringLiteral(" x y"));
        QCOMPARE(render("{{ add 1 2 (int .n) }} {{ divf 1 4 }} {{ sub 10 3 }}"), QStringLiteral("45 0.25 7"));
        QCOMPARE(render("{{ __timestamp__ | date \"2006-01-02 15:04:05.000\" }}"), QStringLiteral("2023-11-14 22:13:20.123"));
        QCOMPARE(render("{{ trimPrefix \"W\" .app }}|{{ substr 0 2 .app }}|{{ .app | trimSuffix \"b\" }}|{{ title \"hello world\" }}"), QStringLiteral("eb|We|We|Hello World"));
        QVERIFY(render("{{ nosuchfunc .app }}").startsWith(QStringLiteral("ERR ")));
        QVERIFY(render("{{ if .app }}unterminated").startsWith(QStringLiteral("ERR ")));
        QVERIFY(render("{{ .app").startsWith(QStringLiteral("ERR ")));
    }
};

QTEST_GUILESS_MAIN(TestLogqlParser)
#include "tst_logql_parser.moc"
