// The version of this Axon build, from the project version (CMake).
#include "runtime/graph/node_identity.hpp"

#ifndef AXON_VERSION
#error "AXON_VERSION must be defined by the build (the project version)"
#endif

namespace axon {

const char* axon_version() {
  return AXON_VERSION;
}

} // namespace axon
