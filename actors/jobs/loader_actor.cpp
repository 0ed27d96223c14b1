// loader actor: see loader_actor.hpp.
#include "actors/jobs/loader_actor.hpp"

#include "runtime/graph/error.hpp"
#include "runtime/graph/atoms.hpp"
#include "actors/jobs/messages.hpp"
#include "runtime/graph/probed_actor.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

namespace axon {

namespace {

struct loader_state {
  static inline const char* name = "axon.loader";
  std::unique_ptr<data::batcher> batches;
  caf::actor consumer;
  std::int64_t credit = 0;
  std::uint64_t sent = 0;
  std::uint64_t last_epoch = 0; // the epoch (from 0) of the last batch sent
  std::int64_t max_credit = 0;
};

using loader_actor = probed_actor<loader_state>;

void send_while_credit(loader_actor* self) {
  auto& st = self->state;
  while (st.credit > 0 && st.consumer) {
    auto b = st.batches->next();
    auto after = st.batches->cursor();
    self->send(st.consumer, msg::batch_msg{b.ids, b.token_types, b.attention_mask, b.labels,
                                           b.entities, b.examples, b.epoch, after.epoch,
                                           after.position, st.batches->at_epoch_end()});
    --st.credit;
    ++st.sent;
    st.last_epoch = b.epoch;
  }
  if (auto* probe = self->probe()) {
    auto cursor = st.batches->cursor();
    // The console's epoch is the supervisor's convention (counted from 1, the epoch of a
    // batch); the loader's is that of the last batch it sent, which may run ahead by the
    // batches the supervisor has prefetched.
    probe->set_detail("epoch", double((st.sent > 0 ? st.last_epoch : cursor.epoch) + 1));
    probe->set_detail("cursor", double(cursor.position));
    probe->set_detail("batches_per_epoch", double(st.batches->batches_per_epoch()));
    probe->set_detail("credit", double(st.credit));
    probe->set_detail("sent", double(st.sent));
  }
}

caf::behavior loader_behavior(loader_actor* self,
                              std::shared_ptr<const std::vector<data::tokenized_example>> examples,
                              data::batcher_options options) {
  exit_on_exception(self, "loader");
  self->state.batches = std::make_unique<data::batcher>(*examples, options);
  return {
    [=](credit_atom, std::int32_t n) {
      auto& st = self->state;
      st.consumer = caf::actor_cast<caf::actor>(self->current_sender());
      st.credit += n;
      st.max_credit = std::max(st.max_credit, st.credit);
      send_while_credit(self);
    },
    [=](restore_atom, std::uint64_t epoch, std::uint64_t position) {
      auto& st = self->state;
      st.batches->restore({epoch, position, st.batches->cursor().seed});
      st.credit = 0; // batches already sent are stale; the consumer grants credit anew
      return true;
    },
    [=](stats_atom) {
      auto& st = self->state;
      auto cursor = st.batches->cursor();
      nlohmann::json j{{"kind", "loader"},
                       {"epoch", cursor.epoch},
                       {"position", cursor.position},
                       {"batches_per_epoch", st.batches->batches_per_epoch()},
                       {"credit", st.credit},
                       {"max_credit", st.max_credit},
                       {"sent", st.sent}};
      return j.dump();
    },
  };
}

} // namespace

caf::actor spawn_loader(caf::actor_system& sys,
                        std::shared_ptr<const std::vector<data::tokenized_example>> examples,
                        data::batcher_options options) {
  return sys.spawn(loader_behavior, std::move(examples), options);
}

} // namespace axon
