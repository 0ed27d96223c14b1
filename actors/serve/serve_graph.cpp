// The serving graph and its kinds: see serve_graph.hpp.
#include "actors/serve/serve_graph.hpp"

#include "actors/serve/batcher_actor.hpp"
#include "actors/serve/replica_actor.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/factory_of.hpp"

namespace axon {

void add_serve_module(registry& r, std::shared_ptr<serve_metrics> metrics,
                      std::shared_ptr<serve_models> models) {
  r.add_types<caf::id_block::axon_serve>("serve");
  r.add_kind("serve.batcher",
             factory_of<serve_batcher_setup>([metrics, models](caf::actor_system& sys,
                                                               const serve_batcher_setup& s)
                                               -> caf::expected<caf::actor> {
               if (static_cast<std::size_t>(s.replicas) != models->replicas())
                 return make_error(errc::bad_parameters,
                                   "serve.batcher: " + std::to_string(s.replicas)
                                     + " replicas, but " + std::to_string(models->replicas())
                                     + " models were loaded");
               return spawn_serve_batcher(sys, s, metrics, models);
             }));
  r.add_kind("serve.replica",
             factory_of<std::int32_t>([models](caf::actor_system& sys, std::int32_t i)
                                        -> caf::expected<caf::actor> {
               if (i < 0 || static_cast<std::size_t>(i) >= models->replicas())
                 return make_error(errc::bad_parameters,
                                   "serve.replica " + std::to_string(i) + ": only "
                                     + std::to_string(models->replicas()) + " models were loaded");
               return spawn_serve_replica(sys, models, static_cast<std::size_t>(i));
             }));
}

actor_graph serve_graph(const serve_batcher_setup& setup) {
  actor_graph g;
  g.add_node("batcher", "serve.batcher", caf::make_message(setup));
  for (std::int32_t r = 0; r < setup.replicas; ++r) {
    auto name = "replica" + std::to_string(r);
    g.add_node(name, "serve.replica", caf::make_message(r));
    g.add_edge<msg::serve_batch, msg::serve_probs>({"batcher", name}, {name, "batcher"}, 1);
  }
  return g;
}

} // namespace axon
