# Install rules and the package config: find_package(aikom CONFIG) gives aikom::records,
# aikom::protocol, aikom::client, aikom::sync and aikom::sandbox, with the same names
# add_subdirectory() gives. aikom_sqlite (aikom::sqlite_private) is a private helper, exported
# only because the static libraries that use it must link it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/aikom"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp")

install(TARGETS aikom_records aikom_protocol aikom_client aikom_sync aikom_sandbox aikom_sqlite
        EXPORT aikomTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

set(aikom_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/aikom")

install(EXPORT aikomTargets
        NAMESPACE aikom::
        DESTINATION "${aikom_cmake_dir}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/aikomConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/aikomConfig.cmake"
  INSTALL_DESTINATION "${aikom_cmake_dir}")

write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/aikomConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)

install(FILES "${PROJECT_BINARY_DIR}/aikomConfig.cmake"
              "${PROJECT_BINARY_DIR}/aikomConfigVersion.cmake"
        DESTINATION "${aikom_cmake_dir}")
