// make_graph: nodes and edges of the BERT training graph.
#include "graphs/bert/bert_graph.hpp"

#include "actors/bert/coordinator_actor.hpp"
#include "actors/kg/kg_service_actor.hpp"
#include "actors/bert/messages.hpp"
#include "actors/kg/messages.hpp"
#include "runtime/graph/factory_of.hpp"
#include "actors/bert/optimizer_actor.hpp"
#include "actors/bert/shard_actor.hpp"
#include "actors/bert/stage_actor.hpp"
#include "graphs/bert/bert_stage.hpp"
#include "runtime/config/cluster_settings.hpp"

#include <stdexcept>

namespace axon::bert {

namespace {

std::string stage_node(int shard, int stage) {
  return shard_node(shard) + ".stage" + std::to_string(stage);
}

// A checked factory (factory_of) whose setup's device is checked first: a device out of
// reach of this process (no such GPU, a build without CUDA, a name that does not parse)
// fails the spawn with the reason, wherever the node runs.
template <class Setup>
node_factory on_device(caf::actor (*spawn)(caf::actor_system&, const Setup&)) {
  return factory_of<Setup>([spawn](caf::actor_system& sys,
                                   const Setup& setup) -> caf::expected<caf::actor> {
    try {
      ops::check_device(device::parse(setup.device));
    } catch (const std::exception& e) {
      return make_error(errc::bad_parameters, e.what());
    }
    return spawn(sys, setup);
  });
}

} // namespace

std::string shard_node(int s) {
  return "shard" + std::to_string(s);
}

device device_of(const job_layout& job, const std::string& name) {
  return config::device_of(job.devices, name);
}

actor_graph make_graph(const job_layout& job) {
  job.model.validate();
  if (job.stages < 1 || job.shards < 1 || job.micro_batches < 1 || job.credit_window < 1
      || job.optimizer_slices < 1 || job.micro_windows < 1)
    throw std::invalid_argument("stages, shards, micro-batches, credit window, optimizer slices "
                                "and micro-windows must be >= 1");
  const int slices = job.optimizer_slices;
  for (int k = 0; k < job.stages; ++k) // throws when a stage would be empty or too small
    split_specs(stage_param_specs(job.model, split_stages(job.model, k, job.stages)), slices);
  actor_graph g;
  g.add_node("coordinator", "axon.coordinator",
             caf::make_message(coordinator_setup{job.stages, job.shards, job.micro_batches,
                                                 job.max_grad_norm, slices,
                                                 job.model.documents ? job.micro_windows : 0,
                                                 job.credit_window}));
  for (int k = 0; k < job.stages; ++k)
    for (int j = 0; j < slices; ++j) {
      auto name = optimizer_name(k, j, slices);
      optimizer_setup opt{job.model, k, job.stages, job.shards, job.adamw, job.decay_all,
                          job.seed,  j, slices,     device_of(job, name).to_string()};
      g.add_node(name, "axon.optimizer", caf::make_message(opt));
      g.set_device(name, opt.device);
      g.add_edge<msg::apply_update_msg, types<msg::norm_part_msg, msg::updated_msg>>(
        {"coordinator", name}, {name, "coordinator"});
    }
  for (int s = 0; s < job.shards; ++s) {
    auto shard = shard_node(s);
    g.add_node(shard, "axon.shard", caf::make_message(shard_setup{s}));
    g.add_edge<msg::shard_work_msg>({"coordinator", shard}, {shard, "coordinator"});
    for (int k = 0; k < job.stages; ++k) {
      const auto name = stage_node(s, k);
      const auto device = device_of(job, name).to_string();
      g.add_node(name, "axon.bert.stage",
                 caf::make_message(stage_setup{job.model, k, job.stages, s, job.seed, slices,
                                               device, std::string{ops::to_string(job.precision)},
                                               std::string{ops::to_string(job.attention)}}));
      g.set_device(name, device);
      for (int j = 0; j < slices; ++j)
        g.add_edge<msg::grads_msg, msg::params_msg>(
          {stage_node(s, k), optimizer_port(j, slices)},
          {optimizer_name(k, j, slices), "replica" + std::to_string(s)});
    }
    // Stage 0 passes back credit only; later stages their input's gradient too.
    g.add_edge<msg::forward_msg>({shard, "stage"}, {stage_node(s, 0), "prev"}, job.credit_window);
    for (int k = 0; k + 1 < job.stages; ++k)
      g.add_edge<msg::forward_msg, msg::backward_msg>(
        {stage_node(s, k), "next"}, {stage_node(s, k + 1), "prev"}, job.credit_window);
    g.add_edge<types<msg::loss_msg, msg::eval_output_msg, msg::windows_cls_msg>>(
      {stage_node(s, job.stages - 1), "coordinator"}, {"coordinator", "head" + std::to_string(s)});
  }
  // Windows mode (documents models): shard 0's head stage classifies the documents.
  if (job.model.documents)
    g.add_edge<msg::classify_documents_msg, msg::documents_classified_msg>(
      {"coordinator", "documents"}, {stage_node(0, job.stages - 1), "documents"});
  if (job.kg)
    g.add_node("kg", "axon.kg", caf::make_message(*job.kg));
  // A device rule that places nothing is a typo: say so rather than compute on the host.
  for (const auto& rule : job.devices) {
    bool used = false;
    for (const auto& node : g.nodes())
      used |= (node.kind == "axon.bert.stage" || node.kind == "axon.optimizer")
              && cluster::glob_match(rule.pattern, node.name);
    if (!used)
      throw std::invalid_argument("placement.devices: \"" + rule.pattern + "="
                                  + rule.where.to_string()
                                  + "\" matches no stage or optimizer actor (they are named "
                                    "shard<s>.stage<k> and optimizer<k>)");
  }
  return g;
}

kind_table kinds() {
  return {{"axon.coordinator", factory_of<coordinator_setup>(spawn_coordinator)},
          {"axon.shard", factory_of<shard_setup>(spawn_shard)},
          {"axon.bert.stage", on_device<stage_setup>(spawn_stage)},
          {"axon.optimizer", on_device<optimizer_setup>(spawn_optimizer)},
          {"axon.kg", factory_of<kg_service_setup>(spawn_kg_service)}};
}

} // namespace axon::bert
