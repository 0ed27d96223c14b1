// The serving graph and its kinds: see serve_graph.hpp.
#include "actors/serve/serve_graph.hpp"

#include "actors/serve/batcher_actor.hpp"
#include "actors/serve/replica_actor.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/factory_of.hpp"

#include <caf/all.hpp>

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
             factory_of<serve_replica_setup>([models](caf::actor_system& sys,
                                                      const serve_replica_setup& s)
                                               -> caf::expected<caf::actor> {
               if (s.index < 0 || static_cast<std::size_t>(s.index) >= models->replicas())
                 return make_error(errc::bad_parameters,
                                   "serve.replica " + std::to_string(s.index) + ": only "
                                     + std::to_string(models->replicas()) + " models were loaded");
               const auto index = static_cast<std::size_t>(s.index);
               return spawn_serve_replica(sys, [models, index](const msg::serve_batch& batch) {
                 auto model = models->model(batch.generation, index);
                 if (!model)
                   throw std::logic_error("model generation " + std::to_string(batch.generation)
                                          + " is retired");
                 return model;
               });
             }));
}

actor_graph serve_graph(const serve_batcher_setup& setup, const served_model& first,
                        const kg_service_setup* kg, const std::string& ship,
                        const caf::actor& files, const std::vector<replica_compute>& computes) {
  actor_graph g;
  g.add_node("batcher", "serve.batcher", caf::make_message(setup));
  if (kg != nullptr)
    g.add_node("kg", "axon.kg", caf::make_message(*kg));
  for (std::int32_t r = 0; r < setup.replicas; ++r) {
    auto name = replica_name(r);
    const auto index = static_cast<std::size_t>(r);
    const auto compute = index < computes.size() ? computes[index] : replica_compute{};
    g.add_node(name, "serve.replica",
               caf::make_message(
                 serve_replica_setup{r, first.run, first.checkpoint, ship, files, compute}));
    g.set_device(name, compute.device);
    g.add_edge<msg::serve_batch, msg::serve_probs>({"batcher", name}, {name, "batcher"}, 1);
  }
  return g;
}

std::vector<std::string> replica_names(std::int32_t replicas) {
  std::vector<std::string> names;
  for (std::int32_t r = 0; r < replicas; ++r)
    names.push_back(replica_name(r));
  return names;
}

caf::error link_through_kg(caf::actor_system& sys, const running_graph& running,
                           const std::vector<std::string>& names, std::chrono::milliseconds within) {
  auto kg = running.actors.find("kg");
  if (kg == running.actors.end())
    return {};
  caf::scoped_actor self{sys};
  caf::error failure;
  for (const auto& name : names) {
    if (failure)
      break;
    self->request(running.at(name), within, linker_atom::value, kg->second)
      .receive([](bool) {},
               [&](caf::error& err) {
                 failure = make_error(errc::failed, name + " did not take the KG service: "
                                                      + error_text(err));
               });
  }
  return failure;
}

} // namespace axon
