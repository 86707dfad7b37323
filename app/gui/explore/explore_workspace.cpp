#include "app/gui/explore/explore_workspace.h"

#include "app/gui/explore/datasource_metadata_cache.h"
#include "app/gui/explore/explore_view.h"
#include "app/gui/explore/query_history.h"
#include "app/gui/widgets/time_series_plot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSplitter>

namespace spyglass::gui::explore {

ExploreWorkspace::ExploreWorkspace(ExploreView *primary, QWidget *parent)
    : QWidget(parent),
      m_primary(primary),
      m_splitter(new QSplitter(Qt::Horizontal, this)),
      m_metadata(new DatasourceMetadataCache(this))
{
    setObjectName(QStringLiteral("exploreWorkspace"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setHandleWidth(3);
    layout->addWidget(m_splitter);
    m_splitter->addWidget(m_primary);
    m_primary->setMetadataCache(m_metadata);
    m_primary->setSplitButton(ExploreView::SplitButton::Split);
    wirePane(m_primary);

    // The first pane receives the global time range and zone; the second follows.
    connect(m_primary, &ExploreView::timeRangeApplied, this, [this](const model::TimeRange &range) {
        if (!m_secondary)
            return;
        m_secondary->setTimeRange(range);
        if (m_secondary->lastJobId() > 0 && !m_secondary->query().trimmed().isEmpty())
            m_secondary->runQuery();
    });
    connect(m_primary, &ExploreView::timeZoneApplied, this, [this](const QTimeZone &zone) {
        if (m_secondary)
            m_secondary->setTimeZone(zone);
    });
    connect(m_primary, &ExploreView::splitRequested, this, [this] { split(); });
}

ExploreWorkspace::~ExploreWorkspace() = default;

ExploreWorkspace *ExploreWorkspace::of(ExploreView *view)
{
    for (QObject *o = view ? view->parent() : nullptr; o; o = o->parent())
        if (auto *ws = qobject_cast<ExploreWorkspace *>(o))
            return ws;
    return nullptr;
}

void ExploreWorkspace::wirePane(ExploreView *pane)
{
    widgets::TimeSeriesPlot *plot = pane->plot();
    connect(plot, &widgets::TimeSeriesPlot::hoverTimeChanged, this,
            [this, pane](std::optional<model::TimestampMs> t) {
                ExploreView *other = pane == m_primary ? m_secondary : m_primary;
                if (other)
                    other->plot()->setSharedCrosshair(t);
            });
}

ExploreView *ExploreWorkspace::split()
{
    if (m_secondary)
        return m_secondary;
    auto *pane = new ExploreView(m_splitter);
    pane->setObjectName(QStringLiteral("exploreViewSplit"));
    pane->setMetadataCache(m_metadata);
    pane->setHistory(m_history);
    pane->setDatasources(m_primary->datasources(), m_primary->currentDatasourceUid());
    pane->setTimeZone(m_primary->timeZone());
    pane->setTimeRange(m_primary->timeRange());
    pane->setQueryType(m_primary->queryType());
    pane->setQuery(m_primary->query());
    pane->setLegendFormat(m_primary->legendFormat());
    pane->setSplitButton(ExploreView::SplitButton::Close);
    // Zooming in either pane moves the global range, as in the first one.
    connect(pane, &ExploreView::timeRangeSelected, m_primary, &ExploreView::timeRangeSelected);
    connect(pane, &ExploreView::zoomOutRequested, m_primary, &ExploreView::zoomOutRequested);
    connect(pane, &ExploreView::closeRequested, this, &ExploreWorkspace::closeSplit, Qt::QueuedConnection);
    m_secondary = pane;
    wirePane(pane);
    m_splitter->addWidget(pane);
    m_splitter->setSizes({1, 1});
    m_primary->splitButton()->setEnabled(false);
    pane->show();
    emit splitChanged(true);
    return pane;
}

void ExploreWorkspace::closeSplit()
{
    if (!m_secondary)
        return;
    m_secondary->cancelQuery();
    m_secondary->deleteLater();
    m_secondary->hide();
    m_secondary = nullptr;
    m_primary->plot()->setSharedCrosshair(std::nullopt);
    m_primary->splitButton()->setEnabled(true);
    emit splitChanged(false);
}

void ExploreWorkspace::setHistory(QueryHistory *history)
{
    m_history = history;
    m_primary->setHistory(history);
    if (m_secondary)
        m_secondary->setHistory(history);
}

} // namespace spyglass::gui::explore
