# Panel views (one per Grafana panel type) rendered from frames; field config
# logic comes from core/viz.
list(APPEND SPYGLASS_GUI_PART_SOURCES
  panels/panel_view.h
  panels/panel_factory.cpp
  panels/placeholder_panel.cpp
  panels/frame_panel.cpp
  panels/stat_panel.cpp
  panels/gauge_panel.cpp
  panels/bar_gauge_panel.cpp
  panels/table_panel_model.cpp
  panels/table_panel.cpp
  panels/time_series_canvas.cpp
  panels/time_series_panel.cpp
  panels/chart_axis.cpp
  panels/text_panel.cpp
  panels/logs_panel.cpp
  panels/pie_chart_panel.cpp
  panels/bar_chart_panel.cpp
  panels/histogram_panel.cpp
  panels/heatmap_panel.cpp
  panels/state_timeline_panel.cpp
  panels/trace_panel.cpp
  panels/flame_graph_panel.cpp
  panels/node_graph_panel.cpp)
list(APPEND SPYGLASS_GUI_PART_DEPENDS spyglass_viz)
