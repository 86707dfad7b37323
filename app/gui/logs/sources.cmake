# The logs view of Explore (and the dashboards' logs panel) and the LogQL editor.
list(APPEND SPYGLASS_GUI_PART_SOURCES
  logs/derived_fields.cpp
  logs/log_details_panel.cpp
  logs/log_level.cpp
  logs/log_line_delegate.cpp
  logs/log_volume_histogram.cpp
  logs/logql_editor.cpp
  logs/logql_highlighter.cpp
  logs/logql_query_rewriter.cpp
  logs/logql_tokenizer.cpp
  logs/logs_model.cpp
  logs/logs_view.cpp
)
