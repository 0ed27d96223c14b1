// Caching allocator for device memory: freed blocks go to a free list keyed by
// (stream, size class) and are handed out again without calling the raw allocator
// (cudaMalloc and cudaFree synchronise the device, so a training step must not call them).
// The raw functions are injected, so this bookkeeping is plain C++ and tested on the CPU;
// runtime/cuda/device_backend.cpp plugs in cudaMalloc/cudaFree, one allocator per device.
//
// Streams: a block freed by work on stream S is only reused for allocations on S, where
// the stream's order makes the reuse safe (the PyTorch rule). Using a block on another
// stream needs an event between the streams (runtime/cuda/stream.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace axon::cuda {

class caching_allocator {
public:
  /// Raw allocation: returns nullptr (or throws) when the device is out of memory.
  using raw_allocate = std::function<void*(std::size_t bytes)>;
  using raw_free = std::function<void(void* data)>;
  /// An opaque stream identity (a cudaStream_t's value; 0 for the default stream).
  using stream_id = std::uintptr_t;

  struct statistics {
    std::size_t in_use_bytes = 0;  // size-class bytes handed out and not yet freed
    std::size_t cached_bytes = 0;  // bytes on the free lists
    std::size_t raw_allocations = 0; // calls to raw_allocate that succeeded
    std::size_t cache_hits = 0;    // allocations served from a free list
  };

  caching_allocator(raw_allocate allocate, raw_free free);
  /// Returns every cached block to the raw allocator. Blocks still in use are not freed
  /// (their storage outlives the allocator only through a programming error).
  ~caching_allocator();
  caching_allocator(const caching_allocator&) = delete;
  caching_allocator& operator=(const caching_allocator&) = delete;

  /// Bytes actually reserved for a request: multiples of 512 B up to 1 MiB, of 2 MiB above
  /// (few distinct classes for the fixed shapes of training, at most 2 MiB lost per block).
  static std::size_t size_class(std::size_t bytes);

  /// A block of at least `bytes` (0 gives a 512 B block) for work on `stream`. On a miss
  /// calls raw_allocate; if that fails, releases the cache and tries once more, then throws
  /// std::bad_alloc.
  void* allocate(std::size_t bytes, stream_id stream = 0);
  /// Puts a block from allocate() back on its stream's free list; throws
  /// std::invalid_argument for a pointer this allocator did not hand out.
  void deallocate(void* data);
  /// Frees every cached (unused) block through raw_free; returns the bytes released.
  std::size_t release_cached();
  statistics stats() const;

private:
  struct block {
    std::size_t bytes;
    stream_id stream;
  };
  std::size_t release_cached_locked();

  raw_allocate raw_allocate_;
  raw_free raw_free_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, block> in_use_;
  std::map<std::pair<stream_id, std::size_t>, std::vector<void*>> free_lists_;
  statistics stats_;
};

} // namespace axon::cuda
