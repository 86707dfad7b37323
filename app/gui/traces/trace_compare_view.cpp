#include "app/gui/traces/trace_compare_view.h"

#include "app/gui/traces/service_graph_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::traces {

namespace {

QString describe(const TraceRowModel &m)
{
    if (m.isEmpty())
        return QObject::tr("(empty)");
    const model::Span &root = m.span(m.rootNode());
    return QStringLiteral("%1: %2 (%3, %4 spans, %5)")
        .arg(root.serviceName, root.name, formatDurationNs(m.duration()))
        .arg(m.nodeCount())
        .arg(hexId(m.traceId()));
}

} // namespace

TraceCompareView::TraceCompareView(QWidget *parent)
    : QWidget(parent),
      m_summary(new QLabel(this)),
      m_tree(new QTreeWidget(this))
{
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setText(tr("<i>Select two traces in the results and press Compare.</i>"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Span (service: name)"), tr("A"), tr("B"), tr("B − A"), tr("A avg"), tr("B avg")});
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(false);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(SpanColumn, QHeaderView::Stretch);
    for (int c = CountA; c < ColumnCount; ++c)
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
}

QString TraceCompareView::summaryText() const
{
    return m_summary->text();
}

QColor TraceCompareView::presenceColor(TraceComparison::Presence presence, bool countChanged)
{
    switch (presence) {
    case TraceComparison::Presence::OnlyA: return QColor(0xF8, 0xD0, 0xD4);
    case TraceComparison::Presence::OnlyB: return QColor(0xCC, 0xEB, 0xD2);
    case TraceComparison::Presence::Both: break;
    }
    return countChanged ? QColor(0xFA, 0xE6, 0xB0) : QColor();
}

void TraceCompareView::setTraces(QList<model::Span> a, QList<model::Span> b)
{
    const int id = ++m_job;
    m_summary->setText(tr("Comparing..."));
    struct Out
    {
        TraceComparison comparison;
        QString titleA, titleB;
    };
    QtConcurrent::run([a = std::move(a), b = std::move(b)]() mutable {
        const TraceRowModel ma = TraceRowModel::build(std::move(a));
        const TraceRowModel mb = TraceRowModel::build(std::move(b));
        return std::make_shared<Out>(Out{compareTraces(ma, mb), describe(ma), describe(mb)});
    }).then(this, [this, id](std::shared_ptr<Out> out) {
        if (id != m_job)
            return;
        setComparison(out->comparison, out->titleA, out->titleB);
    });
}

void TraceCompareView::setComparison(const TraceComparison &comparison, const QString &titleA,
                                     const QString &titleB)
{
    m_comparison = comparison;
    m_tree->setUpdatesEnabled(false);
    m_tree->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(comparison.nodes.size());
    for (const TraceComparison::Node &n : comparison.nodes) {
        QTreeWidgetItem *item = n.parent >= 0 ? new QTreeWidgetItem(items[n.parent]) : new QTreeWidgetItem(m_tree);
        items.push_back(item);
        item->setText(SpanColumn, n.service + QStringLiteral(": ") + n.name);
        item->setText(CountA, QString::number(n.countA));
        item->setText(CountB, QString::number(n.countB));
        const int delta = n.countB - n.countA;
        item->setText(Delta, delta == 0 ? QString() : (delta > 0 ? QStringLiteral("+%1") : QStringLiteral("%1")).arg(delta));
        if (delta != 0)
            item->setForeground(Delta, delta > 0 ? QColor(0x1B, 0x85, 0x3A) : QColor(0xB0, 0x12, 0x25));
        item->setText(DurationA, n.countA > 0 ? formatDurationNs(n.durationA / n.countA) : QString());
        item->setText(DurationB, n.countB > 0 ? formatDurationNs(n.durationB / n.countB) : QString());
        for (int c = CountA; c < ColumnCount; ++c)
            item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
        const QColor bg = presenceColor(n.presence(), n.countA != n.countB);
        if (bg.isValid()) {
            // Light backgrounds in either theme: dark text on them.
            for (int c = 0; c < ColumnCount; ++c) {
                item->setBackground(c, bg);
                if (c != Delta || delta == 0)
                    item->setForeground(c, QColor(0x1E, 0x1F, 0x24));
            }
        }
        QString tip = tr("A: %1 span(s), B: %2 span(s)").arg(n.countA).arg(n.countB);
        if (n.errorsA + n.errorsB > 0)
            tip += tr("; errors A: %1, B: %2").arg(n.errorsA).arg(n.errorsB);
        item->setToolTip(SpanColumn, tip);
        item->setData(SpanColumn, Qt::DecorationRole, serviceColorFor(n.service));
    }
    m_tree->expandAll();
    m_tree->setUpdatesEnabled(true);
    const auto swatch = [](const QColor &c) {
        return QStringLiteral("<span style='background:%1'>&nbsp;&nbsp;&nbsp;&nbsp;</span>").arg(c.name());
    };
    m_summary->setText(
        tr("<b>A</b> %1<br><b>B</b> %2<br>%3 only in A: <b>%4</b> &nbsp; %5 only in B: <b>%6</b> &nbsp; "
           "%7 in both, count differs: <b>%8</b> &nbsp; (%9 merged nodes)")
            .arg(titleA.toHtmlEscaped(), titleB.toHtmlEscaped(),
                 swatch(presenceColor(TraceComparison::Presence::OnlyA, false)))
            .arg(comparison.onlyA)
            .arg(swatch(presenceColor(TraceComparison::Presence::OnlyB, false)))
            .arg(comparison.onlyB)
            .arg(swatch(presenceColor(TraceComparison::Presence::Both, true)))
            .arg(comparison.countChanged)
            .arg(comparison.nodes.size()));
    emit comparisonReady();
}

} // namespace spyglass::gui::traces
