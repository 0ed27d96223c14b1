// Learning-rate schedules with warm-up (see lr_schedule.hpp).
#include "runtime/train/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace axon::train {

std::optional<lr_schedule_kind> lr_schedule_kind_from_name(std::string_view name) {
  if (name == "linear")
    return lr_schedule_kind::linear;
  if (name == "cosine")
    return lr_schedule_kind::cosine;
  if (name == "constant")
    return lr_schedule_kind::constant;
  return std::nullopt;
}

std::string_view lr_schedule_kind_name(lr_schedule_kind kind) {
  switch (kind) {
    case lr_schedule_kind::linear:
      return "linear";
    case lr_schedule_kind::cosine:
      return "cosine";
    case lr_schedule_kind::constant:
      return "constant";
  }
  return "linear";
}

double learning_rate(const lr_schedule_config& config, std::int64_t step) {
  auto current = static_cast<double>(step);
  auto warmup = static_cast<double>(config.warmup_steps);
  auto total = static_cast<double>(config.total_steps);
  if (step < config.warmup_steps)
    return config.base_lr * (current / std::max(1.0, warmup));
  double decay_steps = std::max(1.0, total - warmup);
  switch (config.kind) {
    case lr_schedule_kind::linear:
      return config.base_lr * std::max(0.0, (total - current) / decay_steps);
    case lr_schedule_kind::cosine: {
      double progress = (current - warmup) / decay_steps;
      return config.base_lr
           * std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * config.num_cycles * 2.0
                                                 * progress)));
    }
    case lr_schedule_kind::constant:
      return config.base_lr;
  }
  return config.base_lr;
}

} // namespace axon::train
