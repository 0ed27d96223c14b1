// Early stopping on an evaluation metric (see early_stopping.hpp).
#include "runtime/train/early_stopping.hpp"

#include <stdexcept>

namespace axon::train {

std::optional<metric_mode> metric_mode_from_name(std::string_view name) {
  if (name == "min")
    return metric_mode::min;
  if (name == "max")
    return metric_mode::max;
  return std::nullopt;
}

std::string_view metric_mode_name(metric_mode mode) {
  return mode == metric_mode::min ? "min" : "max";
}

void to_json(nlohmann::json& out, const early_stopping_state& state) {
  out = {{"has_best", state.has_best},
         {"best_value", state.best_value},
         {"best_step", state.best_step},
         {"evals_without_improvement", state.evals_without_improvement}};
}

void from_json(const nlohmann::json& in, early_stopping_state& state) {
  in.at("has_best").get_to(state.has_best);
  in.at("best_value").get_to(state.best_value);
  in.at("best_step").get_to(state.best_step);
  in.at("evals_without_improvement").get_to(state.evals_without_improvement);
}

early_stopping::early_stopping(early_stopping_config config, early_stopping_state state)
  : config_(config), state_(state) {
  if (config_.patience < 0)
    throw std::invalid_argument("early_stopping: patience must be >= 0");
  if (config_.min_delta < 0)
    throw std::invalid_argument("early_stopping: min_delta must be >= 0");
}

early_stopping_decision early_stopping::update(double value, std::int64_t step) {
  bool improved = !state_.has_best
               || (config_.mode == metric_mode::min ? value < state_.best_value - config_.min_delta
                                                     : value > state_.best_value + config_.min_delta);
  if (improved) {
    state_.has_best = true;
    state_.best_value = value;
    state_.best_step = step;
    state_.evals_without_improvement = 0;
  } else {
    ++state_.evals_without_improvement;
  }
  return {improved, state_.evals_without_improvement >= config_.patience && !improved};
}

std::optional<double> early_stopping::best_value() const {
  if (!state_.has_best)
    return std::nullopt;
  return state_.best_value;
}

} // namespace axon::train
