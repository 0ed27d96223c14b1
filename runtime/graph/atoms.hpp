// Atoms (message tags) of the graph core, used by every graph. Each module keeps its own
// in its message header. CAF 0.17 atoms hold at most 10 characters.
#pragma once

#include <caf/atom.hpp>

namespace axon {

using connect_atom = caf::atom_constant<caf::atom("connect")>; // wire an edge end (ports.hpp)
using credit_atom = caf::atom_constant<caf::atom("credit")>;   // an edge's in end: n more
using stats_atom = caf::atom_constant<caf::atom("stats")>;     // an actor's counters (JSON)
using state_atom = caf::atom_constant<caf::atom("state")>;     // get (or set) an actor's state
using step_atom = caf::atom_constant<caf::atom("step")>;       // run one step of a graph

} // namespace axon
