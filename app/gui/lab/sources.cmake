# The Lab page (see lab_view.h); paths relative to app/gui.
list(APPEND SPYGLASS_GUI_PART_SOURCES lab/lab_view.cpp)
list(APPEND SPYGLASS_GUI_PART_DEPENDS spyglass_lab)
