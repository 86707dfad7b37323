#include "app/gui/panels/table_panel.h"

#include "app/gui/panels/table_panel_model.h"
#include "core/viz/data_links.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

namespace spyglass::gui::panels {

namespace {

// Gauge cells: a bar proportional to the value between min and max, with
// the formatted value on top; other modes use the model's roles.
class TableCellDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *p, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        if (index.data(TablePanelModel::CellTypeRole).toString() != u"gauge" || !index.data(TablePanelModel::FractionRole).isValid()) {
            QStyledItemDelegate::paint(p, option, index);
            return;
        }
        const double f = index.data(TablePanelModel::FractionRole).toDouble();
        QColor c = index.data(TablePanelModel::ColorRole).value<QColor>();
        if (!c.isValid())
            c = option.palette.color(QPalette::Highlight);
        const QRect r = option.rect.adjusted(3, 4, -3, -4);
        const QString text = index.data().toString();
        const int textW = option.fontMetrics.horizontalAdvance(text) + 8;
        const QRect bar(r.left(), r.top(), std::max(0, r.width() - textW), r.height());
        p->fillRect(bar, option.palette.color(QPalette::Midlight));
        QLinearGradient g(bar.topLeft(), bar.topRight());
        QColor start = c;
        start.setAlpha(110);
        g.setColorAt(0, start);
        g.setColorAt(1, c);
        p->fillRect(QRect(bar.left(), bar.top(), int(bar.width() * f), bar.height()), g);
        p->setPen(c);
        p->drawText(QRect(bar.right() + 4, r.top(), textW - 4, r.height()), Qt::AlignRight | Qt::AlignVCenter, text);
    }
};

} // namespace

TablePanel::TablePanel(QWidget *parent)
    : FramePanel(parent), m_frameSelector(new QComboBox(this)), m_view(new QTableView(this)), m_footer(new QLabel(this)),
      m_model(new TablePanelModel(this)), m_proxy(new QSortFilterProxyModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_footer);
    layout->addWidget(m_frameSelector);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TablePanelModel::RawValueRole);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setItemDelegate(new TableCellDelegate(m_view));
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    m_view->setFrameShape(QFrame::NoFrame);
    m_footer->hide();
    m_frameSelector->hide();
    connect(m_frameSelector, &QComboBox::currentIndexChanged, this, &TablePanel::showFrame);
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &proxyIndex) {
        // Data links of the column, interpolated with the row.
        const QModelIndex idx = m_proxy->mapToSource(proxyIndex);
        const auto &cfg = m_model->columnConfig(idx.column());
        if (cfg.links.isEmpty())
            return;
        const model::Frame &frame = m_model->frame();
        const model::Field &field = frame.fields().at(m_model->fieldIndex(idx.column()));
        viz::DataLinkContext ctx{&frame, &field, idx.row(), m_model->headerData(idx.column(), Qt::Horizontal).toString()};
        emit linkActivated(viz::interpolateDataLink(cfg.links.front().url, ctx));
    });
}

void TablePanel::rebuild()
{
    const QSignalBlocker block(m_frameSelector);
    m_frameSelector->clear();
    for (int i = 0; i < frames().size(); ++i) {
        const QString name = frames().at(i).name();
        m_frameSelector->addItem(name.isEmpty() ? tr("Frame %1").arg(i + 1) : name);
    }
    m_frameSelector->setVisible(frames().size() > 1);
    m_view->setVisible(errorText().isEmpty() && !frames().isEmpty());
    const int wanted = std::clamp(options().value(QLatin1String("frameIndex")).toInt(), 0, std::max(0, int(frames().size()) - 1));
    m_frameSelector->setCurrentIndex(wanted);
    showFrame(wanted);
}

void TablePanel::showFrame(int index)
{
    m_model->setFrame(index >= 0 && index < frames().size() ? frames().at(index) : model::Frame(), fieldConfig());
    m_view->horizontalHeader()->setVisible(options().value(QLatin1String("showHeader")).toBool(true));
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const int w = m_model->columnConfig(c).custom.value(QLatin1String("width")).toInt();
        if (w > 0)
            m_view->setColumnWidth(c, w);
        else
            m_view->resizeColumnToContents(c);
    }
    // Initial sort as saved in the dashboard, else the frame's order.
    const QJsonArray sortBy = options().value(QLatin1String("sortBy")).toArray();
    m_proxy->sort(-1);
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    if (!sortBy.isEmpty()) {
        const QJsonObject s = sortBy.first().toObject();
        const QString name = s.value(QLatin1String("displayName")).toString();
        for (int c = 0; c < m_model->columnCount(); ++c)
            if (m_model->headerData(c, Qt::Horizontal).toString() == name)
                m_view->sortByColumn(c, s.value(QLatin1String("desc")).toBool() ? Qt::DescendingOrder : Qt::AscendingOrder);
    }
    const QString text = footerText();
    m_footer->setText(text);
    m_footer->setVisible(!text.isEmpty());
}

QString TablePanel::footerText() const
{
    const QJsonObject footer = options().value(QLatin1String("footer")).toObject();
    if (!footer.value(QLatin1String("show")).toBool())
        return {};
    const QString reducer = footer.value(QLatin1String("reducer")).toArray().first().toString(QStringLiteral("sum"));
    QStringList parts;
    for (int c = 0; c < m_model->columnCount(); ++c) {
        const QString t = m_model->footerText(c, reducer);
        if (!t.isEmpty())
            parts << m_model->headerData(c, Qt::Horizontal).toString() + QStringLiteral(": ") + t;
    }
    return parts.join(QStringLiteral("   "));
}

void TablePanel::paintEvent(QPaintEvent *event)
{
    if (!errorText().isEmpty() || frames().isEmpty()) {
        QPainter p(this);
        paintEmptyState(p, rect());
        return;
    }
    FramePanel::paintEvent(event);
}

} // namespace spyglass::gui::panels
