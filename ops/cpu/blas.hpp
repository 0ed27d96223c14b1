// The BLAS library behind the CPU ops. Axon splits work over its own compute threads, so
// BLAS must run single-threaded inside each of them (no second pool competing for cores).
#pragma once

#include <string>

namespace axon::ops {

/// Makes every BLAS call run on its calling thread only. Call once at start-up.
void use_single_threaded_blas();

/// E.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (core Zen)".
std::string blas_description();

} // namespace axon::ops
