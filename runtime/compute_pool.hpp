// compute_pool: Axon's own compute threads, one per requested core. The calling thread
// works too, so a pool of N threads starts N-1 workers; idle workers sleep on a
// condition variable (no spinning). Ops split their loops with axon::parallel_for, which
// uses the pool installed for the calling thread (compute_pool::scope) or runs inline.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace axon {

class compute_pool {
public:
  /// Work on [begin, end) of an index range.
  using range_fn = std::function<void(std::int64_t begin, std::int64_t end)>;

  explicit compute_pool(int threads);
  ~compute_pool();
  compute_pool(const compute_pool&) = delete;
  compute_pool& operator=(const compute_pool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  /// Splits [0, n) into at most threads() contiguous chunks of at least `grain`
  /// indices each and runs them concurrently; returns when all are done. Not reentrant:
  /// a call from inside a chunk runs inline.
  void run(std::int64_t n, std::int64_t grain, const range_fn& fn);

  /// Installs a pool for the current thread for the lifetime of the scope.
  class scope {
  public:
    explicit scope(compute_pool* pool);
    ~scope();
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;

  private:
    compute_pool* previous_;
  };
  /// The pool installed for this thread, or nullptr.
  static compute_pool* current();

private:
  void worker_loop(int index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const range_fn* job_ = nullptr;
  std::vector<std::pair<std::int64_t, std::int64_t>> chunks_; // chunk i for worker i-1
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stopping_ = false;
};

/// Runs fn over [0, n) on the current thread's pool (inline when there is none).
void parallel_for(std::int64_t n, std::int64_t grain, const compute_pool::range_fn& fn);

/// Like parallel_for, for loops that also sum `width` values over their indices (e.g. a
/// bias gradient over rows): each chunk adds into its own zeroed double buffer `partial`,
/// and the buffers are added in index order afterwards, so the result does not depend on
/// thread timing. Returns the `width` totals.
using accumulate_fn =
  std::function<void(std::int64_t begin, std::int64_t end, double* partial)>;
std::vector<double> parallel_accumulate(std::int64_t n, std::int64_t grain, std::int64_t width,
                                        const accumulate_fn& fn);

} // namespace axon
