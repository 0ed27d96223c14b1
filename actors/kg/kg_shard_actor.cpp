// entity-shard actor: see kg_shard_actor.hpp. Global entity e lives in row e / shards.
#include "actors/kg/kg_shard_actor.hpp"

#include "runtime/graph/error.hpp"
#include "actors/kg/messages.hpp"
#include "graphs/kg/transe.hpp"
#include "ops/cpu/adamw.hpp"

#include <caf/all.hpp>

#include <cstring>

namespace axon {

namespace {

struct kg_shard_state {
  static inline const char* name = "axon.kg_shard";
  kg_shard_setup setup;
  tensor rows, grads, first_moments, second_moments; // (owned entities, D)
  std::int64_t steps = 0;
};

using kg_shard_actor = caf::stateful_actor<kg_shard_state>;

// Local row of entity `e`; throws when another shard owns it.
std::int64_t local_row(const kg_shard_setup& s, std::int32_t e) {
  if (e < 0 || e >= s.entities || e % s.shards != s.shard)
    throw std::invalid_argument("entity " + std::to_string(e) + " is not owned by shard "
                                + std::to_string(s.shard));
  return e / s.shards;
}

caf::behavior kg_shard_behavior(kg_shard_actor* self, kg_shard_setup setup) {
  exit_on_exception(self, "kg entity shard " + std::to_string(setup.shard));
  auto& st = self->state;
  st.setup = setup;
  const std::int64_t owned = (setup.entities - setup.shard + setup.shards - 1) / setup.shards;
  st.rows = tensor::empty({owned, setup.dim});
  for (std::int64_t r = 0; r < owned; ++r)
    for (std::int64_t x = 0; x < setup.dim; ++x)
      st.rows.data<float>()[r * setup.dim + x] = kg::transe_init_value(
        setup.seed, 0, (r * setup.shards + setup.shard) * setup.dim + x, setup.dim);
  st.grads = tensor::zeros(st.rows.sizes());
  st.first_moments = tensor::zeros(st.rows.sizes());
  st.second_moments = tensor::zeros(st.rows.sizes());
  return {
    [=](const msg::kg_rows_request& request) {
      auto& st = self->state;
      const auto d = st.setup.dim;
      msg::kg_rows_msg out{request.step, st.setup.shard, request.ids,
                           tensor::empty({std::int64_t(request.ids.size()), d})};
      for (std::size_t i = 0; i < request.ids.size(); ++i)
        std::memcpy(out.rows.data<float>() + i * d,
                    st.rows.data<float>() + local_row(st.setup, request.ids[i]) * d,
                    d * sizeof(float));
      return out;
    },
    [=](const msg::kg_grads_msg& update) {
      auto& st = self->state;
      const auto d = st.setup.dim;
      st.grads.zero_();
      for (std::size_t i = 0; i < update.ids.size(); ++i) {
        float* dst = st.grads.data<float>() + local_row(st.setup, update.ids[i]) * d;
        const float* src = update.grads.data<float>() + i * d;
        for (std::int64_t x = 0; x < d; ++x)
          dst[x] += src[x];
      }
      ops::adamw_hparams hp;
      hp.lr = st.setup.lr;
      hp.weight_decay = 0.0f;
      ops::adamw_update(st.rows, st.grads, st.first_moments, st.second_moments, hp, ++st.steps);
      return msg::kg_updated_msg{update.step, st.setup.shard};
    },
  };
}

} // namespace

caf::actor spawn_kg_shard(caf::actor_system& sys, const kg_shard_setup& setup) {
  return sys.spawn(kg_shard_behavior, setup);
}

} // namespace axon
