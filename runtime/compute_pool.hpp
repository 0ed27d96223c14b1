// compute_pool: Axon's own compute threads, one per requested core. Loops split by
// parallel_for run as jobs of fixed chunks: the calling thread works through its own
// job's chunks while idle workers take chunks too. Several threads may run jobs at once
// (e.g. two pipeline-stage actors): a worker only joins in while fewer than threads()
// threads are computing, so the pool never oversubscribes the cores, and a lone busy
// stage gets every core. An idle worker watches for the next job for up to 50 us before it
// sleeps on a condition variable: the ops of one forward pass post jobs microseconds
// apart, and waking a sleeping thread costs tens of microseconds on a VM (a one-sentence
// serving request: p50 1.21 -> 1.00 ms; training unchanged, docs/benchmarks.md). It
// watches only while it could join (fewer than threads() computing), so it never spins
// beside a full pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
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
  /// Splits [0, n) into chunks of at least `grain` indices (at most 2 per thread; the
  /// boundaries depend only on n, grain and threads()) and runs them; returns when all
  /// are done. A call from inside a chunk runs inline.
  void run(std::int64_t n, std::int64_t grain, const range_fn& fn);

  /// Marks the current thread as computing for the lifetime of the section (a stage
  /// actor handling a message), so that workers do not add a thread beyond threads().
  class busy_section {
  public:
    explicit busy_section(compute_pool* pool);
    ~busy_section();
    busy_section(const busy_section&) = delete;
    busy_section& operator=(const busy_section&) = delete;

  private:
    compute_pool* pool_;
  };

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
  struct job {
    const range_fn* fn = nullptr;
    std::int64_t n = 0, chunks = 0;
    std::int64_t next = 0; // first unclaimed chunk
    std::int64_t done = 0; // finished chunks
    std::exception_ptr failure;
    std::int64_t bound(std::int64_t chunk) const { return chunk * n / chunks; }
  };

  void worker_loop();
  void watch_for_a_job(std::unique_lock<std::mutex>& lock); // up to 50 us, lock released
  void stop_workers(); // sets stopping_, wakes and joins every worker
  /// Runs chunk `k` of `j` outside the lock; records a failure instead of throwing.
  void run_chunk(job& j, std::int64_t k, std::unique_lock<std::mutex>& lock);
  job* claimable_job(); // a job with unclaimed chunks, or nullptr (lock held)
  void enter_busy();
  void leave_busy();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;     // workers: a job arrived or a thread stopped computing
  std::condition_variable finished_; // callers: a chunk of some job finished
  std::list<job> jobs_;
  std::atomic<std::uint64_t> posted_{0}; // jobs posted so far: what a watching worker sees
  int busy_ = 0; // threads computing: callers in run() or a busy_section, workers in chunks
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

namespace axon {

/// The cores this process may use (at least 1).
int core_count();

/// The process's compute pool, shared by every actor that computes (created on first use
/// with set_process_compute_threads' count, default: all cores).
compute_pool& process_compute_pool();
/// Sets the thread count of the process pool; only before its first use.
void set_process_compute_threads(int threads);

} // namespace axon
