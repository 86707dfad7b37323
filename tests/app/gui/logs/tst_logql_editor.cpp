#include "app/gui/logs/logql_editor.h"
#include "app/gui/logs/logql_tokenizer.h"

#include <QSignalSpy>
#include <QTest>

using namespace spyglass::gui::logs;
using Kind = LogqlCompletionContext::Kind;

class TestLogqlEditor : public QObject
{
    Q_OBJECT
private slots:
    void tokenKinds()
    {
        const QString q = QStringLiteral("sum by (level) (count_over_time({job=\"api\"} |= \"x\" | logfmt | status >= 500 [5m])) # c");
        QHash<QString, LogqlTokenKind> kinds;
        for (const auto &t : LogqlTokenizer::tokenize(q))
            kinds.insert(q.mid(t.start, t.length), t.kind);
        QCOMPARE(kinds.value(QStringLiteral("sum")), LogqlTokenKind::Aggregation);
        QCOMPARE(kinds.value(QStringLiteral("by")), LogqlTokenKind::Keyword);
        QCOMPARE(kinds.value(QStringLiteral("level")), LogqlTokenKind::LabelName);
        QCOMPARE(kinds.value(QStringLiteral("count_over_time")), LogqlTokenKind::Function);
        QCOMPARE(kinds.value(QStringLiteral("job")), LogqlTokenKind::LabelName);
        QCOMPARE(kinds.value(QStringLiteral("\"api\"")), LogqlTokenKind::String);
        QCOMPARE(kinds.value(QStringLiteral("|=")), LogqlTokenKind::Operator);
        QCOMPARE(kinds.value(QStringLiteral("logfmt")), LogqlTokenKind::Stage);
        QCOMPARE(kinds.value(QStringLiteral("status")), LogqlTokenKind::LabelName);
        QCOMPARE(kinds.value(QStringLiteral(">=")), LogqlTokenKind::Operator);
        QCOMPARE(kinds.value(QStringLiteral("500")), LogqlTokenKind::Number);
        QCOMPARE(kinds.value(QStringLiteral("5m")), LogqlTokenKind::Duration);
        QCOMPARE(kinds.value(QStringLiteral("# c")), LogqlTokenKind::Comment);
        // Half-typed input still tokenizes.
        QVERIFY(!LogqlTokenizer::tokenize(u"{job=\"unterminated").isEmpty());
    }

    void brackets()
    {
        const QString q = QStringLiteral("rate({a=\"}\"}[1m])");
        QCOMPARE(LogqlTokenizer::matchingBracket(q, 4), q.size() - 1);
        QCOMPARE(LogqlTokenizer::matchingBracket(q, 5), 11); // the } inside the string is skipped
        QCOMPARE(LogqlTokenizer::matchingBracket(q, 2), -1);
    }

    void completionContexts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("label");
        QTest::newRow("selector label") << QStringLiteral("{jo") << int(Kind::LabelName) << QStringLiteral("jo") << QString();
        QTest::newRow("after comma") << QStringLiteral("{job=\"a\", ") << int(Kind::LabelName) << QString() << QString();
        QTest::newRow("value quoted") << QStringLiteral("{job=\"ap") << int(Kind::LabelValue) << QStringLiteral("ap")
                                      << QStringLiteral("job");
        QTest::newRow("value unquoted") << QStringLiteral("{job=") << int(Kind::LabelValue) << QString()
                                        << QStringLiteral("job");
        QTest::newRow("pipeline") << QStringLiteral("{job=\"a\"} | lo") << int(Kind::Pipeline) << QStringLiteral("lo")
                                  << QString();
        QTest::newRow("duration") << QStringLiteral("rate({a=\"b\"}[") << int(Kind::Duration) << QString() << QString();
        QTest::newRow("function") << QStringLiteral("count_ov") << int(Kind::Expression) << QStringLiteral("count_ov")
                                  << QString();
        QTest::newRow("grouping") << QStringLiteral("sum by (le") << int(Kind::LabelName) << QStringLiteral("le")
                                  << QString();
        QTest::newRow("line filter string") << QStringLiteral("{a=\"b\"} |= \"err") << int(Kind::None) << QString()
                                            << QString();
    }
    void completionContexts()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, prefix);
        QFETCH(QString, label);
        const auto ctx = LogqlTokenizer::completionContext(text, int(text.size()));
        QCOMPARE(int(ctx.kind), kind);
        if (kind != int(Kind::None))
            QCOMPARE(ctx.prefix, prefix);
        QCOMPARE(ctx.label, label);
    }

    void candidatesAndInsertion()
    {
        LogqlEditor e;
        e.setParseCheckEnabled(false);
        e.setLabelNames({QStringLiteral("job"), QStringLiteral("level")});
        e.setPlainText(QStringLiteral("{jo"));
        e.moveCursor(QTextCursor::End);
        const auto items = e.candidates(e.contextAtCursor());
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.front().text, QStringLiteral("job"));
        // Pipeline: stages first, then label names for label filters.
        e.setPlainText(QStringLiteral("{job=\"a\"} | "));
        e.moveCursor(QTextCursor::End);
        QStringList texts;
        for (const auto &i : e.candidates(e.contextAtCursor()))
            texts.append(i.text);
        QVERIFY(texts.contains(QStringLiteral("logfmt")));
        QVERIFY(texts.contains(QStringLiteral("json")));
        QVERIFY(texts.contains(QStringLiteral("level")));
        // Values asked for once, then offered.
        QSignalSpy wanted(&e, &LogqlEditor::labelValuesWanted);
        e.setPlainText(QStringLiteral("{job=\""));
        e.moveCursor(QTextCursor::End);
        e.showCompletions();
        QCOMPARE(wanted.count(), 1);
        QCOMPARE(wanted[0][0].toString(), QStringLiteral("job"));
        e.setLabelValues(QStringLiteral("job"), {QStringLiteral("api"), QStringLiteral("db")});
        QCOMPARE(e.candidates(e.contextAtCursor()).size(), 2);
    }

    void parseErrorsCarryTheColumn()
    {
        LogqlEditor e;
        QSignalSpy spy(&e, &LogqlEditor::parseErrorChanged);
        e.setPlainText(QStringLiteral("{job=\"a\"} |= "));
        e.checkSyntaxNow();
        QTRY_COMPARE(spy.count(), 1);
        QVERIFY(!spy[0][0].toString().isEmpty());
        QVERIFY(spy[0][1].toInt() >= 9); // after the selector
        QCOMPARE(e.errorPosition(), spy[0][1].toInt());
        e.setPlainText(QStringLiteral("{job=\"a\"} |= \"x\""));
        e.checkSyntaxNow();
        QTRY_COMPARE(spy.count(), 2);
        QVERIFY(spy[1][0].toString().isEmpty());
        QCOMPARE(e.errorPosition(), -1);
    }
};

QTEST_MAIN(TestLogqlEditor)
#include "tst_logql_editor.moc"
