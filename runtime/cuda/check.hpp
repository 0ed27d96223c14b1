// CUDA runtime errors as exceptions: AXON_CUDA_CHECK(cudaMalloc(&p, n)) throws
// std::runtime_error("cudaMalloc(&p, n) failed: out of memory (runtime/cuda/x.cpp:12)").
#pragma once

#include <cuda_runtime_api.h>

namespace axon::cuda {

/// Throws std::runtime_error naming `call`, the CUDA error string and the place, unless
/// `status` is cudaSuccess. A missing device or driver gets a hint on what to check.
void check(cudaError_t status, const char* call, const char* file, int line);

/// The number of CUDA devices; 0 when there is no device or no driver (never throws).
int device_count();

/// Throws std::runtime_error unless device `index` exists ("cuda:1 does not exist: this
/// machine has 1 CUDA device(s)").
void require_device(int index);

} // namespace axon::cuda

#define AXON_CUDA_CHECK(call) ::axon::cuda::check((call), #call, __FILE__, __LINE__)
