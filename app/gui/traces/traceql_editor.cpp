#include "app/gui/traces/traceql_editor.h"

#include "core/query/traceql/parser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::traces {

namespace {

const QStringList &intrinsics()
{
    static const QStringList list = {
        QStringLiteral("name"), QStringLiteral("status"), QStringLiteral("statusMessage"),
        QStringLiteral("kind"), QStringLiteral("duration"), QStringLiteral("rootName"),
        QStringLiteral("rootServiceName"), QStringLiteral("traceDuration"), QStringLiteral("span:id"),
        QStringLiteral("span:parentID"), QStringLiteral("trace:id"), QStringLiteral("event:name"),
        QStringLiteral("event:timeSinceStart"), QStringLiteral("link:traceID"), QStringLiteral("link:spanID"),
        QStringLiteral("instrumentation:name"), QStringLiteral("instrumentation:version"),
        QStringLiteral("nestedSetLeft"), QStringLiteral("nestedSetRight"), QStringLiteral("nestedSetParent"),
        QStringLiteral("span:childCount")};
    return list;
}

const QStringList &keywords()
{
    static const QStringList list = {QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("nil"),
                                     QStringLiteral("error"), QStringLiteral("ok"), QStringLiteral("unset"),
                                     QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("producer"),
                                     QStringLiteral("consumer"), QStringLiteral("internal"),
                                     QStringLiteral("unspecified")};
    return list;
}

const QStringList &functions()
{
    static const QStringList list = {
        QStringLiteral("count"), QStringLiteral("avg"), QStringLiteral("min"), QStringLiteral("max"),
        QStringLiteral("sum"), QStringLiteral("by"), QStringLiteral("select"), QStringLiteral("coalesce"),
        QStringLiteral("rate"), QStringLiteral("count_over_time"), QStringLiteral("quantile_over_time"),
        QStringLiteral("histogram_over_time"), QStringLiteral("min_over_time"), QStringLiteral("max_over_time"),
        QStringLiteral("avg_over_time"), QStringLiteral("sum_over_time")};
    return list;
}

const QStringList &scopes()
{
    static const QStringList list = {QStringLiteral("span."), QStringLiteral("resource."), QStringLiteral("event."),
                                     QStringLiteral("link."), QStringLiteral("instrumentation."), QStringLiteral(".")};
    return list;
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.') || c == QLatin1Char(':')
        || c == QLatin1Char('-') || c == QLatin1Char('/');
}

bool isNumberStart(const QString &t, int i)
{
    return t[i].isDigit() || (t[i] == QLatin1Char('-') && i + 1 < t.size() && t[i + 1].isDigit());
}

} // namespace

QList<TraceqlToken> tokenizeTraceql(const QString &t)
{
    QList<TraceqlToken> out;
    int i = 0;
    const int n = int(t.size());
    while (i < n) {
        const QChar c = t[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        const int start = i;
        if (c == QLatin1Char('"') || c == QLatin1Char('`')) {
            const QChar q = c;
            ++i;
            while (i < n && t[i] != q) {
                if (t[i] == QLatin1Char('\\') && q == QLatin1Char('"'))
                    ++i;
                ++i;
            }
            i = std::min(n, i + 1);
            out.push_back({TraceqlTokenKind::String, start, i - start});
            continue;
        }
        if (c == QLatin1Char('{') || c == QLatin1Char('}') || c == QLatin1Char('(') || c == QLatin1Char(')')) {
            out.push_back({TraceqlTokenKind::Brace, start, 1});
            ++i;
            continue;
        }
        if (c.isDigit()) {
            while (i < n && (t[i].isLetterOrNumber() || t[i] == QLatin1Char('.')))
                ++i; // 100ms, 1.5s, 500
            out.push_back({TraceqlTokenKind::Number, start, i - start});
            continue;
        }
        if (c.isLetter() || c == QLatin1Char('.') || c == QLatin1Char('_')) {
            while (i < n && (isWordChar(t[i]) && t[i] != QLatin1Char('/')))
                ++i;
            const QString word = t.mid(start, i - start);
            TraceqlTokenKind kind = TraceqlTokenKind::Plain;
            if (word.startsWith(QLatin1Char('.')) || word.startsWith(QLatin1String("span."))
                || word.startsWith(QLatin1String("resource.")) || word.startsWith(QLatin1String("event."))
                || word.startsWith(QLatin1String("link.")) || word.startsWith(QLatin1String("instrumentation.")))
                kind = TraceqlTokenKind::Attribute;
            else if (intrinsics().contains(word))
                kind = TraceqlTokenKind::Intrinsic;
            else if (keywords().contains(word))
                kind = TraceqlTokenKind::Keyword;
            else if (functions().contains(word))
                kind = TraceqlTokenKind::Function;
            out.push_back({kind, start, i - start});
            continue;
        }
        while (i < n && QStringLiteral("=!<>~&|+-*/%^").contains(t[i]) && !(i > start && isNumberStart(t, i)))
            ++i;
        if (i == start)
            ++i;
        out.push_back({TraceqlTokenKind::Operator, start, i - start});
    }
    return out;
}

TraceqlHighlighter::TraceqlHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    const auto fmt = [](const QColor &c, bool bold = false) {
        QTextCharFormat f;
        f.setForeground(c);
        if (bold)
            f.setFontWeight(QFont::Bold);
        return f;
    };
    m_formats.insert(TraceqlTokenKind::Brace, fmt(QColor(0x6E, 0x6E, 0x6E), true));
    m_formats.insert(TraceqlTokenKind::Keyword, fmt(QColor(0x8F, 0x3B, 0xB8)));
    m_formats.insert(TraceqlTokenKind::Intrinsic, fmt(QColor(0x1F, 0x60, 0xC4), true));
    m_formats.insert(TraceqlTokenKind::Attribute, fmt(QColor(0x1F, 0x60, 0xC4)));
    m_formats.insert(TraceqlTokenKind::String, fmt(QColor(0x37, 0x87, 0x2D)));
    m_formats.insert(TraceqlTokenKind::Number, fmt(QColor(0xC4, 0x62, 0x10)));
    m_formats.insert(TraceqlTokenKind::Operator, fmt(QColor(0xB8, 0x77, 0x0B), true));
    m_formats.insert(TraceqlTokenKind::Function, fmt(QColor(0x8F, 0x3B, 0xB8), true));
}

void TraceqlHighlighter::highlightBlock(const QString &text)
{
    for (const TraceqlToken &t : tokenizeTraceql(text))
        if (m_formats.contains(t.kind))
            setFormat(t.start, t.length, m_formats.value(t.kind));
}

TraceqlCompletionContext traceqlContextAt(const QString &text, int cursor)
{
    TraceqlCompletionContext ctx;
    cursor = std::clamp(cursor, 0, int(text.size()));
    // Inside a string? Track quotes from the start.
    int openQuote = -1;
    for (int i = 0; i < cursor; ++i) {
        if (text[i] == QLatin1Char('"')) {
            openQuote = openQuote < 0 ? i : -1;
        } else if (text[i] == QLatin1Char('\\') && openQuote >= 0) {
            ++i;
        }
    }
    int wordStart = cursor;
    if (openQuote >= 0) {
        ctx.inString = true;
        wordStart = openQuote;
        ctx.prefix = text.mid(openQuote + 1, cursor - openQuote - 1);
    } else {
        while (wordStart > 0 && isWordChar(text[wordStart - 1]) && text[wordStart - 1] != QLatin1Char('/'))
            --wordStart;
        ctx.prefix = text.mid(wordStart, cursor - wordStart);
    }
    ctx.replaceFrom = wordStart;
    // Comparison operator before the word: then the word is a value.
    int i = wordStart;
    while (i > 0 && text[i - 1].isSpace())
        --i;
    int opEnd = i;
    while (i > 0 && QStringLiteral("=!<>~").contains(text[i - 1]))
        --i;
    if (i < opEnd) {
        const QString op = text.mid(i, opEnd - i);
        static const QStringList ops = {QStringLiteral("="), QStringLiteral("!="), QStringLiteral("=~"),
                                        QStringLiteral("!~"), QStringLiteral("<"), QStringLiteral(">"),
                                        QStringLiteral("<="), QStringLiteral(">=")};
        while (i > 0 && text[i - 1].isSpace())
            --i;
        int fieldStart = i;
        while (fieldStart > 0 && isWordChar(text[fieldStart - 1]) && text[fieldStart - 1] != QLatin1Char('/'))
            --fieldStart;
        const QString field = text.mid(fieldStart, i - fieldStart);
        if (ops.contains(op) && !field.isEmpty() && !field[0].isDigit()) {
            ctx.kind = TraceqlCompletionContext::Kind::Value;
            ctx.attribute = field;
            return ctx;
        }
    }
    if (ctx.inString) {
        ctx.kind = TraceqlCompletionContext::Kind::Value;
        return ctx;
    }
    ctx.kind = ctx.prefix.contains(QLatin1Char('.')) ? TraceqlCompletionContext::Kind::AttributeName
                                                     : TraceqlCompletionContext::Kind::Field;
    return ctx;
}

TraceqlEditor::TraceqlEditor(QWidget *parent)
    : QPlainTextEdit(parent),
      m_highlighter(new TraceqlHighlighter(document())),
      m_completer(new QCompleter(this)),
      m_completionModel(new QStringListModel(this)),
      m_parseTimer(new QTimer(this))
{
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setPlaceholderText(tr("TraceQL, e.g. { resource.service.name = \"checkout\" && duration > 100ms }"));
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    setFont(mono);
    m_completer->setModel(m_completionModel);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setMaxVisibleItems(12);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this, &TraceqlEditor::insertCompletion);
    m_parseTimer->setSingleShot(true);
    m_parseTimer->setInterval(300);
    connect(m_parseTimer, &QTimer::timeout, this, &TraceqlEditor::runParseCheck);
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        setError(0, {});
        m_parseTimer->start();
    });
}

QSize TraceqlEditor::sizeHint() const
{
    const QFontMetrics fm(font());
    return {500, fm.lineSpacing() * 2 + 2 * frameWidth() + 8};
}

void TraceqlEditor::setQuery(const QString &text)
{
    setPlainText(text);
    moveCursor(QTextCursor::End);
}

void TraceqlEditor::setAttributeNames(const QStringList &names)
{
    m_attributeNames = names;
    m_namesLoaded = true;
    if (isCompletionVisible())
        showCompletions();
}

void TraceqlEditor::setAttributeValues(const QString &attribute, const QStringList &values)
{
    m_values.insert(attribute, values);
    m_valuesAsked.removeAll(attribute);
    // Open the popup only if the cursor still sits on a value of that attribute.
    const TraceqlCompletionContext now = traceqlContextAt(toPlainText(), textCursor().position());
    if (isCompletionVisible() || (now.kind == TraceqlCompletionContext::Kind::Value && now.attribute == attribute))
        showCompletions();
}

QStringList TraceqlEditor::candidates(const TraceqlCompletionContext &ctx) const
{
    QStringList pool;
    switch (ctx.kind) {
    case TraceqlCompletionContext::Kind::Field:
        pool = intrinsics() + scopes() + functions() + keywords();
        pool += m_attributeNames;
        break;
    case TraceqlCompletionContext::Kind::AttributeName:
        if (ctx.prefix.startsWith(QLatin1Char('.'))) {
            for (const QString &n : m_attributeNames) {
                const qsizetype dot = n.indexOf(QLatin1Char('.'));
                if (dot > 0)
                    pool.push_back(n.mid(dot));
            }
            pool.removeDuplicates();
        } else {
            pool = m_attributeNames;
        }
        break;
    case TraceqlCompletionContext::Kind::Value:
        if (ctx.attribute == QLatin1String("status"))
            pool = {QStringLiteral("error"), QStringLiteral("ok"), QStringLiteral("unset")};
        else if (ctx.attribute == QLatin1String("kind"))
            pool = {QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("internal"),
                    QStringLiteral("producer"), QStringLiteral("consumer"), QStringLiteral("unspecified")};
        else
            pool = m_values.value(ctx.attribute);
        break;
    }
    QStringList out;
    for (const QString &c : pool)
        if (c.startsWith(ctx.prefix, Qt::CaseInsensitive) && c != ctx.prefix)
            out.push_back(c);
    return out;
}

void TraceqlEditor::showCompletions()
{
    const TraceqlCompletionContext ctx = traceqlContextAt(toPlainText(), textCursor().position());
    m_shownContext = ctx;
    if (ctx.kind == TraceqlCompletionContext::Kind::Value && !ctx.attribute.isEmpty()
        && ctx.attribute != QLatin1String("status") && ctx.attribute != QLatin1String("kind")
        && !m_values.contains(ctx.attribute) && !m_valuesAsked.contains(ctx.attribute)) {
        m_valuesAsked.push_back(ctx.attribute);
        emit attributeValuesWanted(ctx.attribute); // the answer reopens the popup
    }
    if (ctx.kind != TraceqlCompletionContext::Kind::Value && !m_namesLoaded && !m_namesAsked) {
        m_namesAsked = true;
        emit attributeNamesWanted();
    }
    const QStringList list = candidates(ctx);
    if (list.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    m_completionModel->setStringList(list);
    QRect r = cursorRect();
    r.setWidth(std::max(260, m_completer->popup()->sizeHintForColumn(0) + 24));
    m_completer->complete(r);
    m_completer->popup()->setCurrentIndex(m_completionModel->index(0));
}

bool TraceqlEditor::isCompletionVisible() const
{
    return m_completer->popup()->isVisible();
}

QStringList TraceqlEditor::visibleCompletions() const
{
    return isCompletionVisible() ? m_completionModel->stringList() : QStringList();
}

void TraceqlEditor::acceptCompletion(int row)
{
    insertCompletion(m_completionModel->stringList().value(row));
}

void TraceqlEditor::insertCompletion(const QString &completion)
{
    if (completion.isEmpty())
        return;
    m_completer->popup()->hide();
    // QCompleter may still pass the Enter that chose this on to the editor:
    // that Enter must not submit the query.
    m_justCompleted = true;
    QTimer::singleShot(0, this, [this] { m_justCompleted = false; });
    const TraceqlCompletionContext &ctx = m_shownContext;
    QString text = completion;
    if (ctx.kind == TraceqlCompletionContext::Kind::Value) {
        bool number = false;
        completion.toDouble(&number);
        const bool bare = !ctx.inString
            && (number || ctx.attribute == QLatin1String("status") || ctx.attribute == QLatin1String("kind")
                || completion == QLatin1String("true") || completion == QLatin1String("false"));
        if (!bare) {
            QString escaped = completion;
            escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
            text = QLatin1Char('"') + escaped + QLatin1Char('"');
        }
    } else if (functions().contains(completion)) {
        text += QLatin1Char('(');
    }
    QTextCursor c = textCursor();
    const int end = c.position();
    c.setPosition(ctx.replaceFrom);
    c.setPosition(end, QTextCursor::KeepAnchor);
    // Inside a string the closing quote may already be there.
    if (ctx.inString && end < document()->characterCount() - 1
        && document()->characterAt(end) == QLatin1Char('"'))
        c.setPosition(end + 1, QTextCursor::KeepAnchor);
    c.insertText(text);
    setTextCursor(c);
}

void TraceqlEditor::focusInEvent(QFocusEvent *event)
{
    QPlainTextEdit::focusInEvent(event);
    if (!m_namesLoaded && !m_namesAsked) {
        m_namesAsked = true;
        emit attributeNamesWanted();
    }
}

void TraceqlEditor::keyPressEvent(QKeyEvent *event)
{
    if (isCompletionVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
            acceptCompletion(m_completer->popup()->currentIndex().row());
            event->accept();
            return;
        case Qt::Key_Escape:
            m_completer->popup()->hide();
            event->accept();
            return;
        case Qt::Key_Down:
        case Qt::Key_Up: {
            QAbstractItemView *popup = m_completer->popup();
            const int rows = m_completionModel->rowCount();
            const int step = event->key() == Qt::Key_Down ? 1 : -1;
            const int row = (popup->currentIndex().row() + step + rows) % rows;
            popup->setCurrentIndex(m_completionModel->index(row));
            event->accept();
            return;
        }
        default:
            break;
        }
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && !(event->modifiers() & Qt::ShiftModifier)) {
        if (!m_justCompleted)
            emit submitted();
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        showCompletions();
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (!typed.isEmpty() && (isWordChar(typed[0]) || typed[0] == QLatin1Char('"') || typed[0] == QLatin1Char('=')
                             || typed[0] == QLatin1Char(' ')))
        showCompletions();
    else if (event->key() == Qt::Key_Backspace && isCompletionVisible())
        showCompletions();
}

void TraceqlEditor::checkSyntaxNow()
{
    m_parseTimer->stop();
    runParseCheck();
}

void TraceqlEditor::runParseCheck()
{
    const QString text = toPlainText();
    const int id = ++m_parseJob;
    if (text.trimmed().isEmpty()) {
        setError(0, {});
        emit parseErrorChanged({}, 0);
        return;
    }
    QtConcurrent::run([text]() -> QPair<int, QString> {
        const auto parsed = query::traceql::TraceqlParser::parse(text);
        if (parsed)
            return {0, QString()};
        return {std::max(1, parsed.error().column), parsed.error().message};
    }).then(this, [this, id, text](QPair<int, QString> result) {
        if (id != m_parseJob || text != toPlainText())
            return;
        setError(result.first, result.second);
        emit parseErrorChanged(result.second, result.first);
    });
}

void TraceqlEditor::setError(int column, const QString &message)
{
    m_errorColumn = message.isEmpty() ? 0 : column;
    m_errorMessage = message;
    QList<QTextEdit::ExtraSelection> selections;
    if (m_errorColumn > 0) {
        QTextEdit::ExtraSelection sel;
        QTextCursor c(document());
        const int last = std::max(0, document()->characterCount() - 2);
        const int pos = std::min(m_errorColumn - 1, last);
        c.setPosition(pos);
        c.setPosition(std::min(pos + 1, last + 1), QTextCursor::KeepAnchor);
        if (!c.hasSelection() && pos > 0) { // error at the very end: mark the last character
            c.setPosition(pos - 1);
            c.setPosition(pos, QTextCursor::KeepAnchor);
        }
        sel.cursor = c;
        sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        sel.format.setUnderlineColor(QColor(0xE0, 0x2F, 0x44));
        sel.format.setBackground(QColor(0xE0, 0x2F, 0x44, 40));
        sel.format.setToolTip(message);
        selections.push_back(sel);
    }
    setExtraSelections(selections);
}

} // namespace spyglass::gui::traces
