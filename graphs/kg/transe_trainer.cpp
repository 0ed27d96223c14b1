// TransE training loop (see transe_trainer.hpp).
#include "graphs/kg/transe_trainer.hpp"

#include "runtime/data/seeded_random.hpp"

#include <numeric>

namespace axon::kg {

double transe_memory_bytes(std::int64_t entities, std::int64_t relations,
                           const transe_settings& s) {
  const double d = double(s.dim), b = double(s.batch_size), k = double(s.negatives);
  const double tables = 4.0 * (double(entities) + double(relations)) * d; // params, grads, m, v
  const double scores = 8.0 * b * (k + 1.0);  // both directions: scores, softmax, gradients
  const double rows = 4.0 * k * d + 8.0 * b * d; // negatives' rows and the batch's, with grads
  return 4.0 * (tables + scores + rows);       // f32
}

optimizer_settings transe_adam(const transe_settings& s) {
  optimizer_settings o;
  o.adamw.lr = s.lr;
  o.adamw.weight_decay = 0.0f;
  return o;
}

std::vector<transe_batch> transe_sampler::epoch(const std::vector<triple>& train) {
  std::vector<std::size_t> order(train.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  data::seeded_shuffle(order, rng_);
  std::vector<transe_batch> batches;
  for (std::size_t first = 0; first < order.size(); first += settings_.batch_size) {
    const auto last = std::min(order.size(), first + std::size_t(settings_.batch_size));
    transe_batch& batch = batches.emplace_back();
    for (auto i = first; i < last; ++i)
      batch.positives.push_back(train[order[i]]);
    batch.tail_negatives.resize(settings_.negatives);
    batch.head_negatives.resize(settings_.negatives);
    for (auto* negatives : {&batch.tail_negatives, &batch.head_negatives})
      for (auto& e : *negatives)
        e = std::int32_t(data::uniform_below(rng_, std::uint64_t(entities_)));
  }
  return batches;
}

transe_trainer::transe_trainer(std::int64_t entities, std::int64_t relations,
                               const transe_settings& settings)
  : params_(transe_specs(entities, relations, settings.dim)), grads_(params_.like()),
    optimizer_(params_, transe_adam(settings)), sampler_(entities, settings) {
  init_transe(params_, settings.seed);
}

double transe_trainer::train_epoch(const std::vector<triple>& train) {
  double loss_sum = 0;
  const auto batches = sampler_.epoch(train);
  for (const auto& batch : batches) {
    grads_.flat().zero_();
    loss_sum += transe_loss_and_grads(grads_, params_, batch);
    optimizer_.update(params_, grads_);
  }
  return batches.empty() ? 0.0 : loss_sum / double(batches.size());
}

} // namespace axon::kg
