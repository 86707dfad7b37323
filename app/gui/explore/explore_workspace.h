#pragma once

#include <QPointer>
#include <QWidget>

class QSplitter;

namespace spyglass::gui::explore {

class DatasourceMetadataCache;
class ExploreView;
class QueryHistory;

// Explore with an optional second pane side by side (Split). Each pane has
// its own query and datasource; both follow the global time range and time
// zone set on the first pane, share the query history and the completion
// cache, and show each other's crosshair: hovering one graph draws a
// vertical line at the same time in the other.
class ExploreWorkspace : public QWidget
{
    Q_OBJECT
public:
    // Takes `primary` (reparented into the workspace).
    explicit ExploreWorkspace(ExploreView *primary, QWidget *parent = nullptr);
    ~ExploreWorkspace() override;

    // The workspace a pane belongs to (nullptr when none).
    static ExploreWorkspace *of(ExploreView *view);

    ExploreView *primary() const { return m_primary; }
    ExploreView *secondary() const { return m_secondary; }
    bool isSplit() const { return m_secondary != nullptr; }
    QSplitter *splitter() const { return m_splitter; }

    // Opens the second pane with the first one's datasource, query and legend.
    ExploreView *split();
    void closeSplit();

    // Not owned (nullptr: no history is kept).
    void setHistory(QueryHistory *history);
    QueryHistory *history() const { return m_history; }
    DatasourceMetadataCache *metadataCache() const { return m_metadata; }

signals:
    void splitChanged(bool split);

private:
    void wirePane(ExploreView *pane);
    void syncCrosshair(ExploreView *from);

    ExploreView *m_primary;
    ExploreView *m_secondary = nullptr;
    QSplitter *m_splitter;
    QPointer<QueryHistory> m_history;
    DatasourceMetadataCache *m_metadata;
};

} // namespace spyglass::gui::explore
