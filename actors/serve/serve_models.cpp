// serve_models: see serve_models.hpp.
#include "actors/serve/serve_models.hpp"

#include <algorithm>
#include <stdexcept>

namespace axon {

serve_models::serve_models(std::vector<serve_model_ptr> replicas, served_model info)
  : replicas_{replicas.size()} {
  if (replicas.empty())
    throw std::invalid_argument("serve_models: at least one replica");
  models_.emplace(0, std::move(replicas));
  infos_.emplace(0, std::make_shared<const served_model>(std::move(info)));
}

std::uint64_t serve_models::publish(std::vector<serve_model_ptr> replicas, served_model info) {
  if (replicas.size() != replicas_)
    throw std::invalid_argument("serve_models: " + std::to_string(replicas.size())
                                + " replicas published, the service has "
                                + std::to_string(replicas_));
  std::lock_guard lock{mutex_};
  const auto generation = current() + 1;
  models_.emplace(generation, std::move(replicas));
  infos_.emplace(generation, std::make_shared<const served_model>(std::move(info)));
  current_.store(generation, std::memory_order_release);
  return generation;
}

serve_model_ptr serve_models::model(std::uint64_t generation, std::size_t replica) const {
  std::lock_guard lock{mutex_};
  auto found = models_.find(generation);
  if (found == models_.end() || replica >= found->second.size())
    return nullptr;
  return found->second[replica];
}

void serve_models::adopt(std::size_t replica, serve_model_ptr model) {
  std::lock_guard lock{mutex_};
  if (replica >= replicas_)
    throw std::invalid_argument("serve_models::adopt: replica " + std::to_string(replica)
                                + " of " + std::to_string(replicas_));
  models_.at(current()).at(replica) = std::move(model);
}

std::shared_ptr<const served_model> serve_models::info(std::uint64_t generation) const {
  std::lock_guard lock{mutex_};
  auto found = infos_.find(generation);
  return found == infos_.end() ? nullptr : found->second;
}

std::size_t serve_models::retire_before(std::uint64_t generation) {
  std::vector<serve_model_ptr> dropped; // released after the lock
  std::size_t count = 0;
  {
    std::lock_guard lock{mutex_};
    generation = std::min(generation, current()); // the current generation always stays
    for (auto it = models_.begin(); it != models_.end() && it->first < generation;) {
      for (auto& m : it->second)
        dropped.push_back(std::move(m));
      it = models_.erase(it);
      ++count;
    }
  }
  return count;
}

std::size_t serve_models::live_generations() const {
  std::lock_guard lock{mutex_};
  return models_.size();
}

} // namespace axon
