// shard actor: the entry of one data-parallel replica. It receives the replica's
// micro-batches of a step (or of an evaluation) from the coordinator and feeds them into
// the replica's first stage over its "stage" port, whose credit window bounds the
// micro-batches in the pipeline (stage 0 grants one back for each it is done with).
#pragma once

#include "actors/bert/setups.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_shard(caf::actor_system& sys, const shard_setup& setup);

} // namespace axon
