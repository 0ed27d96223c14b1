// The jobs module's messages (the loader's batches to the supervisor), its atoms (the
// loader's and the console control of a running job) and its CAF type-id block.
#pragma once

#include "runtime/graph/type_ids.hpp"

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>

namespace axon {

using restore_atom = caf::atom_constant<caf::atom("restore")>; // loader: continue at cursor
// Console control of a running job, sent to the supervisor (handled between steps).
using pause_atom = caf::atom_constant<caf::atom("pause")>;           // hold before the next step
using resume_atom = caf::atom_constant<caf::atom("resume")>;         // go on after a pause
using checkpoint_atom = caf::atom_constant<caf::atom("checkpoint")>; // write a checkpoint now
using set_atom = caf::atom_constant<caf::atom("set")>;               // change a setting (train.lr)
using stop_atom = caf::atom_constant<caf::atom("stop")>;             // final checkpoint, then end

} // namespace axon

namespace axon::msg {

/// Loader -> supervisor: one training batch (padded to its longest row) and the loader's
/// cursor after it, which is where a resumed run continues.
struct batch_msg {
  tensor ids, types, mask, labels; // (B,T) i32 x 3, (B) i32
  tensor entities;                 // (B,T) i32 KG entity per token, -1 none (undefined: no KG)
  tensor examples;                 // (B) i32 index of each row's example in the train split
  std::uint64_t epoch = 0;         // epoch of this batch
  std::uint64_t next_epoch = 0, next_position = 0;
  bool last_in_epoch = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_msg& x) {
  return f(caf::meta::type_name("batch_msg"), x.ids, x.types, x.mask, x.labels, x.entities,
           x.examples, x.epoch, x.next_epoch, x.next_position, x.last_in_epoch);
}
} // namespace axon::msg

CAF_BEGIN_TYPE_ID_BLOCK(axon_jobs, axon::type_ids::jobs)
  CAF_ADD_TYPE_ID(axon_jobs, (axon::msg::batch_msg))
CAF_END_TYPE_ID_BLOCK(axon_jobs)
