// Host allocation for storage; device allocators plug in through storage::allocate.
#include "runtime/storage.hpp"

#include "runtime/device_backend.hpp"

#include <cstdlib>
#include <new>

namespace axon {

namespace {

constexpr std::size_t host_alignment = 64; // one cache line; AVX loads never split

void free_host(void* data, device) {
  std::free(data);
}

} // namespace

storage::storage(void* data, std::size_t bytes, device where, deleter free_fn)
  : data_(data), bytes_(bytes), where_(where), free_fn_(free_fn) {
}

storage::~storage() {
  if (data_ != nullptr && free_fn_ != nullptr)
    free_fn_(data_, where_);
}

std::shared_ptr<storage> storage::allocate_host(std::size_t bytes) {
  auto rounded = (bytes + host_alignment - 1) / host_alignment * host_alignment;
  void* data = std::aligned_alloc(host_alignment, rounded == 0 ? host_alignment : rounded);
  if (data == nullptr)
    throw std::bad_alloc{};
  return std::make_shared<storage>(data, bytes, device::cpu(), free_host);
}

std::shared_ptr<storage> storage::allocate(std::size_t bytes, device where) {
  if (where.is_cpu())
    return allocate_host(bytes);
  return device_backend::allocate(bytes, where);
}

} // namespace axon
