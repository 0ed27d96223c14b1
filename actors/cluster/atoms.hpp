// Atoms of the cluster module: a coordinator's session with node processes.
#pragma once

#include <caf/atom.hpp>

namespace axon {

using hello_atom = caf::atom_constant<caf::atom("hello")>;   // node: compare identities
using place_atom = caf::atom_constant<caf::atom("place")>;   // node: spawn a graph node
using mirror_atom = caf::atom_constant<caf::atom("mirror")>; // copy the nodes' counters

} // namespace axon
