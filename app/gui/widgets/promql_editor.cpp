#include "app/gui/widgets/promql_editor.h"

#include "app/gui/widgets/promql_highlighter.h"
#include "core/query/promql/engine.h"
#include "core/query/promql/functions.h"
#include "core/query/promql/parser.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QPainter>
#include <QPointer>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <optional>

namespace spyglass::gui::widgets {

namespace {

using Item = PromqlCompletionItem;

constexpr int kMaxCandidates = 300;

QString signatureOf(const query::promql::FunctionDef &f)
{
    QStringList args;
    for (qsizetype i = 0; i < f.argTypes.size(); ++i) {
        QString a = query::promql::valueTypeName(f.argTypes[i]);
        if (f.variadic != 0 && i == f.argTypes.size() - 1)
            a = f.variadic < 0 ? QString(a + QStringLiteral("...")) : QString(QLatin1Char('[') + a + QLatin1Char(']'));
        args.push_back(a);
    }
    return f.name + QLatin1Char('(') + args.join(QStringLiteral(", ")) + QStringLiteral(") -> ") +
           query::promql::valueTypeName(f.returnType);
}

// A small coloured badge with the kind's letter, as code editors show.
QIcon kindIcon(Item::Kind kind)
{
    static QHash<int, QIcon> cache;
    auto it = cache.constFind(int(kind));
    if (it != cache.constEnd())
        return *it;
    QString letter;
    QColor colour;
    switch (kind) {
    case Item::Kind::Function: letter = QStringLiteral("f"); colour = QColor(0x6c, 0xb4, 0xff); break;
    case Item::Kind::Aggregation: letter = QStringLiteral("A"); colour = QColor(0xc5, 0x86, 0xc0); break;
    case Item::Kind::Keyword: letter = QStringLiteral("K"); colour = QColor(0xa0, 0x7a, 0xb0); break;
    case Item::Kind::Metric: letter = QStringLiteral("M"); colour = QColor(0x73, 0xbf, 0x69); break;
    case Item::Kind::LabelName: letter = QStringLiteral("L"); colour = QColor(0x9c, 0xdc, 0xfe); break;
    case Item::Kind::LabelValue: letter = QStringLiteral("V"); colour = QColor(0xce, 0x91, 0x78); break;
    case Item::Kind::Duration: letter = QStringLiteral("D"); colour = QColor(0xdc, 0xdc, 0xaa); break;
    }
    QPixmap pm(16, 16);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(colour.darker(260));
    p.drawRoundedRect(QRectF(0.5, 0.5, 15, 15), 3, 3);
    p.setPen(colour);
    QFont f;
    f.setPixelSize(11);
    f.setBold(true);
    p.setFont(f);
    p.drawText(QRect(0, 0, 16, 16), Qt::AlignCenter, letter);
    p.end();
    const QIcon icon(pm);
    cache.insert(int(kind), icon);
    return icon;
}

QString escapeValue(const QString &v, const QString &quote)
{
    if (quote == QLatin1String("`"))
        return v;
    QString out;
    out.reserve(v.size());
    for (QChar c : v) {
        if (c == u'\\' || (!quote.isEmpty() && c == quote.front()) || (quote.isEmpty() && c == u'"'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

// Prefix matches first (in list order), then other substring matches.
void addMatches(QList<Item> &out, QList<Item> &later, const QStringList &words, const QString &prefix,
                Item::Kind kind, const std::function<QString(const QString &)> &detail = {})
{
    for (const QString &w : words) {
        if (prefix.isEmpty() || w.startsWith(prefix, Qt::CaseInsensitive))
            out.push_back({kind, w, detail ? detail(w) : QString()});
        else if (w.contains(prefix, Qt::CaseInsensitive))
            later.push_back({kind, w, detail ? detail(w) : QString()});
    }
}

bool isGrouping(const QString &kw)
{
    return kw == u"by" || kw == u"without" || kw == u"on" || kw == u"ignoring" || kw == u"group_left" ||
           kw == u"group_right";
}

} // namespace

PromqlEditor::PromqlEditor(QWidget *parent)
    : QPlainTextEdit(parent),
      m_highlighter(new PromqlHighlighter(document())),
      m_completer(new QCompleter(this)),
      m_completionModel(new QStandardItemModel(this)),
      m_parseTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("promqlEditor"));
    m_completer->setWidget(this);
    m_completer->setModel(m_completionModel);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setMaxVisibleItems(12);
    m_completer->popup()->setObjectName(QStringLiteral("promqlCompletionPopup"));
    m_completer->popup()->setIconSize(QSize(16, 16));
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            [this](const QModelIndex &index) { acceptCompletion(index.row()); });

    m_parseTimer->setSingleShot(true);
    m_parseTimer->setInterval(300);
    connect(m_parseTimer, &QTimer::timeout, this, &PromqlEditor::runParseCheck);
    connect(this, &QPlainTextEdit::textChanged, this, &PromqlEditor::onTextChanged);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &PromqlEditor::updateBracketMatch);
}

PromqlEditor::~PromqlEditor() = default;

QSize PromqlEditor::sizeHint() const
{
    const int line = fontMetrics().lineSpacing();
    return {400, line * 3 + 14};
}

// ------------------------------------------------------------- completion

void PromqlEditor::setMetricNames(const QStringList &names)
{
    m_metricNames = names;
    const bool waiting =
        m_waitingForData && contextAtCursor().kind == PromqlCompletionContext::Kind::Expression;
    if (waiting)
        m_waitingForData = false;
    if (waiting || (isCompletionVisible() && m_shownContext.kind == PromqlCompletionContext::Kind::Expression)) {
        const QScopedValueRollback answering(m_answeringData, true);
        showCompletions();
    }
}

void PromqlEditor::setLabelNames(const QStringList &names)
{
    m_labelNames = names;
    m_labelNames.removeAll(QStringLiteral("__name__"));
    const bool waiting =
        m_waitingForData && contextAtCursor().kind == PromqlCompletionContext::Kind::LabelName;
    if (waiting)
        m_waitingForData = false;
    if (waiting || (isCompletionVisible() && m_shownContext.kind == PromqlCompletionContext::Kind::LabelName)) {
        const QScopedValueRollback answering(m_answeringData, true);
        showCompletions();
    }
}

void PromqlEditor::setLabelValues(const QString &label, const QStringList &values)
{
    m_labelValues.insert(label, values);
    m_requestedValues.removeAll(label);
    // The answer may arrive while the popup waits for it.
    const PromqlCompletionContext ctx = contextAtCursor();
    if (hasFocus() || isCompletionVisible()) {
        if (ctx.kind == PromqlCompletionContext::Kind::LabelValue && ctx.label == label)
            showCompletions();
    }
}

void PromqlEditor::clearCompletionData()
{
    m_metricNames.clear();
    m_labelNames.clear();
    m_labelValues.clear();
    m_requestedValues.clear();
}

PromqlCompletionContext PromqlEditor::contextAtCursor() const
{
    return PromqlTokenizer::completionContext(toPlainText(), textCursor().position());
}

QList<PromqlCompletionItem> PromqlEditor::candidates(const PromqlCompletionContext &context) const
{
    using Kind = PromqlCompletionContext::Kind;
    QList<Item> out;
    QList<Item> later;
    const QString &prefix = context.prefix;
    switch (context.kind) {
    case Kind::None:
        return {};
    case Kind::Expression: {
        QStringList functions;
        for (const auto &f : query::promql::allFunctions())
            functions.push_back(f.name);
        functions.sort();
        addMatches(out, later, PromqlTokenizer::aggregations(), prefix, Item::Kind::Aggregation,
                   [](const QString &) { return QObject::tr("aggregation operator"); });
        addMatches(out, later, functions, prefix, Item::Kind::Function, [](const QString &name) {
            const auto *f = query::promql::findFunction(name);
            return f ? signatureOf(*f) : QString();
        });
        addMatches(out, later, m_metricNames, prefix, Item::Kind::Metric,
                   [](const QString &) { return QObject::tr("metric"); });
        // Keywords only make sense once something is typed (after an operand).
        if (!prefix.isEmpty())
            addMatches(out, later, PromqlTokenizer::keywords(), prefix, Item::Kind::Keyword,
                       [](const QString &) { return QObject::tr("keyword"); });
        break;
    }
    case Kind::LabelName:
        addMatches(out, later, m_labelNames, prefix, Item::Kind::LabelName,
                   [](const QString &) { return QObject::tr("label"); });
        break;
    case Kind::LabelValue:
        addMatches(out, later, m_labelValues.value(context.label), prefix, Item::Kind::LabelValue,
                   [&context](const QString &) { return QObject::tr("value of %1").arg(context.label); });
        break;
    case Kind::Duration: {
        static const QStringList durations{QStringLiteral("1m"),  QStringLiteral("5m"), QStringLiteral("10m"),
                                           QStringLiteral("15m"), QStringLiteral("30m"), QStringLiteral("1h"),
                                           QStringLiteral("6h"),  QStringLiteral("1d"),  QStringLiteral("1w")};
        addMatches(out, later, durations, prefix, Item::Kind::Duration);
        break;
    }
    }
    out.append(later);
    // A word typed in full needs no popup.
    if (out.size() == 1 && out.front().text == prefix)
        out.clear();
    if (out.size() > kMaxCandidates)
        out.resize(kMaxCandidates);
    return out;
}

void PromqlEditor::showCompletions()
{
    const PromqlCompletionContext ctx = contextAtCursor();
    using Kind = PromqlCompletionContext::Kind;
    if (!m_answeringData && ((ctx.kind == Kind::Expression && m_metricNames.isEmpty()) ||
                             (ctx.kind == Kind::LabelName && m_labelNames.isEmpty()))) {
        m_waitingForData = true;
        emit completionDataWanted();
    }
    if (ctx.kind == Kind::LabelValue && !m_labelValues.contains(ctx.label) &&
        !m_requestedValues.contains(ctx.label)) {
        m_requestedValues.push_back(ctx.label);
        emit labelValuesWanted(ctx.label);
    }
    const QList<Item> items = candidates(ctx);
    if (items.isEmpty()) {
        hideCompletions();
        return;
    }
    m_shown = items;
    m_shownContext = ctx;
    m_completionModel->clear();
    for (const Item &item : items) {
        auto *row = new QStandardItem(kindIcon(item.kind), item.text);
        row->setToolTip(item.detail);
        row->setEditable(false);
        m_completionModel->appendRow(row);
    }
    QAbstractItemView *popup = m_completer->popup();
    popup->setCurrentIndex(m_completionModel->index(0, 0));
    QRect rect = cursorRect();
    // Under the start of the word, as wide as its longest entry.
    QTextCursor wordStart(document());
    wordStart.setPosition(std::clamp(ctx.start, 0, int(toPlainText().size())));
    rect.setLeft(cursorRect(wordStart).left());
    const int width = std::clamp(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 24,
                                 180, 520);
    rect.setWidth(width);
    rect.translate(0, 3); // a little air between the line and the popup
    m_completer->complete(rect);
}

void PromqlEditor::hideCompletions()
{
    m_completer->popup()->hide();
}

bool PromqlEditor::isCompletionVisible() const
{
    return m_completer->popup()->isVisible();
}

QStringList PromqlEditor::visibleCompletions() const
{
    QStringList out;
    if (!isCompletionVisible())
        return out;
    for (const Item &item : m_shown)
        out.push_back(item.text);
    return out;
}

void PromqlEditor::acceptCompletion(int row)
{
    if (row < 0 || row >= m_shown.size())
        return;
    const Item item = m_shown[row];
    hideCompletions();
    insertCompletion(item);
}

void PromqlEditor::insertCompletion(const PromqlCompletionItem &item)
{
    // Recompute: the cursor may have moved since the popup opened.
    const PromqlCompletionContext ctx = contextAtCursor();
    const QString text = toPlainText();
    QTextCursor c = textCursor();
    const int cursor = c.position();
    const int start = ctx.kind == m_shownContext.kind ? std::clamp(ctx.start, 0, cursor) : cursor;
    // Replace the rest of the word under the cursor too.
    int end = cursor;
    if (item.kind != Item::Kind::LabelValue)
        while (end < text.size() && (text[end].isLetterOrNumber() || text[end] == u'_' || text[end] == u':'))
            ++end;
    c.beginEditBlock();
    c.setPosition(start);
    c.setPosition(end, QTextCursor::KeepAnchor);
    const QChar next = end < text.size() ? text[end] : QChar();
    int back = 0; // characters to step back so the cursor lands inside
    bool chain = false; // open the next popup (label values after a label name)
    QString insert = item.text;
    switch (item.kind) {
    case Item::Kind::Function:
    case Item::Kind::Aggregation:
        if (next != u'(') {
            insert += QStringLiteral("()");
            back = 1;
        }
        break;
    case Item::Kind::Keyword:
        if (isGrouping(item.text.toLower()) && next != u'(') {
            insert += QStringLiteral(" ()");
            back = 1;
            chain = true;
        } else if (!next.isSpace()) {
            insert += QLatin1Char(' ');
        }
        break;
    case Item::Kind::LabelName:
        if (ctx.inSelector && next != u'=' && next != u'!') {
            insert += QStringLiteral("=\"\"");
            back = 1;
            chain = true;
        }
        break;
    case Item::Kind::LabelValue:
        if (ctx.quote.isEmpty()) {
            insert = QLatin1Char('"') + escapeValue(item.text, {}) + QLatin1Char('"');
        } else {
            // Replace up to the closing quote when the string is already closed.
            int close = cursor;
            while (close < text.size() && text[close] != ctx.quote.front() && text[close] != u'}' &&
                   text[close] != u',')
                ++close;
            const bool closed = close < text.size() && text[close] == ctx.quote.front();
            c.setPosition(start);
            c.setPosition(closed ? close + 1 : cursor, QTextCursor::KeepAnchor);
            insert = escapeValue(item.text, ctx.quote) + ctx.quote;
        }
        break;
    case Item::Kind::Metric:
    case Item::Kind::Duration:
        break;
    }
    c.insertText(insert);
    c.setPosition(c.position() - back);
    c.endEditBlock();
    setTextCursor(c);
    if (chain)
        QTimer::singleShot(0, this, &PromqlEditor::showCompletions);
}

void PromqlEditor::keyPressEvent(QKeyEvent *event)
{
    if (isCompletionVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            // The completer handles these (accept or close).
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
    if (!handleBracketKey(event->text()))
        QPlainTextEdit::keyPressEvent(event);

    const QString typed = event->text();
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return;
    if (typed.isEmpty() && event->key() != Qt::Key_Backspace) {
        if (event->key() == Qt::Key_Left || event->key() == Qt::Key_Right || event->key() == Qt::Key_Home ||
            event->key() == Qt::Key_End)
            hideCompletions();
        return;
    }
    const PromqlCompletionContext ctx = contextAtCursor();
    const QChar ch = typed.isEmpty() ? QChar() : typed.back();
    const bool trigger = ch == u'{' || ch == u',' || ch == u'"' || ch == u'(' || ch == u'[' || ch == u'=' ||
                         ch == u'\'' || ch == u'`';
    const bool word = !ctx.prefix.isEmpty();
    if (ctx.kind != PromqlCompletionContext::Kind::None && (word || trigger || isCompletionVisible()) &&
        !(ctx.kind == PromqlCompletionContext::Kind::Expression && !word))
        showCompletions();
    else
        hideCompletions();
}

bool PromqlEditor::handleBracketKey(const QString &typed)
{
    // Brackets close themselves, and typing the closing one steps over it,
    // as in Grafana's editor. Not inside strings and comments.
    if (typed.size() != 1 || textCursor().hasSelection())
        return false;
    static const QString open = QStringLiteral("([{");
    static const QString close = QStringLiteral(")]}");
    const QChar ch = typed.front();
    const QString text = toPlainText();
    const int pos = textCursor().position();
    const QChar next = pos < text.size() ? text[pos] : QChar();
    const bool inString = [&] {
        const auto tokens = PromqlTokenizer::tokenize(QStringView(text).left(pos));
        if (tokens.isEmpty() || tokens.back().end() != pos)
            return false;
        const PromqlToken &t = tokens.back();
        if (t.kind == PromqlTokenKind::Comment)
            return true;
        if (t.kind != PromqlTokenKind::String)
            return false;
        return t.length < 2 || text[t.end() - 1] != text[t.start] || text[t.end() - 2] == u'\\';
    }();
    if (inString)
        return false;
    if (close.contains(ch) && next == ch) {
        moveCursor(QTextCursor::NextCharacter);
        return true;
    }
    const qsizetype o = open.indexOf(ch);
    if (o >= 0 && (next.isNull() || next.isSpace() || close.contains(next) || next == u',')) {
        QTextCursor c = textCursor();
        c.insertText(QString(ch) + close[o]);
        c.movePosition(QTextCursor::PreviousCharacter);
        setTextCursor(c);
        return true;
    }
    return false;
}

void PromqlEditor::focusInEvent(QFocusEvent *event)
{
    QPlainTextEdit::focusInEvent(event);
    if (m_metricNames.isEmpty() || m_labelNames.isEmpty())
        emit completionDataWanted();
}

// ------------------------------------------------------------- errors

void PromqlEditor::setErrorAt(int position, const QString &message)
{
    setError(position, message, position < 0 ? ErrorSource::None : ErrorSource::External);
}

void PromqlEditor::clearError()
{
    setError(-1, {}, ErrorSource::None);
}

void PromqlEditor::setError(int position, const QString &message, ErrorSource source)
{
    m_errorPos = position;
    m_errorMessage = position < 0 ? QString() : message;
    m_errorSource = position < 0 ? ErrorSource::None : source;
    updateExtraSelections();
}

void PromqlEditor::setParseCheckEnabled(bool enabled)
{
    m_parseCheck = enabled;
    if (!enabled) {
        m_parseTimer->stop();
        ++m_parseJob;
    }
}

void PromqlEditor::setParseDelay(int ms)
{
    m_parseTimer->setInterval(ms);
}

void PromqlEditor::checkSyntaxNow()
{
    m_parseTimer->stop();
    runParseCheck();
}

void PromqlEditor::onTextChanged()
{
    // The marker belongs to the text it was computed for.
    if (m_errorPos >= 0)
        setError(-1, {}, ErrorSource::None);
    if (m_parseCheck)
        m_parseTimer->start();
}

void PromqlEditor::runParseCheck()
{
    const int job = ++m_parseJob;
    const QString text = toPlainText();
    if (text.trimmed().isEmpty()) {
        if (m_errorSource == ErrorSource::Parse)
            clearError();
        emit parseErrorChanged({}, -1);
        return;
    }
    QPointer<PromqlEditor> self(this);
    QtConcurrent::run([text]() -> std::optional<Error> {
        auto parsed = query::promql::PromqlParser::parse(text);
        if (parsed)
            return std::nullopt;
        return parsed.error();
    }).then(this, [this, job, text](const std::optional<Error> &error) {
        if (job != m_parseJob || text != toPlainText())
            return; // the text changed meanwhile: a newer check is due
        if (!error) {
            if (m_errorSource == ErrorSource::Parse)
                clearError();
            emit parseErrorChanged({}, -1);
            return;
        }
        int pos = 0;
        const QTextBlock block = document()->findBlockByNumber(std::max(0, error->line - 1));
        if (block.isValid())
            pos = block.position() + std::clamp(error->column - 1, 0, std::max(0, block.length() - 1));
        pos = std::min(pos, int(text.size()));
        QString message = error->message;
        if (message.startsWith(QLatin1String("parse error: ")))
            message = message.mid(13);
        setError(pos, message, ErrorSource::Parse);
        emit parseErrorChanged(message, pos);
    });
}

// ------------------------------------------------------------- brackets

void PromqlEditor::updateBracketMatch()
{
    const QString text = toPlainText();
    const int cursor = textCursor().position();
    QPair<int, int> pair{-1, -1};
    static const QString brackets = QStringLiteral("()[]{}");
    const bool near = (cursor < text.size() && brackets.contains(text[cursor])) ||
                      (cursor > 0 && cursor - 1 < text.size() && brackets.contains(text[cursor - 1]));
    if (near) {
        // Brackets inside strings and comments are not brackets.
        const auto tokens = PromqlTokenizer::tokenize(text);
        auto isBracket = [&](int pos) {
            for (const PromqlToken &t : tokens)
                if (t.start == pos)
                    return t.kind == PromqlTokenKind::Bracket && brackets.contains(text[pos]);
            return false;
        };
        // The bracket after the cursor wins, as in most editors; else the one before.
        for (int pos : {cursor, cursor - 1}) {
            if (pos >= 0 && pos < text.size() && isBracket(pos)) {
                pair = {pos, PromqlTokenizer::matchingBracket(text, pos)};
                break;
            }
        }
    }
    if (pair == m_bracketPair)
        return;
    m_bracketPair = pair;
    updateExtraSelections();
}

void PromqlEditor::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> selections;
    auto charAt = [this](int pos) {
        QTextCursor c(document());
        c.setPosition(pos);
        c.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        return c;
    };
    const int length = int(toPlainText().size());
    if (m_bracketPair.first >= 0) {
        for (int pos : {m_bracketPair.first, m_bracketPair.second}) {
            if (pos < 0 || pos >= length)
                continue;
            QTextEdit::ExtraSelection sel;
            sel.cursor = charAt(pos);
            sel.format.setBackground(QColor(0x3d, 0x71, 0xd9, 110));
            sel.format.setForeground(QColor(0xff, 0xff, 0xff));
            selections.push_back(sel);
        }
        if (m_bracketPair.second < 0) {
            // An unmatched bracket shows in red.
            QTextEdit::ExtraSelection sel;
            sel.cursor = charAt(m_bracketPair.first);
            sel.format.setForeground(QColor(0xf2, 0x49, 0x5c));
            sel.format.setBackground(QColor(0xf2, 0x49, 0x5c, 50));
            selections.back() = sel;
        }
    }
    if (m_errorPos >= 0) {
        QTextEdit::ExtraSelection sel;
        // At the end of the text (unexpected end of input) mark the last character.
        const int pos = std::clamp(m_errorPos >= length ? length - 1 : m_errorPos, 0, std::max(0, length - 1));
        sel.cursor = charAt(pos);
        sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        sel.format.setUnderlineColor(QColor(0xf2, 0x49, 0x5c));
        sel.format.setBackground(QColor(0xf2, 0x49, 0x5c, 60));
        sel.format.setToolTip(m_errorMessage);
        selections.push_back(sel);
    }
    setExtraSelections(selections);
}

} // namespace spyglass::gui::widgets
