#pragma once

#include <QHash>
#include <QPlainTextEdit>
#include <QStringList>
#include <QSyntaxHighlighter>

class QCompleter;
class QStringListModel;
class QTimer;

namespace spyglass::gui::traces {

// TraceQL token kinds for highlighting and completion.
enum class TraceqlTokenKind { Plain, Brace, Keyword, Intrinsic, Attribute, String, Number, Operator, Function };

struct TraceqlToken
{
    TraceqlTokenKind kind = TraceqlTokenKind::Plain;
    int start = 0;
    int length = 0;
};

// A forgiving lexer (unterminated strings run to the end): highlighting
// must work on half-typed queries.
QList<TraceqlToken> tokenizeTraceql(const QString &text);

class TraceqlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit TraceqlHighlighter(QTextDocument *document);
    QTextCharFormat formatFor(TraceqlTokenKind kind) const { return m_formats.value(kind); }

protected:
    void highlightBlock(const QString &text) override;

private:
    QHash<TraceqlTokenKind, QTextCharFormat> m_formats;
};

// Where the cursor is, for completion.
struct TraceqlCompletionContext
{
    enum class Kind { Field, AttributeName, Value };
    Kind kind = Kind::Field;
    QString prefix;      // typed part of the word being completed
    int replaceFrom = 0; // document position where the completed word starts
    QString attribute;   // Value: the field compared ("resource.service.name", "name")
    bool inString = false;
};
TraceqlCompletionContext traceqlContextAt(const QString &text, int cursor);

// A TraceQL query box: highlighting, a completion popup (intrinsics,
// scopes, attribute names and values from the host, which is asked for
// them through attributeNamesWanted / attributeValuesWanted and answers
// from wherever it reads them: off the GUI thread), and a red wavy
// underline at the column of a parse error (parsing runs on the thread
// pool, debounced; stale results are dropped). Enter submits.
class TraceqlEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit TraceqlEditor(QWidget *parent = nullptr);

    QString query() const { return toPlainText(); }
    void setQuery(const QString &text);

    // Attribute names as written in queries ("span.http.method", "resource.service.name").
    void setAttributeNames(const QStringList &names);
    // Values of a field ("resource.service.name", "name"); strings are quoted on insert.
    void setAttributeValues(const QString &attribute, const QStringList &values);
    bool hasAttributeNames() const { return m_namesLoaded; }

    QStringList candidates(const TraceqlCompletionContext &context) const;
    void showCompletions();
    bool isCompletionVisible() const;
    QStringList visibleCompletions() const;
    void acceptCompletion(int row);

    int errorColumn() const { return m_errorColumn; } // 1-based, 0: none
    QString errorMessage() const { return m_errorMessage; }
    void checkSyntaxNow();

    QSize sizeHint() const override;

signals:
    void submitted();
    void attributeNamesWanted();
    void attributeValuesWanted(const QString &attribute);
    // After each check; empty message when the query parses.
    void parseErrorChanged(const QString &message, int column);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;

private:
    void runParseCheck();
    void setError(int column, const QString &message);
    void insertCompletion(const QString &text);

    TraceqlHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStringListModel *m_completionModel;
    TraceqlCompletionContext m_shownContext;
    QStringList m_attributeNames;
    QHash<QString, QStringList> m_values;
    QStringList m_valuesAsked;
    bool m_namesLoaded = false;
    bool m_namesAsked = false;
    bool m_justCompleted = false;
    QTimer *m_parseTimer;
    int m_parseJob = 0;
    int m_errorColumn = 0;
    QString m_errorMessage;
};

} // namespace spyglass::gui::traces
