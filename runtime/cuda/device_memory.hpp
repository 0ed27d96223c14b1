// Device memory management visible to users of the CUDA build: give cached blocks back
// to the driver (e.g. before another process needs the GPU) and read the counters.
#pragma once

#include "runtime/cuda/caching_allocator.hpp"

namespace axon::cuda {

/// Frees the cached (unused) blocks of device `device_index`; returns the bytes released.
std::size_t release_cached_memory(int device_index);
/// The allocator counters of device `device_index`.
caching_allocator::statistics memory_statistics(int device_index);

} // namespace axon::cuda
