#include "app/gui/logs/log_details_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace spyglass::gui::logs {

namespace {

QString sanitizeKey(QString k)
{
    // Loki's parsers turn keys into valid label names the same way.
    for (QChar &c : k)
        if (!(c.isLetterOrNumber() || c == u'_') || c.unicode() > 127)
            c = u'_';
    if (!k.isEmpty() && k.front().isDigit())
        k.prepend(u'_');
    return k;
}

void flattenJson(const QJsonObject &o, const QString &prefix, QList<model::Label> &out)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = prefix.isEmpty() ? sanitizeKey(it.key()) : prefix + u'_' + sanitizeKey(it.key());
        const QJsonValue v = it.value();
        if (v.isObject())
            flattenJson(v.toObject(), key, out);
        else if (v.isString())
            out.append({key, v.toString()});
        else if (v.isDouble())
            out.append({key, QString::number(v.toDouble(), 'g', 15)});
        else if (v.isBool())
            out.append({key, v.toBool() ? QStringLiteral("true") : QStringLiteral("false")});
        // Arrays are skipped, as Loki's json parser skips them.
    }
}

model::Labels parseLogfmt(QStringView s)
{
    QList<model::Label> out;
    qsizetype i = 0;
    const qsizetype n = s.size();
    while (i < n) {
        while (i < n && s[i].isSpace())
            ++i;
        const qsizetype ks = i;
        while (i < n && !s[i].isSpace() && s[i] != u'=')
            ++i;
        const QStringView key = s.mid(ks, i - ks);
        QString value;
        if (i < n && s[i] == u'=') {
            ++i;
            if (i < n && s[i] == u'"') {
                ++i;
                while (i < n && s[i] != u'"') {
                    if (s[i] == u'\\' && i + 1 < n)
                        ++i;
                    value.append(s[i]);
                    ++i;
                }
                ++i;
            } else {
                const qsizetype vs = i;
                while (i < n && !s[i].isSpace())
                    ++i;
                value = s.mid(vs, i - vs).toString();
            }
            if (!key.isEmpty())
                out.append({sanitizeKey(key.toString()), value});
        } else {
            ++i;
        }
    }
    return model::Labels(out);
}

} // namespace

model::Labels detectLineFields(const QString &line, QString *format)
{
    if (format)
        format->clear();
    const QStringView t = QStringView(line).trimmed();
    if (t.startsWith(u'{')) {
        const auto doc = QJsonDocument::fromJson(t.toUtf8());
        if (doc.isObject()) {
            QList<model::Label> out;
            flattenJson(doc.object(), {}, out);
            if (format)
                *format = QStringLiteral("json");
            return model::Labels(out);
        }
    }
    if (!t.contains(u'='))
        return {};
    model::Labels l = parseLogfmt(t);
    // Prose with one stray '=' is not logfmt.
    if (l.size() >= 2 && format)
        *format = QStringLiteral("logfmt");
    return l.size() >= 2 ? l : model::Labels{};
}

LogDetailsPanel::LogDetailsPanel(QWidget *parent) : QWidget(parent)
{
    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->setSpacing(4);
    auto *head = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    head->addWidget(m_title, 1);
    auto *context = new QPushButton(tr("Show context"), this);
    context->setObjectName(QStringLiteral("showContext"));
    context->setToolTip(tr("Lines of the same stream around this one"));
    head->addWidget(context);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close the details"));
    head->addWidget(close);
    lay->addLayout(head);
    connect(context, &QPushButton::clicked, this, &LogDetailsPanel::contextRequested);
    connect(close, &QToolButton::clicked, this, &LogDetailsPanel::closeRequested);

    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Field"), tr("Value"), QString()});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::Fixed);
    m_tree->header()->resizeSection(2, 64);
    m_tree->header()->setStretchLastSection(false);
    lay->addWidget(m_tree, 1);

    m_text = new QLabel(this);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setVisible(false);
    lay->addWidget(m_text);
    clearLine();
}

void LogDetailsPanel::clearLine()
{
    m_hasLine = false;
    m_line = {};
    m_tree->clear();
    m_title->setText(tr("Click a line to see its fields"));
    m_text->clear();
}

void LogDetailsPanel::addSection(const QString &title, const model::Labels &labels, FilterScope scope,
                                 bool filterable)
{
    if (labels.isEmpty())
        return;
    auto *section = new QTreeWidgetItem(m_tree, {title});
    section->setFirstColumnSpanned(true);
    QFont f = m_tree->font();
    f.setBold(true);
    section->setFont(0, f);
    section->setData(0, Qt::UserRole, title);
    for (const auto &l : labels) {
        auto *item = new QTreeWidgetItem(m_tree, {l.name, l.value});
        item->setData(0, Qt::UserRole, title);
        item->setToolTip(1, l.value);
        if (!filterable)
            continue;
        auto *buttons = new QWidget(m_tree);
        auto *bl = new QHBoxLayout(buttons);
        bl->setContentsMargins(0, 0, 0, 0);
        bl->setSpacing(2);
        auto *plus = new QToolButton(buttons);
        plus->setText(QStringLiteral("+"));
        plus->setObjectName(QStringLiteral("filterFor:") + l.name);
        plus->setToolTip(tr("Filter for %1=\"%2\"").arg(l.name, l.value));
        plus->setAutoRaise(true);
        auto *minus = new QToolButton(buttons);
        minus->setText(QStringLiteral("−"));
        minus->setObjectName(QStringLiteral("filterOut:") + l.name);
        minus->setToolTip(tr("Filter out %1=\"%2\"").arg(l.name, l.value));
        minus->setAutoRaise(true);
        bl->addWidget(plus);
        bl->addWidget(minus);
        bl->addStretch();
        const QString name = l.name, value = l.value;
        connect(plus, &QToolButton::clicked, this,
                [this, name, value, scope] { emit filterRequested(name, value, true, scope); });
        connect(minus, &QToolButton::clicked, this,
                [this, name, value, scope] { emit filterRequested(name, value, false, scope); });
        m_tree->setItemWidget(item, 2, buttons);
    }
}

void LogDetailsPanel::showLine(const LogLine &line)
{
    m_line = line;
    m_hasLine = true;
    m_tree->clear();
    m_title->setText(tr("Log line (%1)").arg(logLevelName(line.level)));
    // Links first: following a trace is what one usually expands a line for.
    auto links = m_derived.extract(line.line);
    // Field rules look at every field the line has; a value already linked
    // from the text is not repeated.
    QList<model::Label> fields(line.labels.pairs());
    fields.append(line.metadata.pairs());
    fields.append(line.parsed.pairs());
    for (const auto &l : m_derived.extractFromFields(model::Labels(fields))) {
        const bool seen = std::any_of(links.begin(), links.end(), [&](const DerivedLink &o) { return o.value == l.value; });
        if (!seen)
            links.append(l);
    }
    if (!links.isEmpty()) {
        auto *section = new QTreeWidgetItem(m_tree, {tr("Links")});
        section->setFirstColumnSpanned(true);
        QFont f = m_tree->font();
        f.setBold(true);
        section->setFont(0, f);
        for (const auto &l : links) {
            auto *item = new QTreeWidgetItem(m_tree, {l.name, l.value});
            item->setData(0, Qt::UserRole, tr("Links"));
            auto *open = new QPushButton(l.value + QStringLiteral("  ↗"), m_tree);
            open->setFlat(true);
            open->setCursor(Qt::PointingHandCursor);
            open->setToolTip(tr("Open trace %1 in the trace view").arg(l.value));
            open->setStyleSheet(QStringLiteral("QPushButton { color: palette(link); text-decoration: underline; text-align: left; }"));
            open->setObjectName(QStringLiteral("openTrace:") + l.value);
            const QString id = l.value;
            connect(open, &QPushButton::clicked, this, [this, id] { emit traceLinkActivated(id); });
            m_tree->setItemWidget(item, 1, open);
            item->setText(1, QString());
            item->setToolTip(1, l.value);
            item->setData(1, Qt::UserRole, l.value);
        }
    }
    // Stream labels that Loki repeats in the merged label set are shown
    // under the section they came from only.
    QList<model::Label> stream;
    for (const auto &l : line.labels)
        if (!line.parsed.has(l.name) && !line.metadata.has(l.name))
            stream.append(l);
    addSection(tr("Labels"), model::Labels(stream), FilterScope::Stream, true);
    addSection(tr("Structured metadata"), line.metadata, FilterScope::Pipeline, true);
    if (!line.parsed.isEmpty()) {
        addSection(tr("Parsed fields"), line.parsed, FilterScope::Pipeline, true);
    } else {
        QString format;
        const model::Labels detected = detectLineFields(line.line, &format);
        // Detected fields need the parser in the query before a filter on
        // them works, so they are shown without filter buttons.
        addSection(tr("Detected fields (%1)").arg(format), detected, FilterScope::Pipeline, false);
    }
    m_text->setText(line.line.left(4000));
    m_text->setVisible(false);
}

QStringList LogDetailsPanel::rowsOf(const QString &section) const
{
    QStringList out;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const auto *item = m_tree->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() != section || item->text(0) == section)
            continue;
        const QString v = item->data(1, Qt::UserRole).isValid() ? item->data(1, Qt::UserRole).toString() : item->text(1);
        out.append(item->text(0) + u'=' + v);
    }
    return out;
}

} // namespace spyglass::gui::logs
