#include "app/gui/logs/logql_query_rewriter.h"
#include "core/query/logql/parser.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::logs;

class TestLogqlQueryRewriter : public QObject
{
    Q_OBJECT
private slots:
    void labelFilters_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("include");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QString>("expected");
        QTest::newRow("stream for") << QStringLiteral("{job=\"api\"} |= \"x\"") << QStringLiteral("pod")
                                    << QStringLiteral("p-1") << true << true
                                    << QStringLiteral("{job=\"api\", pod=\"p-1\"} |= \"x\"");
        QTest::newRow("stream out") << QStringLiteral("{job=\"api\"}") << QStringLiteral("pod")
                                    << QStringLiteral("p-1") << false << true
                                    << QStringLiteral("{job=\"api\", pod!=\"p-1\"}");
        QTest::newRow("stream flips") << QStringLiteral("{job=\"api\", pod!=\"p-1\"}") << QStringLiteral("pod")
                                      << QStringLiteral("p-1") << true << true
                                      << QStringLiteral("{job=\"api\", pod=\"p-1\"}");
        QTest::newRow("stream twice") << QStringLiteral("{pod=\"p-1\"}") << QStringLiteral("pod")
                                      << QStringLiteral("p-1") << true << true << QStringLiteral("{pod=\"p-1\"}");
        QTest::newRow("empty braces") << QStringLiteral("{}") << QStringLiteral("a") << QStringLiteral("b") << true
                                      << true << QStringLiteral("{a=\"b\"}");
        QTest::newRow("empty query") << QString() << QStringLiteral("a") << QStringLiteral("b") << true << false
                                     << QStringLiteral("{a=\"b\"}");
        QTest::newRow("pipeline for") << QStringLiteral("{job=\"api\"} | logfmt") << QStringLiteral("status")
                                      << QStringLiteral("500") << true << false
                                      << QStringLiteral("{job=\"api\"} | logfmt | status=\"500\"");
        QTest::newRow("pipeline out, quotes escaped")
            << QStringLiteral("{job=\"api\"} | json") << QStringLiteral("msg") << QStringLiteral("say \"hi\" \\o/")
            << false << false << QStringLiteral("{job=\"api\"} | json | msg!=\"say \\\"hi\\\" \\\\o/\"");
        QTest::newRow("pipeline flips") << QStringLiteral("{job=\"api\"} | logfmt | status!=\"500\"")
                                        << QStringLiteral("status") << QStringLiteral("500") << true << false
                                        << QStringLiteral("{job=\"api\"} | logfmt | status=\"500\"");
        QTest::newRow("metric query: before the range")
            << QStringLiteral("sum by (level) (count_over_time({job=\"api\"} | logfmt [5m]))")
            << QStringLiteral("level") << QStringLiteral("error") << true << false
            << QStringLiteral("sum by (level) (count_over_time({job=\"api\"} | logfmt | level=\"error\" [5m]))");
        QTest::newRow("braces in strings") << QStringLiteral("{job=\"a}b\"} |= \"{\"") << QStringLiteral("x")
                                           << QStringLiteral("y") << true << true
                                           << QStringLiteral("{job=\"a}b\", x=\"y\"} |= \"{\"");
        QTest::newRow("parens in pipeline") << QStringLiteral("rate({job=\"a\"} | json | (a > 1 or b < 2) [1m])")
                                            << QStringLiteral("x") << QStringLiteral("y") << true << false
                                            << QStringLiteral("rate({job=\"a\"} | json | (a > 1 or b < 2) | x=\"y\" [1m])");
    }
    void labelFilters()
    {
        QFETCH(QString, query);
        QFETCH(QString, label);
        QFETCH(QString, value);
        QFETCH(bool, include);
        QFETCH(bool, stream);
        QFETCH(QString, expected);
        const QString got = LogqlQueryRewriter::addLabelFilter(query, label, value, include, stream);
        QCOMPARE(got, expected);
        // Every rewritten query must still be LogQL.
        const auto parsed = query::logql::LogqlParser::parse(got);
        QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error().message));
    }

    void noSelectorIsLeftAlone()
    {
        QCOMPARE(LogqlQueryRewriter::addLabelFilter(QStringLiteral("vector(1)"), QStringLiteral("a"),
                                                    QStringLiteral("b"), true, false),
                 QStringLiteral("vector(1)"));
    }

    void lineFilter()
    {
        QCOMPARE(LogqlQueryRewriter::addLineFilter(QStringLiteral("{a=\"b\"} | json"), QStringLiteral("x"), false),
                 QStringLiteral("{a=\"b\"} | json != \"x\""));
    }

    void lineFilterTerms()
    {
        QCOMPARE(LogqlQueryRewriter::lineFilterTerms(
                     QStringLiteral("{a=\"b\"} |= \"needle\" != \"skip\" |~ \"plain\" |~ \"re.*x\" |= \"a\" or \"b\" | x=\"y\"")),
                 (QStringList{QStringLiteral("needle"), QStringLiteral("plain"), QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(LogqlQueryRewriter::lineFilterTerms(QStringLiteral("{a=\"|= \\\"q\\\"\"} |= `back\\tick`")),
                 QStringList{QStringLiteral("back\\tick")});
    }

    void selectorFor()
    {
        QCOMPARE(LogqlQueryRewriter::selectorFor({{QStringLiteral("job"), QStringLiteral("a\"b")},
                                                  {QStringLiteral("env"), QStringLiteral("prod")}}),
                 QStringLiteral("{env=\"prod\", job=\"a\\\"b\"}"));
    }
};

QTEST_GUILESS_MAIN(TestLogqlQueryRewriter)
#include "tst_logql_query_rewriter.moc"
