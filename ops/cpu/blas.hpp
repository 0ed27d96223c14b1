// The BLAS library behind the CPU ops (OpenBLAS) and the choice of its GEMM kernels.
//
// OpenBLAS's DYNAMIC_ARCH build picks a kernel set ("core") from its own table of CPU
// models when it loads; a CPU newer than the table (0.3.21 names an Emerald Rapids Xeon
// "Prescott") gets SSE3 kernels, 5x slower than its AVX-512 ones. Axon therefore decides
// from the CPU's features instead: when OpenBLAS's core is below the instruction set the
// CPU runs, it re-runs OpenBLAS's own initialisation with the core named (see
// docs/benchmarks.md, "GEMM kernels", for the measurements behind this).
#pragma once

#include "ops/cpu/cpu_features.hpp"

#include <string>
#include <string_view>

namespace axon::ops {

/// The instruction set of an OpenBLAS core's kernels: e.g. Prescott generic, Sandybridge
/// avx, Haswell and Zen avx2, SkylakeX and Cooperlake avx512 (case-insensitive; unknown
/// names are generic).
isa_level openblas_core_level(std::string_view core);

struct gemm_core_choice {
  std::string core;   // the core to run
  std::string reason; // why, for the log
};

/// The decision alone, without side effects: keep OpenBLAS's `openblas_core` when its
/// kernels reach the CPU's level (it knows its cores' blocking better), else the best core
/// for the CPU's features (SkylakeX, Haswell, Sandybridge). When the user
/// named a core (`forced`, from OPENBLAS_CORETYPE), keep it.
gemm_core_choice choose_gemm_core(const cpu_features& cpu, std::string_view openblas_core,
                                  bool forced);

/// Re-runs OpenBLAS's kernel selection with `core` named (OpenBLAS reads its
/// OPENBLAS_CORETYPE only while it initialises). Returns false where OpenBLAS is not a
/// DYNAMIC_ARCH build (its core is then fixed). Call before other threads use BLAS.
bool switch_openblas_core(const std::string& core);

/// The core OpenBLAS runs now, e.g. "SkylakeX".
std::string openblas_core();

/// E.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
std::string openblas_config();

/// Makes every BLAS call run on its calling thread only (Axon splits work over its own
/// compute threads, so a second pool would compete for the cores).
void use_single_threaded_blas();

} // namespace axon::ops
