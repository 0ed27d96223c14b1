// compute_pool: chunked jobs shared between their callers and sleeping workers.
#include "runtime/compute_pool.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

namespace axon {

namespace {

thread_local compute_pool* installed_pool = nullptr;
thread_local bool inside_chunk = false; // nested parallel_for runs inline
thread_local int busy_depth = 0;        // > 0: this thread already counts as computing

// Two chunks per thread even out uneven progress between threads; more would cost more
// than they save (each BLAS call packs its whole weight matrix again).
constexpr std::int64_t chunks_per_thread = 2;

// How long an idle worker watches for the next job before it sleeps (compute_pool.hpp).
constexpr auto watch_before_sleep = std::chrono::microseconds{50};

} // namespace

compute_pool::compute_pool(int threads) {
  if (threads < 1)
    throw std::invalid_argument("compute_pool: threads must be >= 1, got "
                                + std::to_string(threads));
  try {
    for (int i = 1; i < threads; ++i)
      workers_.emplace_back([this] { worker_loop(); });
  } catch (...) { // a thread that cannot start: the destructor does not run, stop here
    stop_workers();
    throw;
  }
}

compute_pool::~compute_pool() {
  stop_workers();
}

void compute_pool::stop_workers() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_)
    w.join();
}

void compute_pool::enter_busy() {
  if (busy_depth++ == 0) {
    std::lock_guard guard{mutex_};
    ++busy_;
  }
}

void compute_pool::leave_busy() {
  if (--busy_depth == 0) {
    {
      std::lock_guard guard{mutex_};
      --busy_;
    }
    wake_.notify_one();
  }
}

compute_pool::job* compute_pool::claimable_job() {
  for (auto& j : jobs_)
    if (j.next < j.chunks)
      return &j;
  return nullptr;
}

void compute_pool::run_chunk(job& j, std::int64_t k, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  std::exception_ptr failure;
  bool was_inside = inside_chunk;
  inside_chunk = true;
  try {
    (*j.fn)(j.bound(k), j.bound(k + 1));
  } catch (...) {
    failure = std::current_exception();
  }
  inside_chunk = was_inside;
  lock.lock();
  if (failure && !j.failure)
    j.failure = failure;
  ++j.done;
}

void compute_pool::run(std::int64_t n, std::int64_t grain, const range_fn& fn) {
  if (n <= 0)
    return;
  auto by_grain = std::max<std::int64_t>(1, n / std::max<std::int64_t>(grain, 1));
  auto chunks = std::min<std::int64_t>(threads() * chunks_per_thread, by_grain);
  if (chunks == 1 || inside_chunk || threads() == 1) {
    fn(0, n);
    return;
  }
  enter_busy();
  std::unique_lock lock{mutex_};
  auto& mine = jobs_.emplace_back();
  mine.fn = &fn;
  mine.n = n;
  mine.chunks = chunks;
  posted_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  while (mine.next < mine.chunks)
    run_chunk(mine, mine.next++, lock);
  finished_.wait(lock, [&] { return mine.done == mine.chunks; });
  auto failure = mine.failure;
  jobs_.remove_if([&](const job& j) { return &j == &mine; });
  lock.unlock();
  leave_busy();
  if (failure)
    std::rethrow_exception(failure);
}

void compute_pool::watch_for_a_job(std::unique_lock<std::mutex>& lock) {
  const auto seen = posted_.load(std::memory_order_acquire);
  lock.unlock();
  const auto until = std::chrono::steady_clock::now() + watch_before_sleep;
  while (posted_.load(std::memory_order_acquire) == seen
         && std::chrono::steady_clock::now() < until) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause(); // the sibling hyper-thread keeps the core meanwhile
#endif
  }
  lock.lock();
}

void compute_pool::worker_loop() {
  std::unique_lock lock{mutex_};
  for (;;) {
    if (!stopping_ && busy_ < threads() && claimable_job() == nullptr)
      watch_for_a_job(lock);
    wake_.wait(lock, [&] {
      return stopping_ || (claimable_job() != nullptr && busy_ < threads());
    });
    if (stopping_)
      return;
    auto* j = claimable_job();
    ++busy_;
    run_chunk(*j, j->next++, lock);
    --busy_;
    finished_.notify_all();
  }
}

compute_pool::busy_section::busy_section(compute_pool* pool) : pool_(pool) {
  if (pool_)
    pool_->enter_busy();
}

compute_pool::busy_section::~busy_section() {
  if (pool_)
    pool_->leave_busy();
}

compute_pool::scope::scope(compute_pool* pool) : previous_(installed_pool) {
  installed_pool = pool;
}

compute_pool::scope::~scope() {
  installed_pool = previous_;
}

compute_pool* compute_pool::current() {
  return installed_pool;
}

void parallel_for(std::int64_t n, std::int64_t grain, const compute_pool::range_fn& fn) {
  if (auto* pool = compute_pool::current())
    pool->run(n, grain, fn);
  else if (n > 0)
    fn(0, n);
}

std::vector<double> parallel_accumulate(std::int64_t n, std::int64_t grain, std::int64_t width,
                                        const accumulate_fn& fn) {
  std::map<std::int64_t, std::vector<double>> partials; // by chunk start: index order
  std::mutex partials_mutex;
  parallel_for(n, grain, [&](std::int64_t begin, std::int64_t end) {
    std::vector<double> partial(width, 0.0);
    fn(begin, end, partial.data());
    std::lock_guard guard{partials_mutex};
    partials.emplace(begin, std::move(partial));
  });
  std::vector<double> total(width, 0.0);
  for (auto& [begin, partial] : partials)
    for (std::int64_t i = 0; i < width; ++i)
      total[i] += partial[i];
  return total;
}

} // namespace axon

namespace axon {

namespace {

int process_threads = 0; // 0: all cores

} // namespace

int core_count() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

compute_pool& process_compute_pool() {
  static compute_pool pool{process_threads > 0 ? process_threads : core_count()};
  return pool;
}

void set_process_compute_threads(int threads) {
  if (threads < 1)
    throw std::invalid_argument("compute threads must be >= 1");
  process_threads = threads;
}

} // namespace axon
