// Training progress line and its printer (see progress.hpp).
#include "runtime/train/progress.hpp"

#include <cmath>
#include <unistd.h>

namespace axon::train {

namespace {

/// Weight of the newest step in the smoothed step time and tokens/s.
constexpr double smoothing_weight = 0.1;

double smooth(const std::optional<double>& previous, double sample) {
  return previous ? (1 - smoothing_weight) * *previous + smoothing_weight * sample : sample;
}

} // namespace

std::string format_duration(double seconds) {
  auto whole = static_cast<long long>(std::isfinite(seconds) && seconds > 0 ? seconds : 0);
  long long hours = whole / 3600, minutes = whole / 60 % 60, secs = whole % 60;
  char text[48];
  if (hours > 0)
    std::snprintf(text, sizeof text, "%lldh%02lldm", hours, minutes);
  else if (minutes > 0)
    std::snprintf(text, sizeof text, "%lldm%02llds", minutes, secs);
  else
    std::snprintf(text, sizeof text, "%llds", secs);
  return text;
}

std::string format_progress(const progress_values& values) {
  char text[320];
  std::snprintf(text, sizeof text,
                "epoch %d/%d step %lld/%lld loss %.4f %.0f tok/s %.1f samples/s elapsed %s ETA %s",
                values.epoch, values.epoch_count, static_cast<long long>(values.step),
                static_cast<long long>(values.total_steps), values.loss, values.tokens_per_s,
                values.samples_per_s, format_duration(values.elapsed_s).c_str(),
                values.eta_s ? format_duration(*values.eta_s).c_str() : "?");
  return text;
}

progress_printer::progress_printer(std::FILE* out, bool is_terminal,
                                   std::int64_t plain_line_every_steps,
                                   std::function<clock::time_point()> now)
  : out_(out), is_terminal_(is_terminal),
    plain_line_every_steps_(plain_line_every_steps > 0 ? plain_line_every_steps : 1),
    now_(std::move(now)), start_(now_()) {}

void progress_printer::step_done(int epoch, int epoch_count, std::int64_t step,
                                 std::int64_t total_steps, double loss,
                                 std::int64_t step_tokens, std::int64_t step_samples) {
  auto step_end = now_();
  if (last_step_end_) {
    double step_s = std::chrono::duration<double>(step_end - *last_step_end_).count();
    smoothed_step_s_ = smooth(smoothed_step_s_, step_s);
    if (step_s > 0) {
      smoothed_tokens_per_s_ = smooth(smoothed_tokens_per_s_,
                                      static_cast<double>(step_tokens) / step_s);
      smoothed_samples_per_s_ = smooth(smoothed_samples_per_s_,
                                       static_cast<double>(step_samples) / step_s);
    }
  }
  last_step_end_ = step_end;

  last_values_ = {epoch, epoch_count, step, total_steps, loss,
                  smoothed_tokens_per_s_.value_or(0), smoothed_samples_per_s_.value_or(0),
                  std::chrono::duration<double>(step_end - start_).count(), std::nullopt};
  if (smoothed_step_s_)
    last_values_.eta_s = *smoothed_step_s_ * static_cast<double>(total_steps - step);

  std::string line = format_progress(last_values_);
  if (is_terminal_) {
    // "\033[K" clears what a longer previous line left on the right.
    std::fprintf(out_, "\r%s\033[K", line.c_str());
    line_open_ = true;
  } else if (step % plain_line_every_steps_ == 0 || step == total_steps) {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

void progress_printer::finish() {
  if (line_open_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    line_open_ = false;
  }
}

progress_printer progress_printer_for(std::FILE* out, std::int64_t plain_line_every_steps) {
  return progress_printer(out, ::isatty(::fileno(out)) == 1, plain_line_every_steps);
}

} // namespace axon::train
