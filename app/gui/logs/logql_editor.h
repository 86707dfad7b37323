#pragma once

#include "app/gui/logs/logql_tokenizer.h"

#include <QHash>
#include <QPlainTextEdit>
#include <QStringList>

class QCompleter;
class QStandardItemModel;
class QTimer;

namespace spyglass::gui::logs {

class LogqlHighlighter;

struct LogqlCompletionItem
{
    enum class Kind { Function, Aggregation, Keyword, Stage, LabelName, LabelValue, Duration };
    Kind kind = Kind::Function;
    QString text;
    QString detail;
};

// A LogQL query editor, the sibling of widgets::PromqlEditor: highlighting,
// bracket matching, completion of functions, pipeline stages, label names
// and values, and a red wavy underline at parse errors (LogqlParser, run on
// the thread pool after a pause in typing; stale answers are dropped).
//
// It knows no datasource: the host answers completionDataWanted /
// labelValuesWanted (off the GUI thread) with setLabelNames / setLabelValues.
class LogqlEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit LogqlEditor(QWidget *parent = nullptr);
    ~LogqlEditor() override;

    LogqlHighlighter *highlighter() const { return m_highlighter; }

    void setLabelNames(const QStringList &names);
    void setLabelValues(const QString &label, const QStringList &values);
    void clearCompletionData();
    bool hasLabelValues(const QString &label) const { return m_labelValues.contains(label); }

    QList<LogqlCompletionItem> candidates(const LogqlCompletionContext &context) const;
    LogqlCompletionContext contextAtCursor() const;
    void showCompletions();
    void hideCompletions();
    bool isCompletionVisible() const;
    QStringList visibleCompletions() const;
    void acceptCompletion(int row);

    void setErrorAt(int position, const QString &message);
    void clearError();
    int errorPosition() const { return m_errorPos; }
    QString errorMessage() const { return m_errorMessage; }
    void setParseCheckEnabled(bool enabled);
    void setParseDelay(int ms);
    void checkSyntaxNow();

    QPair<int, int> bracketMatch() const { return m_bracketPair; }
    QSize sizeHint() const override;

signals:
    void completionDataWanted();
    void labelValuesWanted(const QString &label);
    void parseErrorChanged(const QString &message, int position);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;

private:
    void onTextChanged();
    void updateBracketMatch();
    void updateExtraSelections();
    void insertCompletion(const LogqlCompletionItem &item);
    void runParseCheck();

    LogqlHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStandardItemModel *m_completionModel;
    QList<LogqlCompletionItem> m_shown;
    LogqlCompletionContext m_shownContext;
    QStringList m_labelNames;
    QHash<QString, QStringList> m_labelValues;
    QStringList m_requestedValues;
    bool m_requestedNames = false;
    int m_errorPos = -1;
    QString m_errorMessage;
    bool m_errorFromParse = false;
    QPair<int, int> m_bracketPair{-1, -1};
    QTimer *m_parseTimer;
    bool m_parseCheck = true;
    int m_parseJob = 0;
};

} // namespace spyglass::gui::logs
