// Early stopping on an evaluation metric: stop after `patience` evaluations in a row that
// did not improve the best value by more than `min_delta`. The state is plain values so a
// checkpoint manifest can save it and a resumed run continues exactly where it stopped.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace axon::train {

/// min: lower is better (loss); max: higher is better (accuracy, F1).
enum class metric_mode { min, max };

/// "min" / "max"; nullopt for any other name.
std::optional<metric_mode> metric_mode_from_name(std::string_view name);
std::string_view metric_mode_name(metric_mode mode);

struct early_stopping_config {
  metric_mode mode = metric_mode::min;
  int patience = 3;        // non-improving evaluations in a row that stop training
  double min_delta = 0.0;  // an improvement must exceed this (absolute)
};

/// Everything early_stopping remembers between evaluations.
struct early_stopping_state {
  bool has_best = false;  // false until the first evaluation
  double best_value = 0;
  std::int64_t best_step = -1;  // step of the evaluation that gave best_value
  int evals_without_improvement = 0;
};

/// {"has_best","best_value","best_step","evals_without_improvement"}.
void to_json(nlohmann::json& out, const early_stopping_state& state);
/// Throws nlohmann::json::exception for a missing key or a wrong type.
void from_json(const nlohmann::json& in, early_stopping_state& state);

struct early_stopping_decision {
  bool improved = false;     // this evaluation is the new best
  bool should_stop = false;  // patience is used up
};

class early_stopping {
public:
  explicit early_stopping(early_stopping_config config, early_stopping_state state = {});

  /// Records the metric of the evaluation at `step`. The first evaluation always improves.
  early_stopping_decision update(double value, std::int64_t step);

  const early_stopping_config& config() const { return config_; }
  const early_stopping_state& state() const { return state_; }
  /// The best value so far (nullopt before the first evaluation) and its step.
  std::optional<double> best_value() const;
  std::int64_t best_step() const { return state_.best_step; }

private:
  early_stopping_config config_;
  early_stopping_state state_;
};

} // namespace axon::train
