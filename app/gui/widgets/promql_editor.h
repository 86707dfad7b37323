#pragma once

#include "app/gui/widgets/promql_tokenizer.h"

#include <QHash>
#include <QPlainTextEdit>
#include <QStringList>

class QCompleter;
class QStandardItemModel;
class QTimer;

namespace spyglass::gui::widgets {

class PromqlHighlighter;

// One entry of the completion popup.
struct PromqlCompletionItem
{
    enum class Kind { Function, Aggregation, Keyword, Metric, LabelName, LabelValue, Duration };
    Kind kind = Kind::Metric;
    QString text;   // what the popup shows and filters on
    QString detail; // signature or a short description (tooltip)
};

// A PromQL query editor: syntax highlighting, matching-bracket highlight,
// a completion popup (functions, aggregations, keywords, metric names,
// label names and values) and a red wavy underline at parse errors.
//
// The editor knows no datasource: the host gives it metric and label names
// (setMetricNames, setLabelNames, setLabelValues) and is asked for missing
// ones through completionDataWanted / labelValuesWanted, so look-ups run
// wherever the host runs them (off the GUI thread). Parsing for the error
// underline runs on the thread pool, debounced, and stale answers are dropped.
class PromqlEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit PromqlEditor(QWidget *parent = nullptr);
    ~PromqlEditor() override;

    PromqlHighlighter *highlighter() const { return m_highlighter; }
    QCompleter *completer() const { return m_completer; }

    // ---- completion
    void setMetricNames(const QStringList &names);
    void setLabelNames(const QStringList &names);
    void setLabelValues(const QString &label, const QStringList &values);
    void clearCompletionData();
    bool hasLabelValues(const QString &label) const { return m_labelValues.contains(label); }

    // What the popup offers in `context` (filtered by its prefix, best first).
    QList<PromqlCompletionItem> candidates(const PromqlCompletionContext &context) const;
    PromqlCompletionContext contextAtCursor() const;
    // Opens (or refreshes) the popup for the word at the cursor; hides it
    // when nothing fits. Ctrl+Space does the same.
    void showCompletions();
    void hideCompletions();
    bool isCompletionVisible() const;
    QStringList visibleCompletions() const; // texts in the open popup
    // Inserts the popup's `row` (as clicking it would).
    void acceptCompletion(int row);

    // ---- errors
    // Underlines the character at `position` (0-based, in the document)
    // with a red wave; -1 clears. Text changes clear it.
    void setErrorAt(int position, const QString &message);
    void clearError();
    int errorPosition() const { return m_errorPos; }
    QString errorMessage() const { return m_errorMessage; }
    // Parsing as one types (on by default; 300 ms after the last key).
    void setParseCheckEnabled(bool enabled);
    void setParseDelay(int ms);
    // Starts the parse check now instead of after the delay.
    void checkSyntaxNow();

    // ---- brackets
    // The bracket next to the cursor and its partner (-1 when unmatched),
    // or {-1, -1} when the cursor is not next to a bracket.
    QPair<int, int> bracketMatch() const { return m_bracketPair; }

    QSize sizeHint() const override;

signals:
    void completionDataWanted();
    void labelValuesWanted(const QString &label);
    // After each parse check: empty message when the query parses.
    void parseErrorChanged(const QString &message, int position);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;

private:
    enum class ErrorSource { None, Parse, External };
    void onTextChanged();
    void updateBracketMatch();
    void updateExtraSelections();
    void insertCompletion(const PromqlCompletionItem &item);
    bool handleBracketKey(const QString &typed);
    void setError(int position, const QString &message, ErrorSource source);
    void runParseCheck();

    PromqlHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStandardItemModel *m_completionModel;
    QList<PromqlCompletionItem> m_shown;
    PromqlCompletionContext m_shownContext;

    QStringList m_metricNames;
    QStringList m_labelNames;
    QHash<QString, QStringList> m_labelValues;
    QStringList m_requestedValues; // labels asked for and not answered yet
    // True while names that were asked for are being shown: an empty answer
    // must not ask again (the datasource may answer synchronously, from a cache).
    bool m_answeringData = false;
    // Names were asked for while the popup had nothing to show: show it when they arrive.
    bool m_waitingForData = false;

    int m_errorPos = -1;
    QString m_errorMessage;
    ErrorSource m_errorSource = ErrorSource::None;
    QPair<int, int> m_bracketPair{-1, -1};

    QTimer *m_parseTimer;
    bool m_parseCheck = true;
    int m_parseJob = 0;
};

} // namespace spyglass::gui::widgets
