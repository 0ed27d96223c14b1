// serve_run_model: see serve_run_model.hpp.
#include "apps/axon/serve_run_model.hpp"

#include "actors/bert/setup_compute.hpp"
#include "actors/kg/kg_service_actor.hpp"

#include "ops/cpu/cpu_kernels.hpp"
#include "runtime/compute_pool.hpp"

#include <filesystem>
#include <map>

namespace axon::app {

namespace {

ops::compute compute_on(const replica_compute& on) {
  return compute_of(on.device, on.precision, on.attention);
}

// `run` computing where `on` says: itself on the host, else its replica there (the host
// copy of the weights goes with `run`).
trained_run placed(trained_run run, const replica_compute& on) {
  auto compute = compute_on(on);
  return compute.on_host() ? std::move(run) : run.replica(compute);
}

} // namespace

serve_run_model::serve_run_model(const std::string& run_dir, std::shared_ptr<compute_pool> pool,
                                 const std::string& checkpoint_folder, const replica_compute& on)
  : run_{placed(trained_run::load(run_dir, checkpoint_folder), on)} {
  run_.pool = std::move(pool);
}

serve_run_model::serve_run_model(const serve_run_model& first, std::shared_ptr<compute_pool> pool,
                                 const replica_compute& on)
  : run_{first.run_.replica(compute_on(on))} {
  run_.pool = std::move(pool);
}

serve_output serve_run_model::classify(const std::vector<std::string>& texts) {
  std::vector<data::tokenized_example> examples;
  examples.reserve(texts.size());
  serve_output out;
  if (run_.kg)
    out.entities.resize(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i)
    examples.push_back(run_.encode(texts[i], run_.kg ? &out.entities[i] : nullptr));
  // One batch, as the batcher formed it.
  out.probabilities = run_.probabilities(examples, examples.size());
  return out;
}

namespace {

// A batch tokenized by the run, waiting for its entity links.
struct run_encoded : encoded_texts {
  std::vector<data::tokenized_example> examples;
};

} // namespace

std::unique_ptr<encoded_texts> serve_run_model::encode(const std::vector<std::string>& texts) {
  if (!run_.kg)
    return nullptr;
  auto out = std::make_unique<run_encoded>();
  for (const auto& text : texts) {
    out->examples.push_back(run_.tokenize(text));
    out->words.push_back(out->examples.back().words);
  }
  return out;
}

serve_output serve_run_model::classify(encoded_texts& texts,
                                       const std::vector<std::vector<kg::mention>>& mentions) {
  auto& encoded = dynamic_cast<run_encoded&>(texts);
  if (mentions.size() != encoded.examples.size())
    throw std::runtime_error("the KG service linked " + std::to_string(mentions.size())
                             + " texts of " + std::to_string(encoded.examples.size()));
  serve_output out;
  out.entities.resize(encoded.examples.size());
  for (std::size_t i = 0; i < encoded.examples.size(); ++i)
    run_.link(encoded.examples[i], mentions[i], &out.entities[i]);
  // One batch, as the batcher formed it.
  out.probabilities = run_.probabilities(encoded.examples, encoded.examples.size());
  return out;
}

std::int64_t serve_run_model::step() const {
  auto name = std::filesystem::path{run_.checkpoint}.filename().string();
  if (!name.starts_with("step-"))
    return -1;
  try {
    return std::stoll(name.substr(5));
  } catch (const std::exception&) {
    return -1;
  }
}

served_model serve_run_model::describe(const std::string& run_dir) const {
  return {run_dir, run_.checkpoint, step(), run_.labels};
}

std::shared_ptr<compute_pool> serve_compute_pool() {
  ops::cpu_kernels(); // GEMM core, own loops, single-threaded BLAS: once, before any thread
  return std::make_shared<compute_pool>(core_count());
}

loaded_replicas load_replicas(const std::string& run_dir, const replica_places& places,
                              std::shared_ptr<compute_pool> pool,
                              const std::string& checkpoint_folder) {
  loaded_replicas out;
  auto host = std::make_shared<serve_run_model>(run_dir, pool, checkpoint_folder);
  out.info = host->describe(run_dir);
  if (const auto& run = host->run(); run.kg)
    out.kg = kg_service_setup_of(*run.kg, !run.config->get_bool("data.cased"), tensor{});
  // Every replica's weights come from the host model (its folder, whatever the run marks
  // best meanwhile): the first replica on the host is that model, the others on the host
  // share its weights, and each device gets one copy that its replicas share. Each
  // replica has activations (and on a device, a stream) of its own.
  std::map<std::string, std::shared_ptr<serve_run_model>> first_on; // by device
  for (std::size_t r = 0; r < places.here.size(); ++r) {
    if (!places.here[r]) {
      out.models.push_back(nullptr);
      continue;
    }
    const auto on = places.compute_of(r);
    auto& first = first_on[on.device];
    if (first) // shares its weights
      out.models.push_back(std::make_shared<serve_run_model>(*first, pool, on));
    else if (on.device == "cpu")
      out.models.push_back(first = host);
    else // copies the host's weights to the device
      out.models.push_back(first = std::make_shared<serve_run_model>(*host, pool, on));
  }
  return out;
}

serve_model_loader node_model_loader() {
  return [](const std::string& run_dir, const std::string& checkpoint,
            const replica_compute& on) -> serve_model_ptr {
    static const auto pool = serve_compute_pool(); // the node's replicas share it
    return std::make_shared<serve_run_model>(run_dir, pool, checkpoint, on);
  };
}

} // namespace axon::app
