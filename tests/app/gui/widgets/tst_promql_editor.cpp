#include "app/gui/widgets/promql_editor.h"
#include "app/gui/widgets/promql_highlighter.h"
#include "app/gui/widgets/promql_tokenizer.h"
#include "core/query/promql/parser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace spyglass;
using namespace spyglass::gui::widgets;
using Ctx = PromqlCompletionContext;

namespace {

// The format the highlighter gave the character at `pos` of a one-line document.
QTextCharFormat formatAt(QTextDocument &doc, int pos)
{
    const QTextBlock block = doc.findBlock(pos);
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        if (pos - block.position() >= r.start && pos - block.position() < r.start + r.length)
            return r.format;
    return {};
}

QStringList texts(const QList<PromqlCompletionItem> &items)
{
    QStringList out;
    for (const auto &i : items)
        out.push_back(i.text);
    return out;
}

} // namespace

class TestPromqlEditor : public QObject
{
    Q_OBJECT
private slots:
    void tokenKinds()
    {
        const QString q = QStringLiteral(
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset -1h30m)) > bool 0.5 # why");
        const auto tokens = PromqlTokenizer::tokenize(q);
        auto kindOf = [&](const QString &needle, int from = 0) {
            const int pos = int(q.indexOf(needle, from));
            for (const PromqlToken &t : tokens)
                if (t.start == pos)
                    return t.kind;
            return PromqlTokenKind::Plain;
        };
        QCOMPARE(kindOf(QStringLiteral("sum")), PromqlTokenKind::Aggregation);
        QCOMPARE(kindOf(QStringLiteral("by")), PromqlTokenKind::Keyword);
        QCOMPARE(kindOf(QStringLiteral("job")), PromqlTokenKind::LabelName);
        QCOMPARE(kindOf(QStringLiteral("rate")), PromqlTokenKind::Function);
        QCOMPARE(kindOf(QStringLiteral("http_requests_total")), PromqlTokenKind::MetricName);
        QCOMPARE(kindOf(QStringLiteral("code")), PromqlTokenKind::LabelName);
        QCOMPARE(kindOf(QStringLiteral("=~")), PromqlTokenKind::Operator);
        QCOMPARE(kindOf(QStringLiteral("\"5..\"")), PromqlTokenKind::String);
        QCOMPARE(kindOf(QStringLiteral("5m")), PromqlTokenKind::Duration);
        QCOMPARE(kindOf(QStringLiteral("offset")), PromqlTokenKind::Keyword);
        QCOMPARE(kindOf(QStringLiteral("1h30m")), PromqlTokenKind::Duration);
        QCOMPARE(kindOf(QStringLiteral(">")), PromqlTokenKind::Operator);
        QCOMPARE(kindOf(QStringLiteral("bool")), PromqlTokenKind::Keyword);
        QCOMPARE(kindOf(QStringLiteral("0.5")), PromqlTokenKind::Number);
        QCOMPARE(kindOf(QStringLiteral("# why")), PromqlTokenKind::Comment);
        QCOMPARE(kindOf(QStringLiteral("{")), PromqlTokenKind::Bracket);

        // Context decides: a function name without "(" is a metric, an
        // aggregation name used as a metric too; Inf/NaN and hex are numbers.
        const QString q2 = QStringLiteral("rate + sum + Inf + 0x1F + 1e3");
        const auto t2 = PromqlTokenizer::tokenize(q2);
        QCOMPARE(t2[0].kind, PromqlTokenKind::MetricName);
        QCOMPARE(t2[2].kind, PromqlTokenKind::MetricName);
        QCOMPARE(t2[4].kind, PromqlTokenKind::Number);
        QCOMPARE(t2[6].kind, PromqlTokenKind::Number);
        QCOMPARE(t2[6].length, 4);
        QCOMPARE(t2[8].kind, PromqlTokenKind::Number);
        QCOMPARE(t2[8].length, 3);

        // Never fails on half-typed input: an unterminated string runs to the end.
        const auto t3 = PromqlTokenizer::tokenize(u"up{job=\"ap");
        QCOMPARE(t3.back().kind, PromqlTokenKind::String);
        QCOMPARE(t3.back().end(), 10);
    }

    void highlighterFormatsPerToken()
    {
        QTextDocument doc;
        PromqlHighlighter hl(&doc);
        const QString q = QStringLiteral("sum by (job) (rate(up{job=\"api\"}[5m])) * 2 # note");
        doc.setPlainText(q);
        hl.rehighlight();
        auto colourAt = [&](const QString &needle) {
            return formatAt(doc, int(q.indexOf(needle))).foreground().color();
        };
        auto expected = [&](PromqlTokenKind k) { return hl.formatFor(k).foreground().color(); };
        QCOMPARE(colourAt(QStringLiteral("sum")), expected(PromqlTokenKind::Aggregation));
        QVERIFY(hl.formatFor(PromqlTokenKind::Aggregation).fontWeight() > QFont::Normal);
        QCOMPARE(colourAt(QStringLiteral("by")), expected(PromqlTokenKind::Keyword));
        QCOMPARE(colourAt(QStringLiteral("job")), expected(PromqlTokenKind::LabelName));
        QCOMPARE(colourAt(QStringLiteral("rate")), expected(PromqlTokenKind::Function));
        QCOMPARE(colourAt(QStringLiteral("up")), expected(PromqlTokenKind::MetricName));
        QCOMPARE(colourAt(QStringLiteral("\"api\"")), expected(PromqlTokenKind::String));
        QCOMPARE(colourAt(QStringLiteral("5m")), expected(PromqlTokenKind::Duration));
        QCOMPARE(colourAt(QStringLiteral("2")), expected(PromqlTokenKind::Number));
        QCOMPARE(colourAt(QStringLiteral("*")), expected(PromqlTokenKind::Operator));
        QCOMPARE(colourAt(QStringLiteral("# note")), expected(PromqlTokenKind::Comment));
        QVERIFY(formatAt(doc, int(q.indexOf(QStringLiteral("# note")))).fontItalic());
        // The kinds are told apart.
        QVERIFY(expected(PromqlTokenKind::Function) != expected(PromqlTokenKind::MetricName));
        QVERIFY(expected(PromqlTokenKind::String) != expected(PromqlTokenKind::Number));
        QVERIFY(expected(PromqlTokenKind::LabelName) != expected(PromqlTokenKind::MetricName));

        // A selector left open on one line continues on the next.
        doc.setPlainText(QStringLiteral("up{\n  job=\"x\"}"));
        hl.rehighlight();
        QCOMPARE(formatAt(doc, 6).foreground().color(), expected(PromqlTokenKind::LabelName));
    }

    void bracketMatching()
    {
        const QString q = QStringLiteral("sum(rate(up{a=\"(\"}[5m]))");
        //                               012345678901234567890123
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 3), 23);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 23), 3);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 8), 22);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 11), 17);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 18), 21);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 21), 18);
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 15), -1); // inside a string
        QCOMPARE(PromqlTokenizer::matchingBracket(q, 0), -1);  // not a bracket
        QCOMPARE(PromqlTokenizer::matchingBracket(u"sum(rate(x)", 3), -1); // unclosed

        PromqlEditor editor;
        editor.setParseCheckEnabled(false);
        editor.setPlainText(q);
        QTextCursor c = editor.textCursor();
        c.setPosition(8); // before "(" of rate
        editor.setTextCursor(c);
        QCOMPARE(editor.bracketMatch(), qMakePair(8, 22));
        QCOMPARE(editor.extraSelections().size(), 2);
        QCOMPARE(editor.extraSelections().at(0).cursor.selectionStart(), 8);
        QCOMPARE(editor.extraSelections().at(1).cursor.selectionStart(), 22);
        c.setPosition(24); // after the last ")"
        editor.setTextCursor(c);
        QCOMPARE(editor.bracketMatch(), qMakePair(23, 3));
        c.setPosition(2);
        editor.setTextCursor(c);
        QCOMPARE(editor.bracketMatch(), qMakePair(-1, -1));
        QVERIFY(editor.extraSelections().isEmpty());

        // An unmatched bracket is marked alone (in red).
        editor.setPlainText(QStringLiteral("sum(up"));
        c = editor.textCursor();
        c.setPosition(3);
        editor.setTextCursor(c);
        QCOMPARE(editor.bracketMatch(), qMakePair(3, -1));
        QCOMPARE(editor.extraSelections().size(), 1);
        QCOMPARE(editor.extraSelections().at(0).format.foreground().color(), QColor(0xf2, 0x49, 0x5c));
    }

    void completionContexts()
    {
        auto ctx = [](const QString &textWithCursor) {
            const int cursor = int(textWithCursor.indexOf(QLatin1Char('|')));
            QString text = textWithCursor;
            text.remove(cursor, 1);
            return PromqlTokenizer::completionContext(text, cursor);
        };
        // Function / expression position.
        Ctx c = ctx(QStringLiteral("ra|"));
        QCOMPARE(c.kind, Ctx::Kind::Expression);
        QCOMPARE(c.prefix, QStringLiteral("ra"));
        QCOMPARE(c.start, 0);
        c = ctx(QStringLiteral("sum(rate(http_re|"));
        QCOMPARE(c.kind, Ctx::Kind::Expression);
        QCOMPARE(c.prefix, QStringLiteral("http_re"));
        QCOMPARE(c.start, 9);
        c = ctx(QStringLiteral("up + |"));
        QCOMPARE(c.kind, Ctx::Kind::Expression);
        QCOMPARE(c.prefix, QString());
        // After "{" and ",".
        c = ctx(QStringLiteral("up{|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        QVERIFY(c.inSelector);
        QCOMPARE(c.start, 3);
        c = ctx(QStringLiteral("up{job=\"a\", ins|}"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        QCOMPARE(c.prefix, QStringLiteral("ins"));
        c = ctx(QStringLiteral("{|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        // After label=" (and the other matchers).
        c = ctx(QStringLiteral("up{job=\"|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelValue);
        QCOMPARE(c.label, QStringLiteral("job"));
        QCOMPARE(c.prefix, QString());
        QCOMPARE(c.start, 8);
        QCOMPARE(c.quote, QStringLiteral("\""));
        c = ctx(QStringLiteral("up{job=\"a\",instance!~'loc|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelValue);
        QCOMPARE(c.label, QStringLiteral("instance"));
        QCOMPARE(c.prefix, QStringLiteral("loc"));
        QCOMPARE(c.quote, QStringLiteral("'"));
        c = ctx(QStringLiteral("up{job=|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelValue);
        QVERIFY(c.quote.isEmpty());
        // Inside by (...), without (...), on (...).
        c = ctx(QStringLiteral("sum by (|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        QVERIFY(!c.inSelector);
        c = ctx(QStringLiteral("sum without (job, ins|) (up)"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        QCOMPARE(c.prefix, QStringLiteral("ins"));
        c = ctx(QStringLiteral("a / on (|"));
        QCOMPARE(c.kind, Ctx::Kind::LabelName);
        c = ctx(QStringLiteral("sum by (job) (ra|"));
        QCOMPARE(c.kind, Ctx::Kind::Expression); // the argument list is no label list
        // Durations, and places where nothing is offered.
        c = ctx(QStringLiteral("rate(up[|"));
        QCOMPARE(c.kind, Ctx::Kind::Duration);
        c = ctx(QStringLiteral("rate(up[5|"));
        QCOMPARE(c.kind, Ctx::Kind::Duration);
        QCOMPARE(c.prefix, QStringLiteral("5"));
        QCOMPARE(ctx(QStringLiteral("up # com|")).kind, Ctx::Kind::None);
        QCOMPARE(ctx(QStringLiteral("up{job=\"a\"|")).kind, Ctx::Kind::None);
        QCOMPARE(ctx(QStringLiteral("up{job|")).kind, Ctx::Kind::LabelName);
        QCOMPARE(ctx(QStringLiteral("up{job |")).kind, Ctx::Kind::None); // an operator is due
        QCOMPARE(ctx(QStringLiteral("1.5|")).kind, Ctx::Kind::None);
    }

    void completionCandidates()
    {
        PromqlEditor editor;
        editor.setParseCheckEnabled(false);
        editor.setMetricNames({QStringLiteral("http_requests_total"), QStringLiteral("process_cpu_seconds_total"),
                               QStringLiteral("rate_limit_hits")});
        editor.setLabelNames({QStringLiteral("__name__"), QStringLiteral("instance"), QStringLiteral("job")});
        editor.setLabelValues(QStringLiteral("job"), {QStringLiteral("api"), QStringLiteral("db")});

        Ctx fn;
        fn.kind = Ctx::Kind::Expression;
        fn.prefix = QStringLiteral("ra");
        const QStringList ra = texts(editor.candidates(fn));
        QVERIFY2(ra.contains(QStringLiteral("rate")), qPrintable(ra.join(u',')));
        QVERIFY(ra.contains(QStringLiteral("rate_limit_hits")));
        QVERIFY(!ra.contains(QStringLiteral("irate")) || ra.indexOf(QStringLiteral("irate")) > ra.indexOf(QStringLiteral("rate")));
        QVERIFY(!ra.contains(QStringLiteral("sum")));
        // Functions carry their signature.
        const auto items = editor.candidates(fn);
        for (const auto &i : items)
            if (i.text == u"rate")
                QCOMPARE(i.detail, QStringLiteral("rate(matrix) -> vector"));
        fn.prefix = QStringLiteral("su");
        QCOMPARE(texts(editor.candidates(fn)).first(), QStringLiteral("sum"));
        fn.prefix = QStringLiteral("hist");
        QVERIFY(texts(editor.candidates(fn)).contains(QStringLiteral("histogram_quantile")));
        fn.prefix = QStringLiteral("wi");
        QVERIFY(texts(editor.candidates(fn)).contains(QStringLiteral("without")));
        // Substring matches come after prefix matches.
        fn.prefix = QStringLiteral("requests");
        QCOMPARE(texts(editor.candidates(fn)), QStringList{QStringLiteral("http_requests_total")});

        Ctx labels;
        labels.kind = Ctx::Kind::LabelName;
        QCOMPARE(texts(editor.candidates(labels)), (QStringList{QStringLiteral("instance"), QStringLiteral("job")}));
        labels.prefix = QStringLiteral("j");
        QCOMPARE(texts(editor.candidates(labels)), QStringList{QStringLiteral("job")});

        Ctx values;
        values.kind = Ctx::Kind::LabelValue;
        values.label = QStringLiteral("job");
        QCOMPARE(texts(editor.candidates(values)), (QStringList{QStringLiteral("api"), QStringLiteral("db")}));
        values.label = QStringLiteral("instance");
        QVERIFY(editor.candidates(values).isEmpty());
        QVERIFY(editor.candidates(Ctx{}).isEmpty());
    }

    void popupCompletesAsYouType()
    {
        PromqlEditor editor;
        editor.setParseCheckEnabled(false);
        editor.resize(600, 80);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setFocus();
        editor.setMetricNames({QStringLiteral("http_requests_total"), QStringLiteral("up")});
        editor.setLabelNames({QStringLiteral("job")});
        QSignalSpy wanted(&editor, &PromqlEditor::labelValuesWanted);

        QTest::keyClicks(&editor, QStringLiteral("rat"));
        QVERIFY(editor.isCompletionVisible());
        QCOMPARE(editor.visibleCompletions().first(), QStringLiteral("rate"));
        QCOMPARE(editor.completer()->popup()->currentIndex().row(), 0);
        editor.acceptCompletion(0);
        QCOMPARE(editor.toPlainText(), QStringLiteral("rate()"));
        QCOMPARE(editor.textCursor().position(), 5); // inside the parentheses
        QVERIFY(!editor.isCompletionVisible());

        QTest::keyClicks(&editor, QStringLiteral("http"));
        QCOMPARE(editor.visibleCompletions(), QStringList{QStringLiteral("http_requests_total")});
        editor.acceptCompletion(0);
        QCOMPARE(editor.toPlainText(), QStringLiteral("rate(http_requests_total)"));

        // Brackets close themselves; typing the closing one steps over it.
        QTest::keyClicks(&editor, QStringLiteral("[5m]"));
        QCOMPARE(editor.toPlainText(), QStringLiteral("rate(http_requests_total[5m])"));
        QCOMPARE(editor.textCursor().position(), 28);
        editor.setPlainText(QStringLiteral("rate(http_requests_total)"));
        QTextCursor at = editor.textCursor();
        at.setPosition(24);
        editor.setTextCursor(at);

        // "{" opens label names; picking one adds ="" and asks for its values.
        QTest::keyClicks(&editor, QStringLiteral("{"));
        QVERIFY(editor.isCompletionVisible());
        QCOMPARE(editor.visibleCompletions(), QStringList{QStringLiteral("job")});
        editor.acceptCompletion(0);
        QCOMPARE(editor.toPlainText(), QStringLiteral("rate(http_requests_total{job=\"\"})"));
        QTRY_COMPARE(wanted.count(), 1);
        QCOMPARE(wanted.at(0).at(0).toString(), QStringLiteral("job"));
        // The values arrive later (from a worker in real use) and fill the open popup.
        editor.setLabelValues(QStringLiteral("job"), {QStringLiteral("api"), QStringLiteral("db\"x")});
        QVERIFY(editor.isCompletionVisible());
        QCOMPARE(editor.visibleCompletions(), (QStringList{QStringLiteral("api"), QStringLiteral("db\"x")}));
        editor.acceptCompletion(1);
        QCOMPARE(editor.toPlainText(), QStringLiteral("rate(http_requests_total{job=\"db\\\"x\"})"));

        // Escape closes the popup; Ctrl+Space opens it again.
        editor.setPlainText(QStringLiteral("su"));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClick(&editor, Qt::Key_M);
        QVERIFY(editor.isCompletionVisible());
        QTest::keyClick(editor.completer()->popup(), Qt::Key_Escape);
        QVERIFY(!editor.isCompletionVisible());
        QTest::keyClick(&editor, Qt::Key_Space, Qt::ControlModifier);
        QVERIFY(editor.isCompletionVisible());
        QVERIFY(editor.visibleCompletions().contains(QStringLiteral("sum")));
        // Enter in the popup accepts the current row.
        QTest::keyClick(editor.completer()->popup(), Qt::Key_Return);
        QCOMPARE(editor.toPlainText(), QStringLiteral("sum()"));
    }

    void emptyAnswerDoesNotAskAgainForever()
    {
        // A datasource with no metrics answering synchronously from a cache
        // once recursed without end (wanted -> empty names -> wanted ...).
        PromqlEditor editor;
        editor.setParseCheckEnabled(false);
        editor.resize(600, 80);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setFocus();
        int asked = 0;
        connect(&editor, &PromqlEditor::completionDataWanted, &editor, [&] {
            ++asked;
            editor.setMetricNames({});
            editor.setLabelNames({});
        });
        QTest::keyClicks(&editor, QStringLiteral("su"));
        QVERIFY(editor.isCompletionVisible()); // functions and aggregations still fit
        QVERIFY(asked >= 1);
        QVERIFY2(asked <= 4, qPrintable(QString::number(asked)));
    }

    void parseErrorUnderline()
    {
        PromqlEditor editor;
        editor.setParseDelay(10);
        QSignalSpy spy(&editor, &PromqlEditor::parseErrorChanged);
        const QString bad = QStringLiteral("sum(rate(up[5m])) by (job) + on(");
        editor.setPlainText(bad);
        QTRY_COMPARE(spy.count(), 1);
        const auto parsed = query::promql::PromqlParser::parse(bad);
        QVERIFY(!parsed);
        const int expected = parsed.error().column - 1;
        QCOMPARE(spy.at(0).at(1).toInt(), expected);
        QVERIFY(!spy.at(0).at(0).toString().isEmpty());
        QCOMPARE(editor.errorPosition(), expected);
        QCOMPARE(editor.extraSelections().size(), 1);
        const auto sel = editor.extraSelections().at(0);
        QCOMPARE(sel.format.underlineStyle(), QTextCharFormat::WaveUnderline);
        QCOMPARE(sel.format.underlineColor(), QColor(0xf2, 0x49, 0x5c));
        QCOMPARE(sel.cursor.selectionStart(), std::min(expected, int(bad.size()) - 1));

        // A concrete one: the "*" where an operand is due, column 5.
        editor.setPlainText(QStringLiteral("up + * 2"));
        QTRY_COMPARE(spy.count(), 2);
        QCOMPARE(spy.at(1).at(1).toInt(), 5);
        QCOMPARE(editor.extraSelections().at(0).cursor.selectionStart(), 5);
        QVERIFY(spy.at(1).at(0).toString().contains(QStringLiteral("unexpected")));

        // Fixing the text clears the marker at once and reports success.
        editor.setPlainText(QStringLiteral("up + 2"));
        QCOMPARE(editor.errorPosition(), -1);
        QVERIFY(editor.extraSelections().isEmpty());
        QTRY_COMPARE(spy.count(), 3);
        QVERIFY(spy.at(2).at(0).toString().isEmpty());

        // A late answer for older text is dropped.
        editor.setParseDelay(100000);
        editor.setPlainText(QStringLiteral("up{"));
        editor.checkSyntaxNow();
        editor.setPlainText(QStringLiteral("up"));
        QTest::qWait(100);
        QCOMPARE(editor.errorPosition(), -1);
    }
};

QTEST_MAIN(TestPromqlEditor)
#include "tst_promql_editor.moc"
