// job_run's console control: pause, resume, checkpoint, set train.lr, scale shards (its
// work in job_scale.cpp), join and leave of a node (job_nodes.cpp) and stop arrive as
// messages (console_control.cpp sends them; a leaving node's through its cluster session)
// and are handled between steps, each answered with a line of text or an error saying what
// to fix. See job_run.hpp.
#include "actors/jobs/job_run.hpp"

#include "actors/cluster/atoms.hpp"
#include "actors/jobs/messages.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <iostream>

namespace axon {

namespace {

// The text of a request carried out, or the error saying why it was refused.
caf::result<std::string> answer(caf::expected<std::string> done) {
  if (!done)
    return done.error();
  return std::move(*done);
}

} // namespace

caf::error job_run::between_steps() {
  bool waiting = true;
  while (waiting && !control_failure_) {
    if (paused_ && !stop_requested_) {
      note_state(monitor::activity::idle);
      receive_control();
    } else {
      receive_control(caf::after(std::chrono::seconds(0)) >> [&] { waiting = false; });
    }
  }
  note_state(monitor::activity::busy);
  return std::move(control_failure_);
}

// Receives one control message; `timeout` (optional) ends the wait.
template <class... Timeout>
void job_run::receive_control(Timeout&&... timeout) {
  auto at_step = [this] { return " at step " + std::to_string(step_); };
  self_->receive(
    [this, at_step](pause_atom) {
      count_message();
      paused_ = true;
      publish_details();
      return "paused" + at_step();
    },
    [this, at_step](resume_atom) {
      count_message();
      paused_ = false;
      publish_details();
      return "resumed" + at_step();
    },
    [this](checkpoint_atom) -> caf::result<std::string> {
      count_message();
      auto saved = recovering([this] { return save(false); });
      publish_details();
      if (!saved) {
        control_failure_ = saved.error();
        return saved.error();
      }
      return "checkpoint written: " + last_checkpoint_;
    },
    [this, at_step](set_atom, const std::string& key, double value) -> caf::result<std::string> {
      count_message();
      if (key != "train.lr")
        return make_error(errc::bad_input, "only train.lr can be set while training, not " + key);
      if (!(value > 0 && value <= 1))
        return make_error(errc::bad_input,
                          "train.lr must be in (0, 1], got " + std::to_string(value));
      schedule_.base_lr = value;
      log_->append({{"event", "set"}, {"step", step_}, {"key", key}, {"value", value}});
      std::cerr << "console: train.lr = " << value << " from step " << step_ + 1 << '\n';
      publish_details();
      return "train.lr = " + std::to_string(value) + at_step()
             + " (peak rate, from the next step)";
    },
    [this](scale_atom, std::int32_t shards) -> caf::result<std::string> {
      count_message();
      return answer(scale(shards));
    },
    [this](join_atom, const std::string& node) -> caf::result<std::string> {
      count_message();
      return answer(join(node));
    },
    // From the console, or from the node itself on SIGTERM (through the cluster session).
    [this](leave_atom, const std::string& node) -> caf::result<std::string> {
      count_message();
      return answer(leave(node));
    },
    [this, at_step](stop_atom) {
      count_message();
      stop_requested_ = true;
      return "stopping" + at_step() + " with a final checkpoint";
    },
    std::forward<Timeout>(timeout)...);
}

caf::error job_run::stop_now() {
  auto saved = recovering([this] { return save(false); });
  if (!saved)
    return saved.error();
  log_->append({{"event", "stop"}, {"step", step_}, {"checkpoint", last_checkpoint_}});
  close_logs();
  std::cerr << "stopped by the console at step " << step_ << "; final checkpoint "
            << last_checkpoint_ << "; continue with: axon " << kind_.command() << " --resume "
            << plan_.run_dir << '\n';
  return caf::none;
}

} // namespace axon
