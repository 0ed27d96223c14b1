// Double-buffered staging through pinned host memory.
#include "runtime/cuda/pinned_stager.hpp"

#include "runtime/cuda/check.hpp"

#include <algorithm>
#include <cstring>

namespace axon::cuda {

pinned_stager::pinned_stager(std::size_t chunk_bytes) : chunk_bytes_(chunk_bytes) {
  for (auto& buffer : buffers_)
    AXON_CUDA_CHECK(cudaMallocHost(&buffer, chunk_bytes_));
}

pinned_stager::~pinned_stager() {
  for (auto* buffer : buffers_)
    if (buffer != nullptr)
      cudaFreeHost(buffer);
}

void pinned_stager::to_device(void* dst, const void* src, std::size_t bytes, cudaStream_t on) {
  auto* out = static_cast<char*>(dst);
  const auto* in = static_cast<const char*>(src);
  for (std::size_t offset = 0, chunk = 0; offset < bytes; offset += chunk_bytes_, ++chunk) {
    auto k = chunk % 2;
    auto n = std::min(chunk_bytes_, bytes - offset);
    done_[k].synchronize(); // the buffer's previous transfer has read it
    std::memcpy(buffers_[k], in + offset, n);
    AXON_CUDA_CHECK(cudaMemcpyAsync(out + offset, buffers_[k], n, cudaMemcpyHostToDevice, on));
    done_[k].record(on);
  }
  AXON_CUDA_CHECK(cudaStreamSynchronize(on));
}

void pinned_stager::to_host(void* dst, const void* src, std::size_t bytes, cudaStream_t on) {
  auto* out = static_cast<char*>(dst);
  const auto* in = static_cast<const char*>(src);
  // Chunk i is queued before chunk i-1 is copied out of its buffer, so the two overlap.
  auto drain = [&](std::size_t chunk) {
    auto offset = chunk * chunk_bytes_;
    done_[chunk % 2].synchronize();
    std::memcpy(out + offset, buffers_[chunk % 2], std::min(chunk_bytes_, bytes - offset));
  };
  std::size_t chunks = (bytes + chunk_bytes_ - 1) / chunk_bytes_;
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    auto offset = chunk * chunk_bytes_;
    auto n = std::min(chunk_bytes_, bytes - offset);
    AXON_CUDA_CHECK(
      cudaMemcpyAsync(buffers_[chunk % 2], in + offset, n, cudaMemcpyDeviceToHost, on));
    done_[chunk % 2].record(on);
    if (chunk > 0)
      drain(chunk - 1);
  }
  if (chunks > 0)
    drain(chunks - 1);
}

} // namespace axon::cuda
