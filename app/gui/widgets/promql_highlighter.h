#pragma once

#include "app/gui/widgets/promql_tokenizer.h"

#include <QHash>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace spyglass::gui::widgets {

// Colours PromQL in a QTextDocument with PromqlTokenizer's token kinds. A
// selector left open at the end of a line carries over to the next one
// through the block state.
class PromqlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit PromqlHighlighter(QTextDocument *document);

    // The format each kind is drawn with (Plain: an empty format).
    QTextCharFormat formatFor(PromqlTokenKind kind) const { return m_formats.value(kind); }
    void setFormat(PromqlTokenKind kind, const QTextCharFormat &format);

protected:
    void highlightBlock(const QString &text) override;

private:
    QHash<PromqlTokenKind, QTextCharFormat> m_formats;
};

} // namespace spyglass::gui::widgets
