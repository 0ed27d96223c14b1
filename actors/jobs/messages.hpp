// The jobs module's atoms (the loader's and the console control of a running job) and its
// CAF type-id block: the stream cursor a loader is restored to. The batches the loader
// sends are the BERT module's data::batch (actors/bert/messages.hpp, with the inspect
// overloads of both).
#pragma once

#include "actors/bert/messages.hpp"
#include "runtime/graph/type_ids.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>

namespace axon {

using restore_atom = caf::atom_constant<caf::atom("restore")>; // loader: continue at a cursor
// Console control of a running job, sent to the supervisor (handled between steps).
using pause_atom = caf::atom_constant<caf::atom("pause")>;           // hold before the next step
using resume_atom = caf::atom_constant<caf::atom("resume")>;         // go on after a pause
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>; // write a checkpoint now
using set_atom = caf::atom_constant<caf::atom("set")>;               // change a setting (train.lr)
using stop_atom = caf::atom_constant<caf::atom("stop")>;             // final checkpoint, then end
using scale_atom = caf::atom_constant<caf::atom("scale")>; // (scale_atom, shards): scale event

} // namespace axon

CAF_BEGIN_TYPE_ID_BLOCK(axon_jobs, axon::type_ids::jobs)
  CAF_ADD_TYPE_ID(axon_jobs, (axon::data::stream_cursor))
CAF_END_TYPE_ID_BLOCK(axon_jobs)
