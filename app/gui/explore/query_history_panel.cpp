#include "app/gui/explore/query_history_panel.h"

#include "app/gui/explore/query_history.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>
#include <cmath>
#include <numbers>

namespace spyglass::gui::explore {

namespace {

constexpr int kStarWidth = 24;

QIcon starIcon(bool on)
{
    QPixmap pm(16, 16);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    QPolygonF star;
    for (int i = 0; i < 10; ++i) {
        const double r = i % 2 == 0 ? 7.5 : 3.2;
        const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
        star << QPointF(8 + r * std::cos(a), 8.5 + r * std::sin(a));
    }
    if (on) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xff, 0xb3, 0x57));
    } else {
        p.setPen(QPen(QColor(0x8e, 0x8e, 0x9e), 1));
        p.setBrush(Qt::NoBrush);
    }
    p.drawPolygon(star);
    return QIcon(pm);
}

} // namespace

QueryHistoryPanel::QueryHistoryPanel(QWidget *parent)
    : QWidget(parent), m_search(new QLineEdit(this)), m_list(new QListWidget(this)), m_empty(new QLabel(this))
{
    setObjectName(QStringLiteral("queryHistoryPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto *title = new QLabel(tr("<b>Query history</b>"), this);
    layout->addWidget(title);
    m_search->setPlaceholderText(tr("Search queries"));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search);
    m_list->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_list->setIconSize(QSize(16, 16));
    m_list->setTextElideMode(Qt::ElideRight);
    m_list->setUniformItemSizes(true);
    m_list->setToolTip(tr("Click the star to keep a query at the top; click a query to edit it, "
                          "double click to run it"));
    m_list->viewport()->installEventFilter(this);
    layout->addWidget(m_list, 1);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(QStringLiteral("color: #8e8e9e;"));
    layout->addWidget(m_empty);

    connect(m_search, &QLineEdit::textChanged, this, &QueryHistoryPanel::refresh);
    connect(m_list, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { emit querySelected(item->data(Qt::UserRole).toString()); });
    connect(m_list, &QListWidget::itemDoubleClicked, this,
            [this](QListWidgetItem *item) { emit queryRunRequested(item->data(Qt::UserRole).toString()); });
    refresh();
}

void QueryHistoryPanel::setHistory(QueryHistory *history)
{
    if (m_history)
        disconnect(m_history, nullptr, this, nullptr);
    m_history = history;
    if (m_history)
        connect(m_history, &QueryHistory::changed, this, &QueryHistoryPanel::refresh);
    refresh();
}

QStringList QueryHistoryPanel::shownQueries() const
{
    QStringList out;
    for (int i = 0; i < m_list->count(); ++i)
        out.push_back(m_list->item(i)->data(Qt::UserRole).toString());
    return out;
}

void QueryHistoryPanel::toggleStar(int row)
{
    QListWidgetItem *item = m_list->item(row);
    if (!item || !m_history)
        return;
    const QString query = item->data(Qt::UserRole).toString();
    m_history->setStarred(query, !m_history->isStarred(query));
}

bool QueryHistoryPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list->viewport() && event->type() == QEvent::MouseButtonPress) {
        auto *mouse = static_cast<QMouseEvent *>(event);
        const QPoint pos = mouse->position().toPoint();
        QListWidgetItem *item = m_list->itemAt(pos);
        if (item && pos.x() - m_list->visualItemRect(item).left() < kStarWidth) {
            toggleStar(m_list->row(item));
            return true;
        }
        if (item)
            emit querySelected(item->data(Qt::UserRole).toString());
    }
    return QWidget::eventFilter(watched, event);
}

void QueryHistoryPanel::refresh()
{
    m_list->clear();
    if (!m_history) {
        m_empty->setText(tr("History is not kept in this window."));
        m_empty->show();
        return;
    }
    const auto entries = m_history->entries(m_search->text());
    for (const QueryHistoryEntry &e : entries) {
        QString oneLine = e.query;
        oneLine.replace(QLatin1Char('\n'), QLatin1Char(' '));
        auto *item = new QListWidgetItem(starIcon(e.starred), oneLine, m_list);
        item->setData(Qt::UserRole, e.query);
        item->setToolTip(tr("%1\n\nLast run %2 on %3, %n time(s)", nullptr, e.count)
                             .arg(e.query,
                                  QDateTime::fromMSecsSinceEpoch(e.lastUsedMs).toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                                  e.datasourceUid));
    }
    if (entries.isEmpty()) {
        m_empty->setText(m_search->text().isEmpty() ? tr("Queries you run appear here.")
                                                    : tr("No query matches \"%1\".").arg(m_search->text()));
        m_empty->show();
    } else {
        m_empty->hide();
    }
}

} // namespace spyglass::gui::explore
