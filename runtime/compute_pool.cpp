// compute_pool: fork-join over a fixed set of sleeping worker threads.
#include "runtime/compute_pool.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

namespace axon {

namespace {

thread_local compute_pool* installed_pool = nullptr;
thread_local bool inside_chunk = false;

} // namespace

compute_pool::compute_pool(int threads) {
  if (threads < 1)
    throw std::invalid_argument("compute_pool: threads must be >= 1, got "
                                + std::to_string(threads));
  for (int i = 1; i < threads; ++i)
    workers_.emplace_back([this, i] { worker_loop(i); });
}

compute_pool::~compute_pool() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_)
    w.join();
}

void compute_pool::run(std::int64_t n, std::int64_t grain, const range_fn& fn) {
  if (n <= 0)
    return;
  auto max_chunks = std::max<std::int64_t>(1, n / std::max<std::int64_t>(grain, 1));
  auto chunks = std::min<std::int64_t>(threads(), max_chunks);
  if (chunks == 1 || inside_chunk) {
    fn(0, n);
    return;
  }
  // Chunk c covers [c*n/chunks, (c+1)*n/chunks): sizes differ by at most one.
  auto bound = [&](std::int64_t c) { return c * n / chunks; };
  {
    std::lock_guard guard{mutex_};
    job_ = &fn;
    chunks_.assign(workers_.size(), {0, 0});
    for (std::int64_t c = 1; c < chunks; ++c)
      chunks_[c - 1] = {bound(c), bound(c + 1)};
    pending_ = static_cast<int>(chunks - 1);
    ++generation_;
  }
  wake_.notify_all();
  inside_chunk = true;
  std::exception_ptr failure;
  try {
    fn(0, bound(1));
  } catch (...) {
    failure = std::current_exception();
  }
  inside_chunk = false;
  std::unique_lock lock{mutex_};
  done_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
  if (failure)
    std::rethrow_exception(failure);
}

void compute_pool::worker_loop(int index) {
  std::uint64_t seen = 0;
  inside_chunk = true;
  for (;;) {
    std::pair<std::int64_t, std::int64_t> range;
    const range_fn* job;
    {
      std::unique_lock lock{mutex_};
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_)
        return;
      seen = generation_;
      range = chunks_[index - 1];
      job = job_;
    }
    if (range.first < range.second) {
      // Ops validate their arguments before splitting, so a chunk does not throw;
      // if one does anyway, the process ends rather than leave the caller waiting.
      (*job)(range.first, range.second);
      std::lock_guard guard{mutex_};
      if (--pending_ == 0)
        done_.notify_one();
    }
  }
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

} // namespace axon

namespace axon {

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
