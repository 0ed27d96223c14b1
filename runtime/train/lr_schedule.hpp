// Learning rate per optimizer step: linear warm-up from 0 to the base rate, then linear
// decay to 0, cosine decay, or constant; the formulas of Hugging Face transformers'
// get_{linear,cosine,constant}_schedule_with_warmup.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace axon::train {

enum class lr_schedule_kind { linear, cosine, constant };

/// "linear" / "cosine" / "constant"; nullopt for any other name.
std::optional<lr_schedule_kind> lr_schedule_kind_from_name(std::string_view name);
std::string_view lr_schedule_kind_name(lr_schedule_kind kind);

struct lr_schedule_config {
  lr_schedule_kind kind = lr_schedule_kind::linear;
  double base_lr = 2e-5;
  std::int64_t warmup_steps = 0;  // W
  std::int64_t total_steps = 1;   // T: linear and cosine reach 0 here
  double num_cycles = 0.5;        // cosine only: 0.5 is half a cosine wave, base_lr -> 0
};

/// The rate used by optimizer step `step` (counted from 0), as torch's LambdaLR gives it
/// after `step` calls of scheduler.step(): step 0 of a warm-up uses rate 0.
///   warm-up (step < W): base_lr * step / max(1, W)
///   linear:   base_lr * max(0, (T - step) / max(1, T - W))
///   cosine:   base_lr * max(0, 0.5 * (1 + cos(pi * num_cycles * 2 * progress))),
///             progress = (step - W) / max(1, T - W)
///   constant: base_lr
double learning_rate(const lr_schedule_config& config, std::int64_t step);

} // namespace axon::train
