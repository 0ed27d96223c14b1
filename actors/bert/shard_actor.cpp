// shard actor: see shard_actor.hpp.
#include "actors/bert/shard_actor.hpp"

#include "actors/bert/messages.hpp"
#include "runtime/graph/ports.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>


namespace axon {

namespace {

struct shard_state {
  static inline const char* name = "axon.shard";
  shard_setup setup;
  ports edges; // "stage": the credit window bounds the micro-batches in the pipeline
  std::uint64_t injected = 0;
};

using shard_actor = probed_actor<shard_state>;

void publish_details(shard_actor* self) {
  if (auto* probe = self->probe()) {
    const auto& stage = self->state.edges["stage"];
    probe->set_detail("queued", double(stage.waiting.size()));
    probe->set_detail("in_flight", double(stage.in_flight));
    probe->set_detail("injected", double(self->state.injected));
  }
}

caf::behavior shard_behavior(shard_actor* self, shard_setup setup) {
  self->state.setup = setup;
  self->state.edges.declare_out<msg::forward_msg>("stage");
  self->state.edges.declare_in<msg::shard_work_msg>("coordinator");
  return {
    connect_handler(self),
    credit_handler(self),
    [=](msg::shard_work_msg& work) {
      auto& st = self->state;
      for (auto& m : work.micros) {
        st.edges.send(self, "stage", msg::forward_msg{std::move(m), tensor{}});
        ++st.injected;
      }
      publish_details(self);
    },
    [=](stats_atom) {
      auto& st = self->state;
      const auto& stage = st.edges["stage"];
      nlohmann::json j{{"kind", "shard"},
                       {"shard", st.setup.shard},
                       {"queued", stage.waiting.size()},
                       {"in_flight", stage.in_flight},
                       {"max_in_flight", stage.max_in_flight},
                       {"credit_window", stage.credit_window},
                       {"injected", st.injected}};
      return j.dump();
    },
  };
}

} // namespace

caf::actor spawn_shard(caf::actor_system& sys, const shard_setup& setup) {
  return sys.spawn(shard_behavior, setup);
}

} // namespace axon
