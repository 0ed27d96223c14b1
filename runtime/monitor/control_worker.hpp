// control_worker: carries out authorised control requests (pause, resume, checkpoint, set,
// stop) on a thread of its own, one at a time, so that a slow one (a checkpoint being
// written, a job stopping) never holds the endpoint's loop: the loop hands the request over
// and goes on serving everyone else; the reply comes back through a pipe the loop polls.
// A second control request while one is under way is answered "busy" at once.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace axon::monitor {

class control_worker {
public:
  using control_fn = std::function<nlohmann::json(const nlohmann::json& request)>;

  control_worker();
  ~control_worker(); // waits for a request under way
  control_worker(const control_worker&) = delete;
  control_worker& operator=(const control_worker&) = delete;

  /// Starts `control(request)` for client `id`; false when one is under way already.
  bool submit(std::uint64_t id, control_fn control, nlohmann::json request);
  /// Readable when a reply is ready.
  int ready_fd() const { return ready_[0]; }
  /// The finished reply and its client's id, if there is one.
  std::optional<std::pair<std::uint64_t, nlohmann::json>> take();

private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false, busy_ = false;
  std::uint64_t id_ = 0;
  control_fn control_;
  nlohmann::json request_;
  std::optional<std::pair<std::uint64_t, nlohmann::json>> done_;
  int ready_[2] = {-1, -1};
  std::thread thread_;
};

} // namespace axon::monitor
