// Atoms of the cluster module: a coordinator's session with node processes.
#pragma once

#include <caf/atom.hpp>

namespace axon {

using hello_atom = caf::atom_constant<caf::atom("hello")>;   // node: compare identities
using place_atom = caf::atom_constant<caf::atom("place")>;   // node: spawn a graph node
using mirror_atom = caf::atom_constant<caf::atom("mirror")>; // copy the nodes' counters
// Elastic jobs: a node that joins or leaves a running job (docs/elastic.md).
using join_atom = caf::atom_constant<caf::atom("join")>;       // (join_atom, node): grow onto it
using leave_atom = caf::atom_constant<caf::atom("leave")>;     // (leave_atom, node): shrink off it
using control_atom = caf::atom_constant<caf::atom("control")>; // session: who handles leaves

} // namespace axon
