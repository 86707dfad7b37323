#include "app/gui/panels/logs_panel.h"

#include "app/gui/logs/logs_view.h"

#include <QVBoxLayout>

namespace spyglass::gui::panels {

LogsPanel::LogsPanel(QWidget *parent) : FramePanel(parent), m_view(new logs::LogsView(this))
{
    auto *l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(m_view);
}

void LogsPanel::rebuild()
{
    const QJsonObject &o = options();
    m_view->setWrap(o.value(QLatin1String("wrapLogMessage")).toBool());
    m_view->setPrettifyJson(o.value(QLatin1String("prettifyLogMessage")).toBool());
    m_view->setOrder(o.value(QLatin1String("sortOrder")).toString() == u"Ascending" ? logs::LogsModel::Order::OldestFirst
                                                                                      : logs::LogsModel::Order::NewestFirst);
    const QString dedup = o.value(QLatin1String("dedupStrategy")).toString();
    m_view->setDedup(dedup == u"exact" ? logs::LogsModel::Dedup::Exact
                     : dedup == u"numbers" ? logs::LogsModel::Dedup::Numbers
                     : dedup == u"signature" ? logs::LogsModel::Dedup::Signature
                                             : logs::LogsModel::Dedup::None);
    if (rangeTo() > rangeFrom())
        m_view->setTimeRange(rangeFrom(), rangeTo());
    m_view->setFrames(frames());
}

} // namespace spyglass::gui::panels
