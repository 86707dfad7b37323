#pragma once

#include "app/gui/logs/logql_tokenizer.h"

#include <QHash>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace spyglass::gui::logs {

// Colours LogQL with LogqlTokenizer's token kinds, in the PromQL editor's palette.
class LogqlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit LogqlHighlighter(QTextDocument *document);
    QTextCharFormat formatFor(LogqlTokenKind kind) const { return m_formats.value(kind); }

protected:
    void highlightBlock(const QString &text) override;

private:
    QHash<LogqlTokenKind, QTextCharFormat> m_formats;
};

} // namespace spyglass::gui::logs
