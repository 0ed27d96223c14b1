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
  replica_model model_of;
  std::uint64_t generation = 0; // of the last batch
  std::string checkpoint;       // of the last batch
  std::uint64_t batches = 0, texts = 0;
};

using replica_actor = probed_actor<replica_state>;

void publish(replica_actor* self) {
  auto& st = self->state;
  if (auto* probe = self->probe()) {
    probe->set_detail("batches", double(st.batches));
    probe->set_detail("texts", double(st.texts));
    probe->set_detail("model_generation", double(st.generation));
    probe->set_detail("checkpoint", st.checkpoint);
  }
}

caf::behavior replica_behavior(replica_actor* self, replica_model model_of) {
  self->state.model_of = std::move(model_of);
  self->state.edges.declare_in<msg::serve_batch, msg::serve_probs>("batcher");
  publish(self);
  return {
    connect_handler(self),
    credit_handler(self),
    [=](msg::serve_batch& batch) {
      auto& st = self->state;
      msg::serve_probs out;
      out.id = batch.id;
      try {
        // Held for this batch only: a retired generation's weights go with its last batch.
        auto model = st.model_of(batch);
        auto computed = model->classify(batch.texts);
        out.probabilities = std::move(computed.probabilities);
        out.entities = std::move(computed.entities);
      } catch (const std::exception& e) {
        out.failed = e.what();
      }
      st.generation = batch.generation;
      st.checkpoint = batch.checkpoint;
      ++st.batches;
      st.texts += batch.texts.size();
      publish(self);
      st.edges.send(self, "batcher", std::move(out));
      st.edges.grant(self, "batcher");
    },
  };
}

} // namespace

caf::actor spawn_serve_replica(caf::actor_system& sys, replica_model model_of) {
  return sys.spawn<caf::detached>(replica_behavior, std::move(model_of));
}

} // namespace axon
