// serve_reload: see serve_reload.hpp.
#include "apps/axon/serve_reload.hpp"

#include "apps/axon/serve_request.hpp"
#include "apps/axon/serve_run_model.hpp"
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>

namespace axon::app {

namespace fs = std::filesystem;

checkpoint_target target_of(const std::string& folder) {
  std::error_code error;
  auto time = fs::last_write_time(fs::path{folder} / "manifest.msgpack", error);
  return {folder, error ? -1 : std::int64_t(time.time_since_epoch().count())};
}

std::optional<checkpoint_target> reload_target(const std::string& run_dir) {
  const fs::path dir{run_dir};
  std::optional<std::int64_t> step = checkpoint::best_checkpoint(dir);
  if (!step) {
    auto steps = checkpoint::list_checkpoints(dir);
    if (steps.empty())
      return std::nullopt;
    step = steps.front();
  }
  return target_of((dir / "checkpoints" / ("step-" + std::to_string(*step))).string());
}

serve_reloader::serve_reloader(std::string run_dir, replica_places places,
                               std::shared_ptr<compute_pool> pool,
                               std::shared_ptr<serve_models> models,
                               std::shared_ptr<serve_metrics> metrics, caf::actor_system& system,
                               caf::actor batcher, const std::string& serving)
  : run_dir_{std::move(run_dir)}, places_{std::move(places)}, pool_{std::move(pool)},
    models_{std::move(models)}, metrics_{std::move(metrics)}, system_{system},
    batcher_{std::move(batcher)}, serving_{target_of(serving)} {
}

reload_result serve_reloader::reload() {
  std::unique_lock lock{mutex_, std::try_to_lock};
  if (!lock.owns_lock())
    return {409, false, "a reload is already under way; try again when it is done",
            models_->current_info(), nullptr};
  try {
    return reload_locked(reload_target(run_dir_));
  } catch (const std::exception& e) { // a garbled best.txt
    ++metrics_->reloads_refused;
    return {409, false, "refused: " + std::string{e.what()}, models_->current_info(), nullptr};
  }
}

std::optional<reload_result> serve_reloader::poll() {
  std::unique_lock lock{mutex_, std::try_to_lock};
  if (!lock.owns_lock())
    return std::nullopt; // a POST /v1/reload is under way
  std::optional<checkpoint_target> target;
  try {
    target = reload_target(run_dir_);
  } catch (const std::exception&) {
    return std::nullopt; // best.txt being written, or garbled: the next poll looks again
  }
  if (!target || *target == serving_ || target == refused_)
    return std::nullopt;
  return reload_locked(target);
}

reload_result serve_reloader::reload_locked(const std::optional<checkpoint_target>& target) {
  auto previous = models_->current_info();
  if (!target) {
    ++metrics_->reloads_refused;
    return {409, false, "refused: no checkpoint in " + (fs::path{run_dir_} / "checkpoints").string(),
            previous, nullptr};
  }
  if (*target == serving_)
    return {200, false, "", previous, nullptr};
  loaded_replicas loaded;
  try {
    loaded = load_replicas(run_dir_, places_, pool_, target->folder);
  } catch (const std::exception& e) {
    refused_ = target;
    ++metrics_->reloads_refused;
    reload_result refused{409, false,
                          "refused " + target->folder + ": " + e.what() + "; still serving "
                            + (previous ? previous->checkpoint : std::string{"?"}),
                          previous, nullptr};
    std::cerr << "axon serve: reload " << refused.error << std::endl;
    return refused;
  }
  models_->publish(std::move(loaded.models), std::move(loaded.info));
  serving_ = *target;
  refused_.reset();
  ++metrics_->reloads;
  // The batcher retires the old generation once its requests are answered.
  caf::scoped_actor self{system_};
  self->request(batcher_, std::chrono::seconds{10}, models_atom::value)
    .receive([](const std::string&) {},
             [](const caf::error&) {}); // it retires at its next answer then
  std::cout << "axon serve: reloaded: " << target->folder << " (was "
            << (previous ? previous->checkpoint : std::string{"?"}) << ")" << std::endl;
  return {200, true, "", models_->current_info(), previous};
}

void serve_reloader::bring_here(std::size_t replica) {
  std::lock_guard lock{mutex_}; // no reload meanwhile: the model is of the current generation
  if (places_.here.at(replica) && models_->model(models_->current(), replica))
    return; // brought here before (and its spawn failed since)
  const auto serving = models_->current_info();
  if (!serving)
    throw std::logic_error("serve_reloader::bring_here: no generation serves");
  // A replica here already holds the served weights: share them (or copy them from its
  // device), as load_replicas does. The moved replica computes on the host.
  const replica_compute on_host;
  serve_model_ptr model;
  const auto generation = models_->current();
  for (std::size_t k = 0; k < places_.here.size() && !model; ++k)
    if (auto local = std::dynamic_pointer_cast<serve_run_model>(models_->model(generation, k)))
      model = std::make_shared<serve_run_model>(*local, pool_, on_host);
  if (!model)
    model = std::make_shared<serve_run_model>(run_dir_, pool_, serving->checkpoint, on_host);
  models_->adopt(replica, std::move(model));
  places_.here.at(replica) = true;
  if (replica < places_.computes.size())
    places_.computes[replica] = on_host; // reloads load it on the host too
}

std::string reload_json(const reload_result& result) {
  nlohmann::json out;
  if (result.status != 200)
    out["error"] = {{"message", result.error}};
  else
    out["reloaded"] = result.reloaded;
  if (result.serving)
    out["model"] = model_json(*result.serving);
  if (result.previous && result.reloaded)
    out["previous"] = model_json(*result.previous);
  return out.dump();
}

} // namespace axon::app
