# Finds Axon's dependencies (all from Debian packages, see scripts/setup.sh) and wraps the
# ones without a CMake package in IMPORTED targets:
#   axon::caf       CAF 0.17 core + io + openssl (libcaf-dev ships no CMake config)
#   axon::openblas  OpenBLAS (its CMake config only sets variables)
#   axon::readline  GNU readline (line editing and history in `axon console`)
#   msgpackc-cxx, Boost::unit_test_framework, nlohmann_json::nlohmann_json, Threads::Threads
find_package(Threads REQUIRED)

include(${CMAKE_CURRENT_LIST_DIR}/find_caf.cmake)

# axon_import_library(NAME HEADER LIBRARY PACKAGE [PATH_SUFFIXES ...]): axon::NAME from a
# header and a library found on the system, or a fatal error naming the Debian package.
function(axon_import_library name header library package)
  string(TOUPPER ${name} var)
  find_path(${var}_INCLUDE_DIR ${header} ${ARGN})
  find_library(${var}_LIBRARY ${library})
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    message(FATAL_ERROR "${name} not found: install ${package} (scripts/setup.sh does it)")
  endif()
  add_library(axon::${name} INTERFACE IMPORTED)
  target_include_directories(axon::${name} INTERFACE ${${var}_INCLUDE_DIR})
  target_link_libraries(axon::${name} INTERFACE ${${var}_LIBRARY})
endfunction()

axon_import_library(openblas cblas.h openblas libopenblas-dev PATH_SUFFIXES openblas)
axon_import_library(readline readline/readline.h readline libreadline-dev)

find_package(msgpack 4 REQUIRED CONFIG)   # target msgpackc-cxx (header only)
find_package(nlohmann_json 3 REQUIRED CONFIG)
# Boost's headers (Beast and Asio: `axon serve`'s HTTP server), and Boost.Test for the tests.
if(AXON_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
else()
  find_package(Boost 1.74 REQUIRED)
endif()
