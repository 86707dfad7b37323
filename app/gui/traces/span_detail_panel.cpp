#include "app/gui/traces/span_detail_panel.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHeaderView>
#include <QTimeZone>

namespace spyglass::gui::traces {

namespace {

constexpr int kLinkTraceRole = Qt::UserRole + 1;
constexpr int kLinkSpanRole = Qt::UserRole + 2;

QString valueText(const QVariant &v)
{
    if (v.typeId() == QMetaType::QVariantList) {
        QStringList parts;
        for (const QVariant &e : v.toList())
            parts.push_back(valueText(e));
        return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    if (v.typeId() == QMetaType::QByteArray)
        return QString::fromLatin1(v.toByteArray().toHex());
    if (v.typeId() == QMetaType::Bool)
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

void addAttributes(QTreeWidgetItem *parent, const model::Attributes &attrs)
{
    for (const model::Attribute &a : attrs)
        new QTreeWidgetItem(parent, {a.key, valueText(a.value)});
}

} // namespace

QString spanKindName(model::Span::Kind kind)
{
    switch (kind) {
    case model::Span::Kind::Internal: return QStringLiteral("internal");
    case model::Span::Kind::Server: return QStringLiteral("server");
    case model::Span::Kind::Client: return QStringLiteral("client");
    case model::Span::Kind::Producer: return QStringLiteral("producer");
    case model::Span::Kind::Consumer: return QStringLiteral("consumer");
    case model::Span::Kind::Unspecified: break;
    }
    return QStringLiteral("unspecified");
}

QString spanStatusName(model::Span::Status status)
{
    switch (status) {
    case model::Span::Status::Ok: return QStringLiteral("ok");
    case model::Span::Status::Error: return QStringLiteral("error");
    case model::Span::Status::Unset: break;
    }
    return QStringLiteral("unset");
}

SpanDetailPanel::SpanDetailPanel(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Key"), tr("Value")});
    header()->setSectionResizeMode(0, QHeaderView::Interactive);
    header()->resizeSection(0, 170);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copy = new QAction(tr("Copy value"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &SpanDetailPanel::copyCurrent);
    addAction(copy);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QByteArray trace = item->data(0, kLinkTraceRole).toByteArray();
        if (!trace.isEmpty())
            emit linkActivated(trace, item->data(0, kLinkSpanRole).toByteArray());
    });
}

void SpanDetailPanel::copyCurrent()
{
    if (QTreeWidgetItem *item = currentItem())
        QApplication::clipboard()->setText(item->text(1).isEmpty() ? item->text(0) : item->text(1));
}

QTreeWidgetItem *SpanDetailPanel::section(const QString &name) const
{
    for (int i = 0; i < topLevelItemCount(); ++i)
        if (topLevelItem(i)->data(0, Qt::UserRole).toString() == name)
            return topLevelItem(i);
    return nullptr;
}

QString SpanDetailPanel::valueOf(const QString &sectionName, const QString &key) const
{
    const QTreeWidgetItem *s = section(sectionName);
    if (!s)
        return {};
    for (int i = 0; i < s->childCount(); ++i)
        if (s->child(i)->text(0) == key)
            return s->child(i)->text(1);
    return {};
}

void SpanDetailPanel::showSpan(const TraceRowModel *model, int node)
{
    clear();
    m_node = node;
    if (!model || node < 0 || node >= model->nodeCount())
        return;
    const model::Span &s = model->span(node);
    const auto addSection = [this](const QString &id, const QString &title) {
        auto *item = new QTreeWidgetItem(this, {title});
        item->setData(0, Qt::UserRole, id);
        QFont f = item->font(0);
        f.setBold(true);
        item->setFont(0, f);
        item->setFirstColumnSpanned(true);
        return item;
    };

    QTreeWidgetItem *span = addSection(QStringLiteral("Span"), tr("Span"));
    const auto add = [span](const QString &k, const QString &v) { new QTreeWidgetItem(span, {k, v}); };
    add(tr("name"), s.name);
    add(tr("service"), s.serviceName);
    add(tr("kind"), spanKindName(s.kind));
    add(tr("status"), spanStatusName(s.status));
    if (!s.statusMessage.isEmpty())
        add(tr("status message"), s.statusMessage);
    add(tr("duration"), formatDurationNs(s.duration()));
    add(tr("start in trace"), QStringLiteral("+") + formatDurationNs(s.start - model->start()));
    const int parent = model->node(node).parent;
    if (parent >= 0) {
        const model::Span &ps = model->span(parent);
        add(tr("start in parent"), QStringLiteral("+") + formatDurationNs(s.start - ps.start));
        if (ps.duration() > 0)
            add(tr("share of parent"),
                QStringLiteral("%1 %").arg(100.0 * double(s.duration()) / double(ps.duration()), 0, 'f', 1));
    }
    add(tr("start time"), QDateTime::fromMSecsSinceEpoch(s.start / 1'000'000, QTimeZone::utc())
                              .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")));
    add(tr("span id"), hexId(s.spanId));
    add(tr("parent span id"), s.parentSpanId.isEmpty() ? tr("(root)") : hexId(s.parentSpanId));
    add(tr("trace id"), hexId(s.traceId));
    if (!s.scopeName.isEmpty())
        add(tr("scope"), s.scopeVersion.isEmpty() ? s.scopeName : s.scopeName + QLatin1Char(' ') + s.scopeVersion);
    if (model->node(node).critical)
        add(tr("critical path"), tr("yes"));

    QTreeWidgetItem *attrs = addSection(QStringLiteral("Attributes"), tr("Attributes (%1)").arg(s.attributes.size()));
    addAttributes(attrs, s.attributes);
    QTreeWidgetItem *res =
        addSection(QStringLiteral("Resource"), tr("Resource (%1)").arg(s.resourceAttributes.size()));
    addAttributes(res, s.resourceAttributes);
    QTreeWidgetItem *events = addSection(QStringLiteral("Events"), tr("Events (%1)").arg(s.events.size()));
    for (const model::SpanEvent &e : s.events) {
        auto *item = new QTreeWidgetItem(events, {e.name, QStringLiteral("+") + formatDurationNs(e.time - s.start)});
        addAttributes(item, e.attributes);
    }
    QTreeWidgetItem *links = addSection(QStringLiteral("Links"), tr("Links (%1)").arg(s.links.size()));
    for (const model::SpanLink &l : s.links) {
        auto *item = new QTreeWidgetItem(links, {hexId(l.traceId), hexId(l.spanId)});
        item->setData(0, kLinkTraceRole, l.traceId);
        item->setData(0, kLinkSpanRole, l.spanId);
        item->setToolTip(0, tr("Activate to open the linked trace"));
        addAttributes(item, l.attributes);
    }
    expandAll();
    // Resource attributes repeat for every span of a service: keep them folded.
    res->setExpanded(false);
}

} // namespace spyglass::gui::traces
