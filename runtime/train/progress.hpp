// The training progress line,
// "epoch 2/3 step 140/300 loss 0.4312 1234 tok/s 38.6 samples/s elapsed 1m05s ETA 1m12s":
// redrawn in place with '\r' on a terminal, printed as a plain line every N steps
// otherwise (logs, pipes). Rates and the ETA come from an exponentially smoothed step time;
// elapsed counts from the printer's creation (the start of this process's training loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace axon::train {

/// "45s", "1m12s", "2h03m" (whole seconds, rounded down; negative counts as 0).
std::string format_duration(double seconds);

struct progress_values {
  int epoch = 1;  // counted from 1
  int epoch_count = 1;
  std::int64_t step = 0;  // optimizer steps done
  std::int64_t total_steps = 0;
  double loss = 0;
  double tokens_per_s = 0;
  double samples_per_s = 0;
  double elapsed_s = 0;
  std::optional<double> eta_s;  // nullopt before a step time is known: "ETA ?"
};

/// "epoch 2/3 step 140/300 loss 0.4312 1234 tok/s 38.6 samples/s elapsed 1m05s ETA 1m12s"
std::string format_progress(const progress_values& values);

class progress_printer {
public:
  using clock = std::chrono::steady_clock;

  /// Writes to `out`; `is_terminal` picks '\r' redraws over plain lines (progress_printer_for
  /// decides it with isatty). Plain lines come every `plain_line_every_steps` steps and at
  /// the last step. `now` is the clock (tests inject one).
  progress_printer(std::FILE* out, bool is_terminal, std::int64_t plain_line_every_steps,
                   std::function<clock::time_point()> now = clock::now);

  /// Records that optimizer step `step` (counted from 1) of `total_steps` finished, having
  /// processed `step_tokens` tokens in `step_samples` examples, and prints the line if it
  /// is due. `epoch` is the epoch (counted from 1) that the step's batch belongs to.
  void step_done(int epoch, int epoch_count, std::int64_t step, std::int64_t total_steps,
                 double loss, std::int64_t step_tokens, std::int64_t step_samples);

  /// Ends a '\r' line with a newline so later output starts on a fresh line.
  void finish();

  /// The values of the last step_done (rates and ETA smoothed).
  const progress_values& last_values() const { return last_values_; }

private:
  std::FILE* out_;
  bool is_terminal_;
  std::int64_t plain_line_every_steps_;
  std::function<clock::time_point()> now_;
  clock::time_point start_;
  std::optional<clock::time_point> last_step_end_;
  std::optional<double> smoothed_step_s_;
  std::optional<double> smoothed_tokens_per_s_;
  std::optional<double> smoothed_samples_per_s_;
  bool line_open_ = false;  // a '\r' line is on screen without its newline
  progress_values last_values_;
};

/// A printer on `out` that redraws when `out` is a terminal.
progress_printer progress_printer_for(std::FILE* out, std::int64_t plain_line_every_steps);

} // namespace axon::train
