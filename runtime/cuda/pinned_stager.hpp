// Host <-> device copies of ordinary (pageable) host memory through two pinned buffers:
// the DMA engine reads and writes pinned memory at full speed, and the memcpy of one chunk
// into (or out of) its buffer overlaps the transfer of the other chunk.
#pragma once

#include "runtime/cuda/stream.hpp"

#include <array>
#include <cstddef>

namespace axon::cuda {

class pinned_stager {
public:
  /// Two pinned buffers of `chunk_bytes` each (cudaMallocHost).
  explicit pinned_stager(std::size_t chunk_bytes = std::size_t{8} << 20);
  ~pinned_stager();
  pinned_stager(const pinned_stager&) = delete;
  pinned_stager& operator=(const pinned_stager&) = delete;

  /// dst (device) <- src (host), queued on `on` after its earlier work; complete on return.
  void to_device(void* dst, const void* src, std::size_t bytes, cudaStream_t on);
  /// dst (host) <- src (device), queued on `on` after its earlier work; complete on return.
  void to_host(void* dst, const void* src, std::size_t bytes, cudaStream_t on);

private:
  std::size_t chunk_bytes_;
  std::array<void*, 2> buffers_{};
  std::array<event, 2> done_; // done_[k]: the last transfer through buffers_[k] has run
};

} // namespace axon::cuda
