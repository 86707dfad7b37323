# Dashboards: the browser, the dashboard view (grid, panel chrome, variable
# bar, time/refresh pickers), the panel editor and settings dialogs. The
# model lives in core/dashboard; panel views come from app/gui/panels.
list(APPEND SPYGLASS_GUI_PART_SOURCES
  dashboards/registry_environment.cpp
  dashboards/panel_frame.cpp
  dashboards/variable_bar.cpp
  dashboards/dashboard_view.cpp
  dashboards/panel_editor_dialog.cpp
  dashboards/dashboard_settings_dialog.cpp
  dashboards/dashboard_browser.cpp
  dashboards/dashboards_page.cpp)
qt_add_resources(_spyglass_dashboards_rcc ${PROJECT_SOURCE_DIR}/resources/dashboards/dashboards.qrc)
list(APPEND SPYGLASS_GUI_PART_SOURCES ${_spyglass_dashboards_rcc})
list(APPEND SPYGLASS_GUI_PART_DEPENDS spyglass_dashboard)
