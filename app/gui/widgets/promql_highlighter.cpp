#include "app/gui/widgets/promql_highlighter.h"

namespace spyglass::gui::widgets {

namespace {

QTextCharFormat colour(const char *hex, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(QColor(QLatin1String(hex)));
    if (bold)
        f.setFontWeight(QFont::DemiBold);
    if (italic)
        f.setFontItalic(true);
    return f;
}

} // namespace

PromqlHighlighter::PromqlHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
{
    // Close to Grafana's dark Monaco theme for PromQL, readable on #181b1f.
    m_formats.insert(PromqlTokenKind::Function, colour("#6cb4ff"));
    m_formats.insert(PromqlTokenKind::Aggregation, colour("#c586c0", true));
    m_formats.insert(PromqlTokenKind::Keyword, colour("#c586c0"));
    m_formats.insert(PromqlTokenKind::MetricName, colour("#e0e0e0"));
    m_formats.insert(PromqlTokenKind::LabelName, colour("#9cdcfe"));
    m_formats.insert(PromqlTokenKind::String, colour("#ce9178"));
    m_formats.insert(PromqlTokenKind::Number, colour("#b5cea8"));
    m_formats.insert(PromqlTokenKind::Duration, colour("#dcdcaa"));
    m_formats.insert(PromqlTokenKind::Comment, colour("#6a9955", false, true));
    m_formats.insert(PromqlTokenKind::Operator, colour("#d4d4d4"));
    m_formats.insert(PromqlTokenKind::Bracket, colour("#ffd700"));
}

void PromqlHighlighter::setFormat(PromqlTokenKind kind, const QTextCharFormat &format)
{
    m_formats.insert(kind, format);
    rehighlight();
}

void PromqlHighlighter::highlightBlock(const QString &text)
{
    bool insideBraces = false;
    const QList<PromqlToken> tokens =
        PromqlTokenizer::tokenize(text, previousBlockState() == 1, &insideBraces);
    for (const PromqlToken &t : tokens) {
        const auto it = m_formats.constFind(t.kind);
        if (it != m_formats.constEnd())
            QSyntaxHighlighter::setFormat(t.start, t.length, *it);
    }
    setCurrentBlockState(insideBraces ? 1 : 0);
}

} // namespace spyglass::gui::widgets
