#include "app/gui/panels/bar_chart_panel.h"
#include "app/gui/panels/bar_gauge_panel.h"
#include "app/gui/panels/flame_graph_panel.h"
#include "app/gui/panels/gauge_panel.h"
#include "app/gui/panels/heatmap_panel.h"
#include "app/gui/panels/histogram_panel.h"
#include "app/gui/panels/logs_panel.h"
#include "app/gui/panels/node_graph_panel.h"
#include "app/gui/panels/panel_view.h"
#include "app/gui/panels/pie_chart_panel.h"
#include "app/gui/panels/placeholder_panel.h"
#include "app/gui/panels/stat_panel.h"
#include "app/gui/panels/state_timeline_panel.h"
#include "app/gui/panels/table_panel.h"
#include "app/gui/panels/text_panel.h"
#include "app/gui/panels/time_series_panel.h"
#include "app/gui/panels/trace_panel.h"
#include "core/viz/panel_types.h"

namespace spyglass::gui::panels {

PanelView *createPanelView(const QString &type, QWidget *parent)
{
    if (type == u"timeseries" || type == u"graph")
        return new TimeSeriesPanel(parent);
    if (type == u"stat" || type == u"singlestat")
        return new StatPanel(parent);
    if (type == u"gauge")
        return new GaugePanel(parent);
    if (type == u"bargauge")
        return new BarGaugePanel(parent);
    if (type == u"table" || type == u"table-old")
        return new TablePanel(parent);
    if (type == u"logs")
        return new LogsPanel(parent);
    if (type == u"text")
        return new TextPanel(parent);
    if (type == u"heatmap")
        return new HeatmapPanel(parent);
    if (type == u"barchart")
        return new BarChartPanel(parent);
    if (type == u"piechart" || type == u"grafana-piechart-panel")
        return new PieChartPanel(parent);
    if (type == u"state-timeline")
        return new StateTimelinePanel(StateTimelinePanel::Mode::StateTimeline, parent);
    if (type == u"status-history")
        return new StateTimelinePanel(StateTimelinePanel::Mode::StatusHistory, parent);
    if (type == u"histogram")
        return new HistogramPanel(parent);
    if (type == u"traces")
        return new TracePanel(parent);
    if (type == u"flamegraph")
        return new FlameGraphPanel(parent);
    if (type == u"nodeGraph")
        return new NodeGraphPanel(parent);
    if (!viz::isSupportedPanelType(type) || type == u"row")
        return nullptr;
    return new PlaceholderPanel(type, parent);
}

} // namespace spyglass::gui::panels
