// The CUDA device backend: device storage from one caching allocator per device, copies
// (host <-> device through pinned staging, device <-> device directly) on the calling
// thread's current stream (runtime/cuda/stream.hpp), complete on return.
#include "runtime/device_backend.hpp"

#include "runtime/cuda/caching_allocator.hpp"
#include "runtime/cuda/check.hpp"
#include "runtime/cuda/device_memory.hpp"
#include "runtime/cuda/pinned_stager.hpp"
#include "runtime/cuda/stream.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace axon {

namespace {

// Makes device `index` current for a scope (cudaMalloc and kernels use the current one).
class device_scope {
public:
  explicit device_scope(int index) {
    AXON_CUDA_CHECK(cudaGetDevice(&previous_));
    if (index != previous_)
      AXON_CUDA_CHECK(cudaSetDevice(index));
  }
  ~device_scope() { cudaSetDevice(previous_); }

private:
  int previous_ = 0;
};

// One allocator per device, created on first use; never destroyed (storage freed during
// static destruction must still find its allocator).
cuda::caching_allocator& allocator_for(int index) {
  static std::mutex mutex;
  static auto* allocators = new std::vector<std::unique_ptr<cuda::caching_allocator>>();
  std::lock_guard lock{mutex};
  if (allocators->empty())
    allocators->resize(cuda::device_count());
  cuda::require_device(index);
  auto& slot = (*allocators)[index];
  if (!slot)
    slot = std::make_unique<cuda::caching_allocator>(
      [index](std::size_t bytes) -> void* {
        device_scope scope{index};
        void* data = nullptr;
        if (cudaMalloc(&data, bytes) != cudaSuccess) {
          cudaGetLastError(); // out of memory is not sticky; the allocator retries
          return nullptr;
        }
        return data;
      },
      [index](void* data) {
        device_scope scope{index};
        cudaFree(data);
      });
  return *slot;
}

void free_device(void* data, device where) {
  allocator_for(where.index).deallocate(data);
}

cuda::pinned_stager& thread_stager() {
  thread_local cuda::pinned_stager stager;
  return stager;
}

} // namespace

namespace cuda {

std::size_t release_cached_memory(int device_index) {
  return allocator_for(device_index).release_cached();
}

caching_allocator::statistics memory_statistics(int device_index) {
  return allocator_for(device_index).stats();
}

} // namespace cuda

namespace device_backend {

std::shared_ptr<storage> allocate(std::size_t bytes, device where) {
  auto stream = reinterpret_cast<cuda::caching_allocator::stream_id>(cuda::current_stream());
  void* data = nullptr;
  try {
    data = allocator_for(where.index).allocate(bytes, stream);
  } catch (const std::bad_alloc&) {
    throw std::runtime_error("out of memory on " + where.to_string() + " allocating "
                             + std::to_string(bytes) + " bytes (after releasing the cache)");
  }
  return std::make_shared<storage>(data, bytes, where, free_device);
}

void copy(void* dst, device dst_where, const void* src, device src_where, std::size_t bytes) {
  cudaStream_t on = cuda::current_stream();
  if (dst_where.is_cpu() && src_where.is_cpu()) {
    std::memcpy(dst, src, bytes);
  } else if (src_where.is_cpu()) {
    device_scope scope{dst_where.index};
    thread_stager().to_device(dst, src, bytes, on);
  } else if (dst_where.is_cpu()) {
    device_scope scope{src_where.index};
    thread_stager().to_host(dst, src, bytes, on);
  } else {
    device_scope scope{src_where.index};
    AXON_CUDA_CHECK(
      cudaMemcpyPeerAsync(dst, dst_where.index, src, src_where.index, bytes, on));
    AXON_CUDA_CHECK(cudaStreamSynchronize(on));
  }
}

void zero(void* dst, device where, std::size_t bytes) {
  device_scope scope{where.index};
  cudaStream_t on = cuda::current_stream();
  AXON_CUDA_CHECK(cudaMemsetAsync(dst, 0, bytes, on));
  AXON_CUDA_CHECK(cudaStreamSynchronize(on));
}

} // namespace device_backend

} // namespace axon
