// Model replica actor: see replica_actor.hpp.
#include "actors/serve/replica_actor.hpp"

#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>

namespace axon {

namespace {

struct replica_state {
  static inline const char* name = "axon.serve.replica";
  ports edges;
  serve_model_ptr model;
};

using replica_actor = probed_actor<replica_state>;

caf::behavior replica_behavior(replica_actor* self, serve_model_ptr model) {
  self->state.model = std::move(model);
  self->state.edges.declare_in<msg::serve_batch, msg::serve_probs>("batcher");
  return {
    connect_handler(self),
    credit_handler(self),
    [=](msg::serve_batch& batch) {
      msg::serve_probs out;
      out.id = batch.id;
      try {
        out.probabilities = self->state.model->probabilities(batch.texts);
      } catch (const std::exception& e) {
        out.failed = e.what();
      }
      self->state.edges.send(self, "batcher", std::move(out));
      self->state.edges.grant(self, "batcher");
    },
  };
}

} // namespace

caf::actor spawn_serve_replica(caf::actor_system& sys, serve_model_ptr model) {
  return sys.spawn<caf::detached>(replica_behavior, std::move(model));
}

} // namespace axon
