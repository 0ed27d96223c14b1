// The serving graph of `axon serve`: one batcher and serve.replicas model replicas, an
// edge with credit 1 from the batcher to each (docs/serving.md). The models of replicas in
// this process are loaded here and handed to the kinds' factories in a serve_models, which
// a reload adds generations to; a replica placed on a node process (placement.nodes) is
// spawned there by the node's own "serve.replica" kind (node_replica.hpp), which loads the
// run named in its serve_replica_setup. With a run that fuses a KG, a KG service actor
// links every replica's texts (here, or on a node process as training's KG service may
// run). The batcher always runs here.
//
//   registry r;
//   auto models = std::make_shared<serve_models>(replicas, info);  // replicas[i]: replica i's
//   add_serve_module(r, metrics, models);
//   auto running = serve_graph(setup, info).spawn(sys, r.kinds());
//   running->at("batcher")  // takes classify_request
#pragma once

#include "actors/kg/messages.hpp"
#include "actors/serve/messages.hpp"
#include "actors/serve/serve_metrics.hpp"
#include "actors/serve/serve_models.hpp"
#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/registry.hpp"

#include <chrono>
#include <memory>
#include <vector>

namespace axon {

/// Adds the module's types and its kinds, "serve.batcher" (a serve_batcher_setup) and
/// "serve.replica" (a serve_replica_setup: replica i computes with each generation's model i).
void add_serve_module(registry& r, std::shared_ptr<serve_metrics> metrics,
                      std::shared_ptr<serve_models> models);

/// The batcher "batcher" and replicas "replica0".."replicaN-1" (N = setup.replicas); `first`
/// names the run and checkpoint that a replica on a node process loads at its start. With
/// `kg` (a run that fuses a KG), the KG service "kg" (kind "axon.kg", actors/kg/) holding
/// the run's saved KG, which links the replicas' texts (link_through_kg). `ship` and
/// `files`: serve.ship-run and the run files actor a replica on a node copies the run from
/// (run_files.hpp; null: none). `computes[i]`: where replica i computes when it runs on a
/// node (a replica here computes with the model serve_models holds); absent: on the CPU.
actor_graph serve_graph(const serve_batcher_setup& setup, const served_model& first = {},
                        const kg_service_setup* kg = nullptr, const std::string& ship = "never",
                        const caf::actor& files = {},
                        const std::vector<replica_compute>& computes = {});

/// Tells the replicas `names` of `running` to link their texts through its KG service
/// "kg", waiting `within` for each; nothing without one. The error names the replica that
/// did not answer.
caf::error link_through_kg(caf::actor_system& sys, const running_graph& running,
                           const std::vector<std::string>& names, std::chrono::milliseconds within);

/// "replica0" .. "replicaN-1".
std::vector<std::string> replica_names(std::int32_t replicas);

} // namespace axon
