#include "runtime/thread_probe.hpp"

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace axon {

std::string probe_threads(int count, std::string_view key, long long key_value) {
  std::mutex mutex;
  std::condition_variable release;
  bool released = false;
  std::vector<std::thread> threads;
  threads.reserve(count > 0 ? std::size_t(count) : 0);
  std::string problem;
  for (int i = 0; i < count && problem.empty(); ++i) {
    try {
      threads.emplace_back([&] {
        std::unique_lock lock{mutex};
        release.wait(lock, [&] { return released; });
      });
    } catch (const std::system_error& e) {
      problem = "this process cannot start " + std::to_string(count) + " threads (only "
                + std::to_string(i) + " started: " + e.what() + "); " + std::string{key}
                + " = " + std::to_string(key_value) + " asks for them: lower it (0: one per core)"
                " or raise the process's memory or thread limit";
    }
  }
  {
    std::lock_guard lock{mutex};
    released = true;
  }
  release.notify_all();
  for (auto& t : threads)
    t.join();
  return problem;
}

} // namespace axon
