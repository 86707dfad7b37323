#include "app/gui/logs/logql_editor.h"

#include "app/gui/logs/logql_highlighter.h"
#include "core/query/logql/parser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QPointer>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <optional>

namespace spyglass::gui::logs {

namespace {

using Item = LogqlCompletionItem;
constexpr int kMaxCandidates = 300;

void addMatches(QList<Item> &out, QList<Item> &later, const QStringList &words, const QString &prefix,
                Item::Kind kind, const QString &detail)
{
    for (const QString &w : words) {
        if (prefix.isEmpty() || w.startsWith(prefix, Qt::CaseInsensitive))
            out.push_back({kind, w, detail});
        else if (w.contains(prefix, Qt::CaseInsensitive))
            later.push_back({kind, w, detail});
    }
}

QString escapeValue(const QString &v, const QString &quote)
{
    if (quote == u"`")
        return v;
    QString out;
    for (QChar c : v) {
        if (c == u'\\' || c == u'"')
            out += u'\\';
        out += c;
    }
    return out;
}

QString stageDetail(const QString &stage)
{
    if (stage == u"json" || stage == u"logfmt" || stage == u"unpack")
        return QObject::tr("parser: extract labels from the line");
    if (stage == u"regexp" || stage == u"pattern")
        return QObject::tr("parser with an expression: | %1 \"...\"").arg(stage);
    if (stage == u"line_format" || stage == u"label_format")
        return QObject::tr("formatter (Go template)");
    if (stage == u"unwrap")
        return QObject::tr("use a label's value as the sample value");
    return QObject::tr("pipeline stage");
}

} // namespace

LogqlEditor::LogqlEditor(QWidget *parent)
    : QPlainTextEdit(parent),
      m_highlighter(new LogqlHighlighter(document())),
      m_completer(new QCompleter(this)),
      m_completionModel(new QStandardItemModel(this)),
      m_parseTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("logqlEditor"));
    setTabChangesFocus(true);
    setPlaceholderText(tr("LogQL, e.g. {job=\"checkout\"} |= \"error\" | logfmt"));
    m_completer->setWidget(this);
    m_completer->setModel(m_completionModel);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setMaxVisibleItems(12);
    m_completer->popup()->setObjectName(QStringLiteral("logqlCompletionPopup"));
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            [this](const QModelIndex &index) { acceptCompletion(index.row()); });
    m_parseTimer->setSingleShot(true);
    m_parseTimer->setInterval(300);
    connect(m_parseTimer, &QTimer::timeout, this, &LogqlEditor::runParseCheck);
    connect(this, &QPlainTextEdit::textChanged, this, &LogqlEditor::onTextChanged);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &LogqlEditor::updateBracketMatch);
}

LogqlEditor::~LogqlEditor() = default;

QSize LogqlEditor::sizeHint() const
{
    return {400, fontMetrics().lineSpacing() * 3 + 14};
}

void LogqlEditor::setLabelNames(const QStringList &names)
{
    m_labelNames = names;
    m_labelNames.removeAll(QStringLiteral("__name__"));
    const auto kind = contextAtCursor().kind;
    if (hasFocus() && (kind == LogqlCompletionContext::Kind::LabelName || kind == LogqlCompletionContext::Kind::Pipeline)
        && (isCompletionVisible() || m_requestedNames))
        showCompletions();
}

void LogqlEditor::setLabelValues(const QString &label, const QStringList &values)
{
    m_labelValues.insert(label, values);
    m_requestedValues.removeAll(label);
    const auto ctx = contextAtCursor();
    if ((hasFocus() || isCompletionVisible()) && ctx.kind == LogqlCompletionContext::Kind::LabelValue
        && ctx.label == label)
        showCompletions();
}

void LogqlEditor::clearCompletionData()
{
    m_labelNames.clear();
    m_labelValues.clear();
    m_requestedValues.clear();
    m_requestedNames = false;
}

LogqlCompletionContext LogqlEditor::contextAtCursor() const
{
    return LogqlTokenizer::completionContext(toPlainText(), textCursor().position());
}

QList<LogqlCompletionItem> LogqlEditor::candidates(const LogqlCompletionContext &ctx) const
{
    using Kind = LogqlCompletionContext::Kind;
    QList<Item> out, later;
    const QString &p = ctx.prefix;
    switch (ctx.kind) {
    case Kind::None:
        return {};
    case Kind::Expression:
        addMatches(out, later, LogqlTokenizer::functions(), p, Item::Kind::Function, tr("function"));
        addMatches(out, later, LogqlTokenizer::aggregations(), p, Item::Kind::Aggregation, tr("aggregation operator"));
        if (!p.isEmpty())
            addMatches(out, later, LogqlTokenizer::keywords(), p, Item::Kind::Keyword, tr("keyword"));
        break;
    case Kind::Pipeline:
        for (const auto &s : LogqlTokenizer::stages())
            addMatches(out, later, {s}, p, Item::Kind::Stage, stageDetail(s));
        addMatches(out, later, m_labelNames, p, Item::Kind::LabelName, tr("label filter"));
        break;
    case Kind::LabelName:
        addMatches(out, later, m_labelNames, p, Item::Kind::LabelName, tr("label"));
        break;
    case Kind::LabelValue:
        addMatches(out, later, m_labelValues.value(ctx.label), p, Item::Kind::LabelValue,
                   tr("value of %1").arg(ctx.label));
        break;
    case Kind::Duration:
        addMatches(out, later,
                   {QStringLiteral("1m"), QStringLiteral("5m"), QStringLiteral("10m"), QStringLiteral("30m"),
                    QStringLiteral("1h"), QStringLiteral("6h"), QStringLiteral("1d")},
                   p, Item::Kind::Duration, tr("range"));
        break;
    }
    out.append(later);
    if (out.size() == 1 && out.front().text == p)
        out.clear();
    if (out.size() > kMaxCandidates)
        out.resize(kMaxCandidates);
    return out;
}

void LogqlEditor::showCompletions()
{
    using Kind = LogqlCompletionContext::Kind;
    const auto ctx = contextAtCursor();
    if ((ctx.kind == Kind::LabelName || ctx.kind == Kind::Pipeline) && m_labelNames.isEmpty() && !m_requestedNames) {
        m_requestedNames = true;
        emit completionDataWanted();
    }
    if (ctx.kind == Kind::LabelValue && !m_labelValues.contains(ctx.label) && !m_requestedValues.contains(ctx.label)) {
        m_requestedValues.append(ctx.label);
        emit labelValuesWanted(ctx.label);
    }
    const auto items = candidates(ctx);
    if (items.isEmpty()) {
        hideCompletions();
        return;
    }
    m_shown = items;
    m_shownContext = ctx;
    m_completionModel->clear();
    for (const auto &item : items) {
        auto *row = new QStandardItem(item.text);
        row->setToolTip(item.detail);
        row->setEditable(false);
        m_completionModel->appendRow(row);
    }
    QAbstractItemView *popup = m_completer->popup();
    popup->setCurrentIndex(m_completionModel->index(0, 0));
    QRect rect = cursorRect();
    QTextCursor wordStart(document());
    wordStart.setPosition(std::clamp(ctx.start, 0, int(toPlainText().size())));
    rect.setLeft(cursorRect(wordStart).left());
    rect.setWidth(std::clamp(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 24, 180, 520));
    rect.translate(0, 3);
    m_completer->complete(rect);
}

void LogqlEditor::hideCompletions() { m_completer->popup()->hide(); }
bool LogqlEditor::isCompletionVisible() const { return m_completer->popup()->isVisible(); }

QStringList LogqlEditor::visibleCompletions() const
{
    QStringList out;
    if (isCompletionVisible())
        for (const auto &i : m_shown)
            out.append(i.text);
    return out;
}

void LogqlEditor::acceptCompletion(int row)
{
    if (row < 0 || row >= m_shown.size())
        return;
    const Item item = m_shown[row];
    hideCompletions();
    insertCompletion(item);
}

void LogqlEditor::insertCompletion(const LogqlCompletionItem &item)
{
    const auto ctx = contextAtCursor();
    const QString text = toPlainText();
    QTextCursor c = textCursor();
    const int cursor = c.position();
    const int start = ctx.kind == m_shownContext.kind ? std::clamp(ctx.start, 0, cursor) : cursor;
    int end = cursor;
    if (item.kind != Item::Kind::LabelValue)
        while (end < text.size() && (text[end].isLetterOrNumber() || text[end] == u'_'))
            ++end;
    c.beginEditBlock();
    c.setPosition(start);
    c.setPosition(end, QTextCursor::KeepAnchor);
    const QChar next = end < text.size() ? text[end] : QChar();
    QString insert = item.text;
    int back = 0;
    bool chain = false;
    switch (item.kind) {
    case Item::Kind::Function:
    case Item::Kind::Aggregation:
        if (next != u'(') {
            insert += QStringLiteral("()");
            back = 1;
        }
        break;
    case Item::Kind::LabelName:
        if (next != u'=' && next != u'!') {
            insert += QStringLiteral("=\"\"");
            back = 1;
            chain = ctx.inSelector;
        }
        break;
    case Item::Kind::LabelValue:
        if (ctx.quote.isEmpty()) {
            insert = u'"' + escapeValue(item.text, {}) + u'"';
        } else {
            int close = cursor;
            while (close < text.size() && text[close] != ctx.quote.front() && text[close] != u'}' && text[close] != u',')
                ++close;
            const bool closed = close < text.size() && text[close] == ctx.quote.front();
            c.setPosition(start);
            c.setPosition(closed ? close + 1 : cursor, QTextCursor::KeepAnchor);
            insert = escapeValue(item.text, ctx.quote) + ctx.quote;
        }
        break;
    case Item::Kind::Stage:
        if (item.text == u"regexp" || item.text == u"pattern" || item.text == u"line_format") {
            insert += QStringLiteral(" \"\"");
            back = 1;
        } else if (!next.isSpace()) {
            insert += u' ';
        }
        break;
    case Item::Kind::Keyword:
        if (!next.isSpace())
            insert += u' ';
        break;
    case Item::Kind::Duration:
        break;
    }
    c.insertText(insert);
    c.setPosition(c.position() - back);
    c.endEditBlock();
    setTextCursor(c);
    if (chain)
        QTimer::singleShot(0, this, &LogqlEditor::showCompletions);
}

void LogqlEditor::keyPressEvent(QKeyEvent *event)
{
    if (isCompletionVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore();
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        showCompletions();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return;
    if (typed.isEmpty() && event->key() != Qt::Key_Backspace) {
        hideCompletions();
        return;
    }
    const auto ctx = contextAtCursor();
    const QChar ch = typed.isEmpty() ? QChar() : typed.back();
    const bool trigger = ch == u'{' || ch == u',' || ch == u'"' || ch == u'(' || ch == u'[' || ch == u'='
                         || ch == u'|' || ch == u' ';
    const bool word = !ctx.prefix.isEmpty();
    using Kind = LogqlCompletionContext::Kind;
    const bool offer = ctx.kind != Kind::None && (word || trigger || isCompletionVisible())
                       && !(ctx.kind == Kind::Expression && !word)
                       && !(ch == u' ' && ctx.kind != Kind::Pipeline);
    if (offer)
        showCompletions();
    else
        hideCompletions();
}

void LogqlEditor::focusInEvent(QFocusEvent *event)
{
    QPlainTextEdit::focusInEvent(event);
    if (m_labelNames.isEmpty() && !m_requestedNames) {
        m_requestedNames = true;
        emit completionDataWanted();
    }
}

void LogqlEditor::setErrorAt(int position, const QString &message)
{
    m_errorPos = position;
    m_errorMessage = position < 0 ? QString() : message;
    m_errorFromParse = false;
    updateExtraSelections();
}

void LogqlEditor::clearError() { setErrorAt(-1, {}); }

void LogqlEditor::setParseCheckEnabled(bool enabled)
{
    m_parseCheck = enabled;
    if (!enabled) {
        m_parseTimer->stop();
        ++m_parseJob;
    }
}

void LogqlEditor::setParseDelay(int ms) { m_parseTimer->setInterval(ms); }

void LogqlEditor::checkSyntaxNow()
{
    m_parseTimer->stop();
    runParseCheck();
}

void LogqlEditor::onTextChanged()
{
    if (m_errorPos >= 0)
        clearError();
    if (m_parseCheck)
        m_parseTimer->start();
}

void LogqlEditor::runParseCheck()
{
    const int job = ++m_parseJob;
    const QString text = toPlainText();
    if (text.trimmed().isEmpty()) {
        if (m_errorFromParse)
            clearError();
        emit parseErrorChanged({}, -1);
        return;
    }
    QtConcurrent::run([text]() -> std::optional<Error> {
        auto parsed = query::logql::LogqlParser::parse(text);
        if (parsed)
            return std::nullopt;
        return parsed.error();
    }).then(this, [this, job, text](const std::optional<Error> &error) {
        if (job != m_parseJob || text != toPlainText())
            return;
        if (!error) {
            if (m_errorFromParse)
                clearError();
            emit parseErrorChanged({}, -1);
            return;
        }
        int pos = 0;
        const QTextBlock block = document()->findBlockByNumber(std::max(0, error->line - 1));
        if (block.isValid())
            pos = block.position() + std::clamp(error->column - 1, 0, std::max(0, block.length() - 1));
        pos = std::min(pos, int(text.size()));
        m_errorPos = pos;
        m_errorMessage = error->message;
        m_errorFromParse = true;
        updateExtraSelections();
        emit parseErrorChanged(error->message, pos);
    });
}

void LogqlEditor::updateBracketMatch()
{
    const QString text = toPlainText();
    const int cursor = textCursor().position();
    QPair<int, int> pair{-1, -1};
    for (int pos : {cursor, cursor - 1}) {
        if (pos < 0 || pos >= text.size() || !QStringLiteral("()[]{}").contains(text[pos]))
            continue;
        const int m = LogqlTokenizer::matchingBracket(text, pos);
        pair = {pos, m};
        break;
    }
    if (pair == m_bracketPair)
        return;
    m_bracketPair = pair;
    updateExtraSelections();
}

void LogqlEditor::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    auto charAt = [this](int pos) {
        QTextCursor c(document());
        c.setPosition(pos);
        c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        return c;
    };
    const int length = int(toPlainText().size());
    if (m_bracketPair.first >= 0 && m_bracketPair.first < length) {
        for (int pos : {m_bracketPair.first, m_bracketPair.second}) {
            if (pos < 0 || pos >= length)
                continue;
            QTextEdit::ExtraSelection sel;
            sel.cursor = charAt(pos);
            sel.format.setBackground(m_bracketPair.second < 0 ? QColor(0xf2, 0x49, 0x5c, 50) : QColor(0x3d, 0x71, 0xd9, 110));
            selections.append(sel);
        }
    }
    if (m_errorPos >= 0 && length > 0) {
        QTextEdit::ExtraSelection sel;
        const int pos = std::clamp(m_errorPos >= length ? length - 1 : m_errorPos, 0, length - 1);
        sel.cursor = charAt(pos);
        sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        sel.format.setUnderlineColor(QColor(0xf2, 0x49, 0x5c));
        sel.format.setBackground(QColor(0xf2, 0x49, 0x5c, 60));
        sel.format.setToolTip(m_errorMessage);
        selections.append(sel);
    }
    setExtraSelections(selections);
}

} // namespace spyglass::gui::logs
