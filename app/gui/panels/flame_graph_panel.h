#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::flamegraph {
class FlameGraphView;
struct StackSet;
}

namespace spyglass::gui::panels {

// Grafana's flame graph panel on a profile frame (Grafana's nested-set
// layout: level, value, self, label in depth-first order), drawn by the
// Profiles page's FlameGraphView.
class FlameGraphPanel : public FramePanel
{
    Q_OBJECT
public:
    explicit FlameGraphPanel(QWidget *parent = nullptr);
    flamegraph::FlameGraphView *view() const { return m_view; }

protected:
    void rebuild() override;

private:
    flamegraph::FlameGraphView *m_view;
};

// Stacks of a nested-set profile frame: each node's self value becomes one
// stack of its path (root first), so the rebuilt tree has the same totals.
flamegraph::StackSet stacksFromProfileFrame(const model::Frame &frame);

} // namespace spyglass::gui::panels
