// Which kernels the CPU ops run on this machine, chosen once per process from the CPU's
// features: OpenBLAS's GEMM core (blas.hpp) and the level of Axon's own loops
// (simd_kernels.hpp). Two environment variables override the choice, for tests and for
// ruling a kernel out: OPENBLAS_CORETYPE (an OpenBLAS core name, read by OpenBLAS itself)
// and AXON_SIMD (generic, avx2 or avx512). Asking for kernels the CPU cannot run is an
// error, never a crash.
#pragma once

#include "ops/cpu/cpu_features.hpp"

#include <string>

namespace axon::ops {

struct cpu_kernels_report {
  std::string cpu_model;       // CPUID brand string
  std::string cpu_flags;       // the extensions that decide (cpu_features::flags)
  isa_level cpu_level;         // the highest level the CPU runs
  std::string gemm_core;       // OpenBLAS core in use, e.g. "SkylakeX"
  isa_level gemm_level;        // its kernels' instruction set
  std::string gemm_reason;     // why this core
  std::string blas_config;     // openblas_get_config()
  isa_level simd_level;        // Axon's own loops
  std::string simd_reason;     // why this level
  /// Non-empty when a kernel runs below what the CPU has: what is slow and how to fix it.
  std::string warning;
  /// One line for logs, e.g. "CPU AMD EPYC ... (avx512): GEMM OpenBLAS core Cooperlake
  /// (avx512, OpenBLAS's choice), own loops avx512".
  std::string summary() const;
};

/// Chooses the kernels on first call (thread-safe; call it at start-up, before other
/// threads use BLAS) and returns the report. It also makes BLAS single-threaded (Axon
/// splits work over its own compute threads). Throws op_error when OPENBLAS_CORETYPE or
/// AXON_SIMD asks for kernels this CPU cannot run, or AXON_SIMD is not a level name.
const cpu_kernels_report& cpu_kernels();

} // namespace axon::ops
