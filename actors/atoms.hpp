// Atoms (message tags) of Axon's actors. CAF 0.17 atoms hold at most 10 characters.
#pragma once

#include <caf/atom.hpp>

namespace axon {

using connect_atom = caf::atom_constant<caf::atom("connect")>;   // wire an edge (graph API)
using init_atom = caf::atom_constant<caf::atom("init")>;         // optimizer: publish v0
using step_atom = caf::atom_constant<caf::atom("step")>;         // coordinator: train a step
using eval_atom = caf::atom_constant<caf::atom("eval")>;         // coordinator: forward only
using state_atom = caf::atom_constant<caf::atom("state")>;       // optimizer: get/set state
using stats_atom = caf::atom_constant<caf::atom("stats")>;       // an actor's counters
using credit_atom = caf::atom_constant<caf::atom("credit")>;     // loader: may send n more
using restore_atom = caf::atom_constant<caf::atom("restore")>;   // loader: continue at cursor
using hello_atom = caf::atom_constant<caf::atom("hello")>;       // node: compare identities
using place_atom = caf::atom_constant<caf::atom("place")>;       // node: spawn a graph node
using mirror_atom = caf::atom_constant<caf::atom("mirror")>;     // copy the nodes' counters
using embeddings_atom = caf::atom_constant<caf::atom("embeddings")>; // KG service: entity rows
// Console control of a running job, sent to the supervisor (handled between steps).
using pause_atom = caf::atom_constant<caf::atom("pause")>;           // hold before the next step
using resume_atom = caf::atom_constant<caf::atom("resume")>;         // go on after a pause
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>; // write a checkpoint now
using set_atom = caf::atom_constant<caf::atom("set")>;               // change a setting (train.lr)
using stop_atom = caf::atom_constant<caf::atom("stop")>;             // final checkpoint, then end

} // namespace axon
