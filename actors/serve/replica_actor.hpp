// Model replica actor of `axon serve`: one serve_model, computing on its own thread (it
// is spawned detached, so that a forward pass never holds a scheduler thread the batcher
// needs) with the process's compute pool.
// Ports: "batcher" (in): serve_batch forward, serve_probs back, one batch at a time.
// Messages in: serve_batch -> serve_probs on the same edge (`failed` set when the model
//              threw), then one credit back.
#pragma once

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_model.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace axon {

caf::actor spawn_serve_replica(caf::actor_system& sys, serve_model_ptr model);

} // namespace axon
