#include "core/query/promql/parser.h"

#include <QTest>

using namespace spyglass::query::promql;

class TestPromqlParser : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *in, const char *out) {
            QTest::newRow(in) << QString::fromUtf8(in) << QString::fromUtf8(out);
        };
        row("1", "1");
        row("0x1F", "31");
        row("1e3", "1000");
        row("1e6", "1e+06");
        row(".5", "0.5");
        row("Inf", "+Inf");
        row("-inf", "-Inf");
        row("NaN", "NaN");
        row("-1", "-1");
        row("'a\\'b'", "\"a'b\"");
        row("\"tab\\there\"", "\"tab\\there\"");
        row("`raw\\n`", "\"raw\\\\n\"");
        row("foo", "foo");
        row("foo:bar_total", "foo:bar_total");
        row("foo{a=\"b\"}", "foo{a=\"b\"}");
        row("foo{a=\"b\", c!=\"d\", e=~\"f.*\", g!~\"h\",}", "foo{a=\"b\",c!=\"d\",e=~\"f.*\",g!~\"h\"}");
        row("{__name__=~\"foo.+\"}", "{__name__=~\"foo.+\"}");
        row("{\"utf8.metric\"}", "{__name__=\"utf8.metric\"}");
        row("foo[5m]", "foo[5m]");
        row("foo[1h30m]", "foo[1h30m]");
        row("foo[90]", "foo[1m30s]");
        row("foo offset 5m", "foo offset 5m");
        row("foo offset -5m", "foo offset -5m");
        row("foo[5m] offset 1h", "foo[5m] offset 1h");
        row("foo @ 100", "foo @ 100.000");
        row("foo @ 1.5 offset 1m", "foo offset 1m @ 1.500");
        row("foo @ start()", "foo @ start()");
        row("foo[5m] @ end()", "foo[5m] @ end()");
        row("rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]");
        row("foo[30m:]", "foo[30m:]");
        row("foo[30m:] offset 5m", "foo[30m:] offset 5m");
        row("1 + 2 * 3", "1 + 2 * 3");
        row("-foo", "-foo");
        row("a + b", "a + b");
        row("a > bool b", "a > bool b");
        row("a * on(x, y) group_left(z) b", "a * on (x, y) group_left (z) b");
        row("a * ignoring(x) group_right b", "a * ignoring (x) group_right () b");
        row("a and on() b", "a and on () b");
        row("a or b unless c", "a or b unless c");
        row("a atan2 b", "a atan2 b");
        row("sum(foo)", "sum(foo)");
        row("sum by (a, b) (foo)", "sum by (a, b) (foo)");
        row("sum(foo) by (a)", "sum by (a) (foo)");
        row("SUM without (a) (foo)", "sum without (a) (foo)");
        row("topk(3, foo)", "topk(3, foo)");
        row("count_values(\"v\", foo)", "count_values(\"v\", foo)");
        row("quantile(0.9, foo)", "quantile(0.9, foo)");
        row("limitk(2, foo)", "limitk(2, foo)");
        row("limit_ratio(0.5, foo)", "limit_ratio(0.5, foo)");
        row("histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
            "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))");
        row("label_join(foo, \"a\", \",\", \"b\", \"c\")", "label_join(foo, \"a\", \",\", \"b\", \"c\")");
        row("time()", "time()");
        row("round(foo)", "round(foo)");
        row("round(foo, 5)", "round(foo, 5)");
        row("(foo)", "(foo)");
        row("foo # comment", "foo");
        row("sum by (by, on) (x)", "sum by (by, on) (x)");
        row("foo[step() * 2]", "foo[(step() * 2)]");
        row("foo[1m + 30s]", "foo[1m30s]");
        row("foo offset min_of(range(), 1h)", "foo offset min_of(range(), 1h)");
        row("a + on(x) fill(0) b", "a + on (x) fill (0) b");
        row("a + fill_left(1) fill_right(2) b", "a + fill_left (1) fill_right (2) b");
        row("increase(x[5m] anchored)", "increase(x[5m] anchored)");
        row("rate(x[5m] offset 1m smoothed)", "rate(x[5m] offset 1m smoothed)");
    }

    void roundTrip()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        auto r = PromqlParser::parse(input);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE((*r)->toString(), expected);
        // The canonical form parses to the same canonical form.
        auto again = PromqlParser::parse((*r)->toString());
        QVERIFY(again.has_value());
        QCOMPARE((*again)->toString(), expected);
    }

    void precedence_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("tree");
        QTest::newRow("mul binds tighter") << "1 + 2 * 3" << "(+ 1 (* 2 3))";
        QTest::newRow("left assoc") << "1 - 2 - 3" << "(- (- 1 2) 3)";
        QTest::newRow("pow right assoc") << "2 ^ 3 ^ 2" << "(^ 2 (^ 3 2))";
        QTest::newRow("unary below pow") << "-a ^ 2" << "(-u (^ a 2))";
        QTest::newRow("unary above mul") << "-a * b" << "(* (-u a) b)";
        QTest::newRow("cmp below add") << "a + 1 > b" << "(> (+ a 1) b)";
        QTest::newRow("and above or") << "a or b and c" << "(or a (and b c))";
        QTest::newRow("unless like and") << "a and b unless c" << "(unless (and a b) c)";
        QTest::newRow("atan2 like mul") << "a + b atan2 c" << "(+ a (atan2 b c))";
        QTest::newRow("pow rhs unary") << "2 ^ -b" << "(^ 2 (-u b))";
    }

    void precedence()
    {
        QFETCH(QString, input);
        QFETCH(QString, tree);
        auto r = PromqlParser::parse(input);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        std::function<QString(const Expr &)> sexpr = [&](const Expr &e) -> QString {
            switch (e.kind) {
            case NodeKind::Binary:
                return QStringLiteral("(%1 %2 %3)").arg(binOpString(e.op), sexpr(*e.args[0]), sexpr(*e.args[1]));
            case NodeKind::Unary:
                return QStringLiteral("(%1u %2)").arg(binOpString(e.op), sexpr(*e.args[0]));
            default:
                return e.toString();
            }
        };
        QCOMPARE(sexpr(**r), tree);
    }

    void types()
    {
        QCOMPARE((*PromqlParser::parse(QStringLiteral("1 + 1")))->type(), ValueType::Scalar);
        QCOMPARE((*PromqlParser::parse(QStringLiteral("foo + 1")))->type(), ValueType::Vector);
        QCOMPARE((*PromqlParser::parse(QStringLiteral("foo[5m]")))->type(), ValueType::Matrix);
        QCOMPARE((*PromqlParser::parse(QStringLiteral("\"x\"")))->type(), ValueType::String);
        QCOMPARE((*PromqlParser::parse(QStringLiteral("scalar(foo)")))->type(), ValueType::Scalar);
        const auto e = *PromqlParser::parse(QStringLiteral("foo{a=\"b\"} offset -1m"));
        QCOMPARE(e->offsetMs, -60000);
        QCOMPARE(e->matchers.size(), 2);
        const auto at = *PromqlParser::parse(QStringLiteral("foo @ 1.234"));
        QCOMPARE(at->atMs, 1234);
        const auto sq = *PromqlParser::parse(QStringLiteral("foo[1h:5m]"));
        QCOMPARE(sq->rangeMs, 3'600'000);
        QCOMPARE(sq->stepMs, 300'000);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("error");
        auto row = [](const char *in, const char *err) {
            QTest::newRow(in) << QString::fromUtf8(in) << QString::fromUtf8(err);
        };
        row("", "1:1: parse error: no expression found in input");
        row("foo +", "1:6: parse error: unexpected end of input");
        row("sum(foo", "1:8: parse error: unclosed left parenthesis");
        row("foo)", "1:4: parse error: unexpected right parenthesis ')'");
        row("foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces");
        row("foo[5m", "1:7: parse error: unclosed left bracket");
        row("sum by (a) by (b) (x)", "1:12: parse error: unexpected <by> in aggregation, expected \"(\"");
        row("foo bar", "1:5: parse error: unexpected identifier \"bar\"");
        row("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector");
        row("abs(foo[5m])", "1:5: parse error: expected type instant vector in call to function \"abs\", got range vector");
        row("rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2");
        row("round()", "1:1: parse error: expected at least 1 argument(s) in call to \"round\", got 0");
        row("round(a, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
        row("nosuchfn(foo)", "1:1: parse error: unknown function with name \"nosuchfn\"");
        row("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher");
        row("{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher");
        row("{a=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher");
        row("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
        row("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier");
        row("a + bool b", "1:3: parse error: bool modifier can only be used on comparison operators");
        row("1 and foo", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
        row("a and on(x) group_left b", "1:1: parse error: no grouping allowed for \"and\" operation");
        row("foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types");
        row("(foo)[5m]", "1:1: parse error: ranges only allowed for vector selectors");
        row("(foo) offset 5m", "1:7: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        row("foo offset 1m offset 2m", "1:15: parse error: offset may not be set multiple times");
        row("foo @ 1 @ 2", "1:9: parse error: @ <timestamp> may not be set multiple times");
        row("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector");
        row("topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1");
        row("count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar");
        row("-foo[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"");
        row("foo[5m][1m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
        row("\"unterminated", "1:1: parse error: unterminated quoted string");
        row("foo{a=~\"(\"}", "1:8: parse error: invalid regular expression (: missing ): (");
        row("1 +\n  foo bar", "2:7: parse error: unexpected identifier \"bar\"");
        row("foo[1.5m]", "1:5: parse error: bad number or duration syntax: \"1.5m\"");
        row("foo @ Inf", "1:7: parse error: timestamp out of bounds for @ modifier: +Inf");
        row("1 + fill(0) 2", "1:3: parse error: fill modifiers are only allowed for binary operations between two instant vectors, not with set operators");
        row("foo[5m:1m", "1:10: parse error: unclosed left bracket");
    }

    void errors()
    {
        QFETCH(QString, input);
        QFETCH(QString, error);
        auto r = PromqlParser::parse(input);
        QVERIFY2(!r.has_value(), qPrintable(QStringLiteral("parsed as %1").arg(r ? (*r)->toString() : QString())));
        QCOMPARE(r.error().toString(), error);
        QCOMPARE(r.error().kind, spyglass::Error::Kind::BadData);
    }

    void selectorOnly()
    {
        auto m = PromqlParser::parseSelector(QStringLiteral("up{job=\"x\"}"));
        QVERIFY(m.has_value());
        QCOMPARE(m->size(), 2);
        QVERIFY(!PromqlParser::parseSelector(QStringLiteral("rate(up[5m])")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestPromqlParser)
#include "tst_promql_parser.moc"
