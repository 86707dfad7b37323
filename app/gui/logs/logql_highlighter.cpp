#include "app/gui/logs/logql_highlighter.h"

#include <QTextBlock>
#include <QTextDocument>

namespace spyglass::gui::logs {

LogqlHighlighter::LogqlHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
{
    auto fmt = [](QColor c, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(c);
        if (bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(italic);
        return f;
    };
    m_formats.insert(LogqlTokenKind::Function, fmt(QColor(0x6c, 0xb4, 0xff)));
    m_formats.insert(LogqlTokenKind::Aggregation, fmt(QColor(0xc5, 0x86, 0xc0), true));
    m_formats.insert(LogqlTokenKind::Keyword, fmt(QColor(0xc5, 0x86, 0xc0)));
    m_formats.insert(LogqlTokenKind::Stage, fmt(QColor(0x4e, 0xc9, 0xb0), true));
    m_formats.insert(LogqlTokenKind::LabelName, fmt(QColor(0x9c, 0xdc, 0xfe)));
    m_formats.insert(LogqlTokenKind::String, fmt(QColor(0xce, 0x91, 0x78)));
    m_formats.insert(LogqlTokenKind::Number, fmt(QColor(0xb5, 0xce, 0xa8)));
    m_formats.insert(LogqlTokenKind::Duration, fmt(QColor(0xdc, 0xdc, 0xaa)));
    m_formats.insert(LogqlTokenKind::Comment, fmt(QColor(0x6a, 0x99, 0x55), false, true));
    m_formats.insert(LogqlTokenKind::Operator, fmt(QColor(0xd4, 0xa0, 0x50), true));
}

void LogqlHighlighter::highlightBlock(const QString &text)
{
    // Queries are short: tokenising the whole document keeps multi-line
    // selectors right without carrying state between blocks.
    const QString all = document()->toPlainText();
    const int offset = currentBlock().position();
    for (const auto &t : LogqlTokenizer::tokenize(all)) {
        if (t.end() <= offset || t.start >= offset + text.size())
            continue;
        const auto it = m_formats.constFind(t.kind);
        if (it == m_formats.constEnd())
            continue;
        const int s = std::max(t.start, offset) - offset;
        const int e = std::min(t.end(), offset + int(text.size())) - offset;
        setFormat(s, e - s, *it);
    }
}

} // namespace spyglass::gui::logs
