// Model replica actor of `axon serve`: computes each batch with the model of its
// generation, on its own thread (it is spawned detached, so that a forward pass never
// holds a scheduler thread the batcher needs). Where the model comes from is the spawner's
// choice (replica_model): in the serving process, model `index` of serve_models (a reload
// swaps models between batches); on a node process, the model it loaded itself
// (node_replica.hpp).
// Ports: "batcher" (in): serve_batch forward, serve_probs back, one batch at a time.
// Messages in: serve_batch -> serve_probs on the same edge (`failed` set when the model
//              threw or could not be had), then one credit back; with a KG service set,
//              a model that fuses a KG has the batch's words linked by it first
//              (kg_link_request -> kg_link_reply) and computes with those links;
//              (linker_atom, kg) -> true: the KG service to link with (before any batch;
//              again when it was spawned anew). A batch waiting for links from a KG
//              service that goes (or does not answer) is answered `failed` and `passing`
//              (503: try again).
// Probe details: batches, texts, model_generation, checkpoint (of its last batch).
#pragma once

#include "actors/serve/messages.hpp"
#include "actors/serve/serve_model.hpp"

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <functional>

namespace axon {

/// The model that computes `batch` (of its generation); throws std::exception saying why
/// there is none (a retired generation, a checkpoint that cannot be loaded).
using replica_model = std::function<serve_model_ptr(const msg::serve_batch& batch)>;

caf::actor spawn_serve_replica(caf::actor_system& sys, replica_model model_of);

} // namespace axon
