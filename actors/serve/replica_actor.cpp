// Model replica actor: see replica_actor.hpp.
#include "actors/serve/replica_actor.hpp"

#include "actors/kg/messages.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>

namespace axon {

namespace {

// How long a replica waits for the KG service to link a batch (it answers in
// microseconds; a service that is gone fails the batch instead of holding the replica).
constexpr std::chrono::seconds link_timeout{30};

struct replica_state {
  static inline const char* name = "axon.serve.replica";
  ports edges;
  replica_model model_of;
  caf::actor linker;            // the KG service, with a run that fuses a KG (monitored)
  // The batch waiting for its links, if any (credit 1: at most one): answered 503 at once
  // when the KG service goes, as a request pending on a lost node is never answered.
  std::shared_ptr<msg::serve_batch> linking;
  // Why the KG service is gone ("" while it runs): batches are answered 503 at once until
  // a new one is set (a message to a lost node's actor is never answered either).
  std::string linker_gone;
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

// What `compute` gives for batch `id`, or why it threw.
template <class Compute>
msg::serve_probs computed(std::uint64_t id, Compute compute) {
  msg::serve_probs out;
  out.id = id;
  try {
    auto result = compute();
    out.probabilities = std::move(result.probabilities);
    out.entities = std::move(result.entities);
  } catch (const std::exception& e) {
    out.failed = e.what();
  }
  return out;
}

// Sends `batch`'s answer back and takes the next batch.
void finish(replica_actor* self, const msg::serve_batch& batch, msg::serve_probs out) {
  auto& st = self->state;
  st.generation = batch.generation;
  st.checkpoint = batch.checkpoint;
  ++st.batches;
  st.texts += batch.texts.size();
  publish(self);
  st.edges.send(self, "batcher", std::move(out));
  st.edges.grant(self, "batcher");
}

// Answers `held` 503 when it still waits for its links: the KG service is gone (its node
// died; serve_rejoin.hpp spawns it anew in the serving process) or did not answer.
void unlinked(replica_actor* self, const std::shared_ptr<msg::serve_batch>& held,
              const std::string& why) {
  if (self->state.linking != held)
    return;
  self->state.linking = nullptr;
  finish(self, *held,
         msg::serve_probs{held->id, "the KG service did not link the texts: " + why + "; try again",
                          {}, {}, true});
}

caf::behavior replica_behavior(replica_actor* self, replica_model model_of) {
  self->state.model_of = std::move(model_of);
  self->state.edges.declare_in<msg::serve_batch, msg::serve_probs>("batcher");
  self->set_down_handler([=](caf::down_msg& down) {
    auto& st = self->state;
    if (down.source != st.linker.address())
      return;
    st.linker_gone = "it is gone (" + error_text(down.reason) + ")";
    if (st.linking)
      unlinked(self, st.linking, st.linker_gone);
  });
  publish(self);
  return {
    connect_handler(self),
    credit_handler(self),
    [=](linker_atom, const caf::actor& kg) {
      self->state.linker = kg;
      self->state.linker_gone.clear();
      self->monitor(kg);
      return true;
    },
    [=](msg::serve_batch& batch) {
      auto& st = self->state;
      // Held for this batch only: a retired generation's weights go with its last batch.
      serve_model_ptr model;
      std::shared_ptr<encoded_texts> encoded;
      try {
        model = st.model_of(batch);
        if (st.linker)
          encoded = model->encode(batch.texts);
      } catch (const std::exception& e) {
        return finish(self, batch, msg::serve_probs{batch.id, e.what(), {}, {}});
      }
      if (!encoded)
        return finish(self, batch, computed(batch.id, [&] { return model->classify(batch.texts); }));
      // The KG service links the words; the batch waits here (credit 1: no other comes).
      auto held = std::make_shared<msg::serve_batch>(std::move(batch));
      st.linking = held;
      if (!st.linker_gone.empty())
        return unlinked(self, held, st.linker_gone);
      self->request(st.linker, link_timeout, msg::kg_link_request{encoded->words})
        .then(
          [=](msg::kg_link_reply& links) {
            if (self->state.linking != held) // answered when the KG service went
              return;
            self->state.linking = nullptr;
            finish(self, *held,
                   computed(held->id, [&] { return model->classify(*encoded, links.rows); }));
          },
          [=](caf::error& err) { unlinked(self, held, error_text(err)); });
    },
  };
}

} // namespace

caf::actor spawn_serve_replica(caf::actor_system& sys, replica_model model_of) {
  return sys.spawn<caf::detached>(replica_behavior, std::move(model_of));
}

} // namespace axon
