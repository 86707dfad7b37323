#include "app/gui/traces/traceql_editor.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QSignalSpy>
#include <QTest>

using namespace spyglass::gui::traces;
using Kind = TraceqlCompletionContext::Kind;

class TestTraceqlEditor : public QObject
{
    Q_OBJECT
private slots:
    void tokenizer()
    {
        const QString q = QStringLiteral("{ resource.service.name = \"shop\" && duration > 100ms } | count() > 2");
        QStringList seen;
        for (const TraceqlToken &t : tokenizeTraceql(q))
            seen.push_back(QStringLiteral("%1:%2").arg(int(t.kind)).arg(q.mid(t.start, t.length)));
        const auto k = [](TraceqlTokenKind kind, const char *text) {
            return QStringLiteral("%1:%2").arg(int(kind)).arg(QString::fromUtf8(text));
        };
        QCOMPARE(seen, QStringList({k(TraceqlTokenKind::Brace, "{"), k(TraceqlTokenKind::Attribute, "resource.service.name"),
                                    k(TraceqlTokenKind::Operator, "="), k(TraceqlTokenKind::String, "\"shop\""),
                                    k(TraceqlTokenKind::Operator, "&&"), k(TraceqlTokenKind::Intrinsic, "duration"),
                                    k(TraceqlTokenKind::Operator, ">"), k(TraceqlTokenKind::Number, "100ms"),
                                    k(TraceqlTokenKind::Brace, "}"), k(TraceqlTokenKind::Operator, "|"),
                                    k(TraceqlTokenKind::Function, "count"), k(TraceqlTokenKind::Brace, "("),
                                    k(TraceqlTokenKind::Brace, ")"), k(TraceqlTokenKind::Operator, ">"),
                                    k(TraceqlTokenKind::Number, "2")}));
        // Half-typed input: the open string runs to the end, nothing is lost.
        const QList<TraceqlToken> open = tokenizeTraceql(QStringLiteral("{ name = \"GET /ap"));
        QCOMPARE(open.last().kind, TraceqlTokenKind::String);
        QCOMPARE(open.last().start + open.last().length, 17);
        QCOMPARE(tokenizeTraceql(QStringLiteral("{ status = error && kind = server }"))[3].kind, TraceqlTokenKind::Keyword);
    }

    void completionContext_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("attribute");
        QTest::addColumn<int>("replaceFrom");
        QTest::newRow("field") << "{ dur" << int(Kind::Field) << "dur" << "" << 2;
        QTest::newRow("empty field") << "{ " << int(Kind::Field) << "" << "" << 2;
        QTest::newRow("attribute") << "{ resource.ser" << int(Kind::AttributeName) << "resource.ser" << "" << 2;
        QTest::newRow("unscoped") << "{ .http" << int(Kind::AttributeName) << ".http" << "" << 2;
        QTest::newRow("string value") << "{ resource.service.name = \"sh" << int(Kind::Value) << "sh"
                                      << "resource.service.name" << 26;
        QTest::newRow("bare value") << "{ status = er" << int(Kind::Value) << "er" << "status" << 11;
        QTest::newRow("value after !=") << "{ span.http.status_code!=5" << int(Kind::Value) << "5"
                                        << "span.http.status_code" << 25;
        QTest::newRow("second condition") << "{ name = \"a\" && ki" << int(Kind::Field) << "ki" << "" << 16;
        QTest::newRow("structural") << "{ name = \"a\" } > { " << int(Kind::Field) << "" << "" << 19;
    }
    void completionContext()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(QString, prefix);
        QFETCH(QString, attribute);
        QFETCH(int, replaceFrom);
        const TraceqlCompletionContext ctx = traceqlContextAt(text, int(text.size()));
        QCOMPARE(int(ctx.kind), kind);
        QCOMPARE(ctx.prefix, prefix);
        QCOMPARE(ctx.attribute, attribute);
        QCOMPARE(ctx.replaceFrom, replaceFrom);
    }

    void completesNamesFromTheHost()
    {
        TraceqlEditor editor;
        // Before show(): showing may focus the editor, which asks for names.
        QSignalSpy namesWanted(&editor, &TraceqlEditor::attributeNamesWanted);
        editor.resize(600, 60);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setFocus();
        QTest::keyClicks(&editor, QStringLiteral("{ resource.s"));
        QVERIFY(namesWanted.size() >= 1);
        QCOMPARE(namesWanted.size(), 1); // asked once, not once per key
        editor.setAttributeNames({QStringLiteral("resource.service.name"), QStringLiteral("resource.host.name"),
                                  QStringLiteral("span.http.method")});
        editor.showCompletions();
        QVERIFY(editor.isCompletionVisible());
        QCOMPARE(editor.visibleCompletions(), QStringList{QStringLiteral("resource.service.name")});
        editor.acceptCompletion(0);
        QCOMPARE(editor.query(), QStringLiteral("{ resource.service.name"));

        // Values: asked for once, inserted quoted when they arrive.
        QSignalSpy valuesWanted(&editor, &TraceqlEditor::attributeValuesWanted);
        QTest::keyClicks(&editor, QStringLiteral(" = "));
        QCOMPARE(valuesWanted.size(), 1);
        QCOMPARE(valuesWanted.first().at(0).toString(), QStringLiteral("resource.service.name"));
        editor.setAttributeValues(QStringLiteral("resource.service.name"),
                                  {QStringLiteral("checkout"), QStringLiteral("cart"), QStringLiteral("say \"hi\"")});
        QVERIFY(editor.isCompletionVisible());
        QCOMPARE(editor.visibleCompletions().size(), 3);
        QTest::keyClicks(&editor, QStringLiteral("c"));
        QCOMPARE(editor.visibleCompletions(), QStringList({QStringLiteral("checkout"), QStringLiteral("cart")}));
        QCOMPARE(valuesWanted.size(), 1);
        QTest::keyClick(&editor, Qt::Key_Down);
        QTest::keyClick(&editor, Qt::Key_Return); // accepts, does not submit
        QCOMPARE(editor.query(), QStringLiteral("{ resource.service.name = \"cart\""));

        // Numbers and enum values stay bare.
        editor.setQuery(QStringLiteral("{ status = "));
        editor.showCompletions();
        QCOMPARE(editor.visibleCompletions(), QStringList({QStringLiteral("error"), QStringLiteral("ok"),
                                                           QStringLiteral("unset")}));
        editor.acceptCompletion(0);
        QCOMPARE(editor.query(), QStringLiteral("{ status = error"));
        editor.setAttributeValues(QStringLiteral("span.http.status_code"), {QStringLiteral("500"), QStringLiteral("200")});
        editor.setQuery(QStringLiteral("{ span.http.status_code >= 5"));
        editor.showCompletions();
        editor.acceptCompletion(0);
        QCOMPARE(editor.query(), QStringLiteral("{ span.http.status_code >= 500"));

        // Intrinsics and functions complete too.
        editor.setQuery(QStringLiteral("{ } | cou"));
        editor.showCompletions();
        QCOMPARE(editor.visibleCompletions(), QStringList({QStringLiteral("count"), QStringLiteral("count_over_time")}));
        editor.acceptCompletion(0);
        QCOMPARE(editor.query(), QStringLiteral("{ } | count("));
    }

    void enterSubmits()
    {
        TraceqlEditor editor;
        QSignalSpy submitted(&editor, &TraceqlEditor::submitted);
        editor.setQuery(QStringLiteral("{ }"));
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(submitted.size(), 1);
        QCOMPARE(editor.query(), QStringLiteral("{ }")); // no newline typed
    }

    void parseErrorsAreUnderlinedAtTheirColumn()
    {
        TraceqlEditor editor;
        QSignalSpy changed(&editor, &TraceqlEditor::parseErrorChanged);
        editor.setQuery(QStringLiteral("{ duration > }"));
        editor.checkSyntaxNow();
        QVERIFY(QTest::qWaitFor([&] { return !changed.isEmpty(); }, 10'000));
        QVERIFY(!changed.last().at(0).toString().isEmpty());
        QCOMPARE(changed.last().at(1).toInt(), 14); // the `}` where a value was expected
        QCOMPARE(editor.errorColumn(), 14);
        QCOMPARE(editor.extraSelections().size(), 1);
        QCOMPARE(editor.extraSelections().first().cursor.selectionStart(), 13);
        QCOMPARE(editor.extraSelections().first().format.underlineStyle(), QTextCharFormat::WaveUnderline);

        // Fixing the query clears it.
        editor.setQuery(QStringLiteral("{ duration > 1s }"));
        QCOMPARE(editor.errorColumn(), 0); // cleared as soon as the text changes
        editor.checkSyntaxNow();
        QVERIFY(QTest::qWaitFor([&] { return changed.size() >= 2; }, 10'000));
        QCOMPARE(changed.last().at(0).toString(), QString());
        QCOMPARE(editor.extraSelections().size(), 0);

        // An unknown intrinsic-like word after a scope-less dot is fine; a bad operator is not.
        editor.setQuery(QStringLiteral("{ .a === 1 }"));
        editor.checkSyntaxNow();
        QVERIFY(QTest::qWaitFor([&] { return changed.size() >= 3; }, 10'000));
        QVERIFY(!changed.last().at(0).toString().isEmpty());
        QVERIFY(changed.last().at(1).toInt() >= 6);
    }
};

QTEST_MAIN(TestTraceqlEditor)
#include "tst_traceql_editor.moc"
