# `cmake --install BUILD [--prefix DIR]`: the graph core and the cluster module as a CMake
# package. find_package(axon) in a user's project gives axon::axon (headers under
# include/axon, static libraries under lib, the package under lib/cmake/axon).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(AXON_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/axon)
install(TARGETS axon_sdk axon_graph axon_cluster axon_config axon_monitor axon_runtime
        EXPORT axonTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT axonTargets NAMESPACE axon:: DESTINATION ${AXON_PACKAGE_DIR})

# Headers keep their paths from the source root ("runtime/graph/ports.hpp").
foreach(dir runtime runtime/graph runtime/monitor runtime/config runtime/cuda actors/cluster)
  file(GLOB headers ${PROJECT_SOURCE_DIR}/${dir}/*.hpp)
  install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/axon/${dir})
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/axonConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/axonConfig.cmake
                              INSTALL_DESTINATION ${AXON_PACKAGE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/axonConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/axonConfig.cmake ${PROJECT_BINARY_DIR}/axonConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/find_caf.cmake
        DESTINATION ${AXON_PACKAGE_DIR})
