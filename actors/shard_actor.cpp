// shard actor: see shard_actor.hpp.
#include "actors/shard_actor.hpp"

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/ports.hpp"
#include "actors/probed_actor.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <deque>

namespace axon {

namespace {

struct shard_state {
  static inline const char* name = "axon.shard";
  shard_setup setup;
  ports edges;
  std::deque<msg::micro_batch> queue;
  int in_flight = 0, max_in_flight = 0;
  std::uint64_t injected = 0;

  bool blocked_on_credit() const {
    const auto window = edges["stage"].credit_window;
    return !queue.empty() && window > 0 && in_flight >= window;
  }
};

using shard_actor = probed_actor<shard_state>;

void pump(shard_actor* self) {
  auto& st = self->state;
  const auto& stage = st.edges["stage"];
  while (!st.queue.empty() && (stage.credit_window == 0 || st.in_flight < stage.credit_window)) {
    self->send(stage.peer, msg::forward_msg{std::move(st.queue.front()), tensor{}});
    st.queue.pop_front();
    st.max_in_flight = std::max(st.max_in_flight, ++st.in_flight);
    ++st.injected;
  }
  self->set_in_flight("stage", st.in_flight);
  if (auto* probe = self->probe()) {
    probe->set_detail("queued", double(st.queue.size()));
    probe->set_detail("in_flight", double(st.in_flight));
    probe->set_detail("injected", double(st.injected));
  }
}

caf::behavior shard_behavior(shard_actor* self, shard_setup setup) {
  self->state.setup = setup;
  self->state.edges.declare<msg::forward_msg>("stage");
  self->state.edges.declare<msg::shard_work_msg>("coordinator");
  return {
    connect_handler(self),
    [=](msg::shard_work_msg& work) {
      for (auto& m : work.micros)
        self->state.queue.push_back(std::move(m));
      pump(self);
    },
    [=](const msg::micro_done_msg&) {
      --self->state.in_flight;
      pump(self);
    },
    [=](stats_atom) {
      auto& st = self->state;
      nlohmann::json j{{"kind", "shard"},
                       {"shard", st.setup.shard},
                       {"queued", st.queue.size()},
                       {"in_flight", st.in_flight},
                       {"max_in_flight", st.max_in_flight},
                       {"credit_window", st.edges["stage"].credit_window},
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
