// log_window: the steps between two "train" lines of metrics.jsonl, for both supervisors:
// the mean of the losses known (a step applied during a recovery has none), and the tokens
// per second over the window.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace axon {

struct log_window {
  double loss_sum = 0, tokens = 0, seconds = 0;
  std::int64_t losses = 0; // steps whose loss is known

  void add(double loss, double step_tokens, double step_seconds) {
    if (!std::isnan(loss)) {
      loss_sum += loss;
      ++losses;
    }
    tokens += step_tokens;
    seconds += step_seconds;
  }
  bool has_loss() const { return losses > 0; }
  double mean_loss() const { return loss_sum / double(losses); }
  double tokens_per_s() const { return tokens / std::max(seconds, 1e-9); }
  void reset() { *this = {}; }
};

} // namespace axon
