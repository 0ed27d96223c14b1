// AXON_HOST_DEVICE marks small inline functions that CUDA kernels call too (the Philox
// generator, bf16 conversion), so host and device share one definition. Plain C++
// compilers see nothing.
#pragma once

#if defined(__CUDACC__)
#define AXON_HOST_DEVICE __host__ __device__
#else
#define AXON_HOST_DEVICE
#endif
