#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::logs {
class LogsView;
}

namespace spyglass::gui::panels {

// Grafana's logs panel on the logs view of Explore (app/gui/logs): options
// wrapLogMessage, sortOrder (Descending/Ascending), dedupStrategy,
// prettifyLogMessage.
class LogsPanel : public FramePanel
{
    Q_OBJECT
public:
    explicit LogsPanel(QWidget *parent = nullptr);
    logs::LogsView *logsView() const { return m_view; }

protected:
    void rebuild() override;

private:
    logs::LogsView *m_view;
};

} // namespace spyglass::gui::panels
