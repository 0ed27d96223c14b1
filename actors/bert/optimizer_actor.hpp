// optimizer actor: owns one stage's parameters and AdamW moments.
// Messages in:  init_atom (initialise with BERT's init, or from given flat parameters) and
//               publish version 0; grads_msg from each of the stage's replicas; apply_update_msg
//               from the coordinator; state_atom (get, or set for a resume); scale_msg
//               between steps (replicas joining or leaving), then publish_atom (the current
//               parameters to those that joined: no checkpoint round trip); connect, stats.
// Messages out: norm_part_msg -> "coordinator" once all replicas' gradients of a step are
//               in (summed in shard order, never arrival order: results do not depend on
//               timing); params_msg -> every "replica<s>" after each update; updated_msg.
// In one process the replicas view the optimizer's parameter tensor: no copies.
#pragma once

#include "actors/bert/setups.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_optimizer(caf::actor_system& sys, const optimizer_setup& setup);

} // namespace axon
