// Model replica actor of `axon serve`: replica `index` of serve_models, computing on its
// own thread (it is spawned detached, so that a forward pass never holds a scheduler
// thread the batcher needs) with the process's compute pool. Each batch names its model
// generation, so after a reload the replica swaps models between batches.
// Ports: "batcher" (in): serve_batch forward, serve_probs back, one batch at a time.
// Messages in: serve_batch -> serve_probs on the same edge (`failed` set when the model
//              threw), then one credit back.
// Probe details: batches, texts, model_generation, checkpoint (of its last batch).
#pragma once

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_models.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_serve_replica(caf::actor_system& sys, std::shared_ptr<serve_models> models,
                               std::size_t index);

} // namespace axon
