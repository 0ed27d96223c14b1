// Size classes and free lists of the device caching allocator (no CUDA calls here).
#include "runtime/cuda/caching_allocator.hpp"

#include <new>
#include <stdexcept>

namespace axon::cuda {

namespace {

constexpr std::size_t small_granule = 512;            // cudaMalloc aligns to 256 B anyway
constexpr std::size_t small_limit = std::size_t{1} << 20; // 1 MiB
constexpr std::size_t large_granule = std::size_t{2} << 20; // 2 MiB

std::size_t round_up(std::size_t bytes, std::size_t granule) {
  return (bytes + granule - 1) / granule * granule;
}

} // namespace

caching_allocator::caching_allocator(raw_allocate allocate, raw_free free)
  : raw_allocate_(std::move(allocate)), raw_free_(std::move(free)) {
}

caching_allocator::~caching_allocator() {
  std::lock_guard lock{mutex_};
  release_cached_locked();
}

std::size_t caching_allocator::size_class(std::size_t bytes) {
  if (bytes <= small_limit)
    return round_up(bytes == 0 ? 1 : bytes, small_granule);
  return round_up(bytes, large_granule);
}

void* caching_allocator::allocate(std::size_t bytes, stream_id stream) {
  const auto size = size_class(bytes);
  std::lock_guard lock{mutex_};
  auto list = free_lists_.find({stream, size});
  if (list != free_lists_.end() && !list->second.empty()) {
    void* data = list->second.back();
    list->second.pop_back();
    stats_.cached_bytes -= size;
    stats_.in_use_bytes += size;
    ++stats_.cache_hits;
    in_use_.emplace(data, block{size, stream});
    return data;
  }
  auto try_raw = [&]() -> void* {
    try {
      return raw_allocate_(size);
    } catch (const std::exception&) {
      return nullptr;
    }
  };
  void* data = try_raw();
  if (data == nullptr && release_cached_locked() > 0)
    data = try_raw();
  if (data == nullptr)
    throw std::bad_alloc{};
  ++stats_.raw_allocations;
  stats_.in_use_bytes += size;
  in_use_.emplace(data, block{size, stream});
  return data;
}

void caching_allocator::deallocate(void* data) {
  std::lock_guard lock{mutex_};
  auto found = in_use_.find(data);
  if (found == in_use_.end())
    throw std::invalid_argument("caching_allocator::deallocate: pointer was not allocated here"
                                " or was already freed");
  auto [size, stream] = found->second;
  in_use_.erase(found);
  free_lists_[{stream, size}].push_back(data);
  stats_.in_use_bytes -= size;
  stats_.cached_bytes += size;
}

std::size_t caching_allocator::release_cached() {
  std::lock_guard lock{mutex_};
  return release_cached_locked();
}

std::size_t caching_allocator::release_cached_locked() {
  std::size_t released = 0;
  for (auto& [key, blocks] : free_lists_) {
    for (void* data : blocks)
      raw_free_(data);
    released += key.second * blocks.size();
  }
  free_lists_.clear();
  stats_.cached_bytes = 0;
  return released;
}

caching_allocator::statistics caching_allocator::stats() const {
  std::lock_guard lock{mutex_};
  return stats_;
}

} // namespace axon::cuda
