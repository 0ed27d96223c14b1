// entity-shard actor: owns the TransE embeddings of the entities e with e % shards ==
// shard, and their Adam moments (kg_shard_setup).
// Messages in:  kg_rows_request -> replies kg_rows_msg (the rows asked for);
//               kg_grads_msg -> adds the gradient rows, takes one Adam step over every
//               owned row, replies kg_updated_msg.
// The trainer that drives the shards is graphs/kg/transe_graph.hpp.
#pragma once

#include "actors/kg/messages.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_kg_shard(caf::actor_system& sys, const kg_shard_setup& setup);

} // namespace axon
