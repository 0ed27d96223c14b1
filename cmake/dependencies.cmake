# Finds Axon's dependencies (all from Debian packages, see scripts/setup.sh) and wraps the
# ones without a CMake package in IMPORTED targets:
#   axon::caf       CAF 0.17 core + io + openssl (libcaf-dev ships no CMake config)
#   axon::openblas  OpenBLAS (its CMake config only sets variables)
#   axon::readline  GNU readline (line editing and history in `axon console`)
#   msgpackc-cxx, Boost::unit_test_framework, nlohmann_json::nlohmann_json, Threads::Threads
find_package(Threads REQUIRED)

find_path(CAF_INCLUDE_DIR caf/all.hpp)
find_library(CAF_CORE_LIBRARY caf_core)
find_library(CAF_IO_LIBRARY caf_io)
find_library(CAF_OPENSSL_LIBRARY caf_openssl)
if(NOT CAF_INCLUDE_DIR OR NOT CAF_CORE_LIBRARY OR NOT CAF_IO_LIBRARY OR NOT CAF_OPENSSL_LIBRARY)
  message(FATAL_ERROR "CAF 0.17 (core, io, openssl) not found: install libcaf-dev "
                      "(scripts/setup.sh does it)")
endif()
add_library(axon::caf INTERFACE IMPORTED)
target_include_directories(axon::caf INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(axon::caf INTERFACE ${CAF_OPENSSL_LIBRARY} ${CAF_IO_LIBRARY}
                                          ${CAF_CORE_LIBRARY} Threads::Threads)

find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
find_library(OPENBLAS_LIBRARY openblas)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: install libopenblas-dev (scripts/setup.sh does it)")
endif()
add_library(axon::openblas INTERFACE IMPORTED)
target_include_directories(axon::openblas INTERFACE ${OPENBLAS_INCLUDE_DIR})
target_link_libraries(axon::openblas INTERFACE ${OPENBLAS_LIBRARY})

find_path(READLINE_INCLUDE_DIR readline/readline.h)
find_library(READLINE_LIBRARY readline)
if(NOT READLINE_INCLUDE_DIR OR NOT READLINE_LIBRARY)
  message(FATAL_ERROR "readline not found: install libreadline-dev (scripts/setup.sh does it)")
endif()
add_library(axon::readline INTERFACE IMPORTED)
target_include_directories(axon::readline INTERFACE ${READLINE_INCLUDE_DIR})
target_link_libraries(axon::readline INTERFACE ${READLINE_LIBRARY})

find_package(msgpack 4 REQUIRED CONFIG)   # target msgpackc-cxx (header only)
find_package(nlohmann_json 3 REQUIRED CONFIG)
if(AXON_BUILD_TESTS)
  find_package(Boost 1.74 REQUIRED COMPONENTS unit_test_framework)
endif()
