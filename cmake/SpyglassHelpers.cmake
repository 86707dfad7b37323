# One short, uniform way to declare every module, plugin and test.

set(SPYGLASS_WARNINGS -Wall -Wextra -Wpedantic)

function(spyglass_common_settings target)
  target_compile_options(${target} PRIVATE ${SPYGLASS_WARNINGS})
  target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_USE_QSTRINGBUILDER)
endfunction()

# spyglass_add_library(NAME SOURCES ... DEPENDS ...)
# A static library for one core/ folder; include paths are rooted at the
# repository (so code says #include "core/model/frame.h").
function(spyglass_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  spyglass_common_settings(${name})
endfunction()

# spyglass_add_plugin(NAME SOURCES ... DEPENDS ...)
# A Qt plugin (shared module) placed in build/plugins so PluginRegistry finds it.
function(spyglass_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS})
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${SPYGLASS_PLUGIN_BUILD_DIR}
    PREFIX "")
  spyglass_common_settings(${name})
  install(TARGETS ${name} LIBRARY DESTINATION lib/spyglass/plugins)
endfunction()

# spyglass_add_test(NAME SOURCES ... DEPENDS ... [LABELS ...])
# One Qt Test executable, registered with CTest and run headless.
function(spyglass_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_DEPENDS})
  target_compile_definitions(${name} PRIVATE
    SPYGLASS_CORPUS_DIR="${PROJECT_SOURCE_DIR}/../shared/corpus"
    SPYGLASS_PLUGIN_DIR="${SPYGLASS_PLUGIN_BUILD_DIR}"
    SPYGLASS_BINARY_DIR="${PROJECT_BINARY_DIR}")
  spyglass_common_settings(${name})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;XDG_RUNTIME_DIR=/tmp/spyglass-runtime-test"
    LABELS "${ARG_LABELS}")
endfunction()
