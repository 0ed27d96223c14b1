// shard actor: the entry of one data-parallel replica. It receives the replica's
// micro-batches of a step (or of an evaluation) from the coordinator and feeds them into
// the replica's first stage, never more than the "stage" edge's credit window at a time;
// each micro_done_msg (from stage 0 after backward, or from the coordinator after an
// evaluation output) returns one credit.
#pragma once

#include "actors/setups.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_shard(caf::actor_system& sys, const shard_setup& setup);

} // namespace axon
