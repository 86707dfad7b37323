#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's node graph (service graph). Input: a nodes frame (id, title,
// subtitle, mainstat, secondarystat, color) and an edges frame (id, source,
// target, mainstat, secondarystat) as Tempo's service graph returns; or
// series with client/server labels (traces_service_graph_request_total and
// _failed_total), reduced to edges. Layout: layers by longest path from the
// roots (cycles broken), nodes spread evenly in each layer.
class NodeGraphPanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;

    struct Node
    {
        QString id, title, subtitle, mainStat, secondaryStat;
        QColor color;
        int layer = 0;
        QPointF pos; // normalised [0,1]
    };
    struct Edge
    {
        int from = -1, to = -1;
        QString mainStat, secondaryStat;
        bool error = false;
    };
    const QList<Node> &nodes() const { return m_nodes; }
    const QList<Edge> &edges() const { return m_edges; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    int nodeIndex(const QString &id);
    void layout();

    QList<Node> m_nodes;
    QList<Edge> m_edges;
};

} // namespace spyglass::gui::panels
