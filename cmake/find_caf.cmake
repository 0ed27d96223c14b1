# axon::caf: CAF 0.17 core + io + openssl from the system (libcaf-dev ships no CMake
# config), as an IMPORTED target. Used by Axon's build and by the installed package
# (axonConfig.cmake), so that both find the same CAF. Needs Threads::Threads.
find_path(CAF_INCLUDE_DIR caf/all.hpp)
find_library(CAF_CORE_LIBRARY caf_core)
find_library(CAF_IO_LIBRARY caf_io)
find_library(CAF_OPENSSL_LIBRARY caf_openssl)
if(NOT CAF_INCLUDE_DIR OR NOT CAF_CORE_LIBRARY OR NOT CAF_IO_LIBRARY OR NOT CAF_OPENSSL_LIBRARY)
  message(FATAL_ERROR "CAF 0.17 (core, io, openssl) not found: install libcaf-dev "
                      "(Axon's scripts/setup.sh does it)")
endif()
if(NOT TARGET axon::caf)
  add_library(axon::caf INTERFACE IMPORTED)
  target_include_directories(axon::caf INTERFACE ${CAF_INCLUDE_DIR})
  target_link_libraries(axon::caf INTERFACE ${CAF_OPENSSL_LIBRARY} ${CAF_IO_LIBRARY}
                                            ${CAF_CORE_LIBRARY} Threads::Threads)
endif()
