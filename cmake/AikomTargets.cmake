# aikom_add_layer(<name> SOURCES <files...>): the library target aikom_<name>, exported and
# aliased as aikom::<name>, C++20 without extensions, public headers from include/, private
# headers next to the sources, the project's warnings.
function(aikom_add_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES")
  set(target aikom_${name})
  add_library(${target} ${arg_SOURCES})
  add_library(aikom::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${name}
    CXX_EXTENSIONS OFF
    OUTPUT_NAME ${target}
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target}
    PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE
      ${CMAKE_CURRENT_SOURCE_DIR})
  aikom_set_warnings(${target})
endfunction()

# aikom_add_example(<name> [SOURCE <file>] <libraries...>): the example program <name> from
# <name>/main.cpp, or from SOURCE.
function(aikom_add_example name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE" "")
  if(NOT arg_SOURCE)
    set(arg_SOURCE ${name}/main.cpp)
  endif()
  add_executable(${name} ${arg_SOURCE})
  target_link_libraries(${name} PRIVATE ${arg_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/examples/common)
  aikom_set_warnings(${name})
endfunction()
