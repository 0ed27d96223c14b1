// stage actor: one pipeline stage of one data-parallel replica of the BERT classifier.
// Messages in:  forward_msg (from the shard or the previous stage), backward_msg (from the
//               next stage), params_msg (from its optimizer), connect, stats.
// Messages out: forward_msg -> "next" within its credit window (the port holds the rest);
//               backward_msg -> "prev" (high priority, so that backward runs before the
//               next forward: 1F1B; not at stage 0), then one credit -> "prev" for each
//               input it is done with (after backward in training, after forward in
//               evaluation); grads_msg -> "optimizer" once every
//               micro-batch of the step is through backward; loss_msg / eval_output_msg
//               -> "coordinator" (head stage).
// A training forward of step s waits until the parameters of version s have arrived;
// messages of an older generation or of a finished step are dropped as stale.
#pragma once

#include "actors/bert/setups.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_stage(caf::actor_system& sys, const stage_setup& setup);

} // namespace axon
