// What the CPU can execute, read from CPUID (with the OS's support for the vector
// registers' state, as GCC's __builtin_cpu_supports checks it), and the instruction-set
// levels Axon's CPU kernels are built for.
#pragma once

#include <string>
#include <string_view>

namespace axon::ops {

/// Instruction-set levels, lowest first. avx512 means F, BW, DQ and VL together (what
/// OpenBLAS's SkylakeX kernels and GCC's x86-64-v4 need).
enum class isa_level { generic, avx, avx2, avx512 };

/// "generic", "avx", "avx2", "avx512".
std::string_view isa_name(isa_level level);

struct cpu_features {
  std::string model;   // the CPUID brand string, e.g. "AMD EPYC 9R14 96-Core Processor"
  bool avx = false;
  bool avx2 = false;    // with FMA
  bool avx512 = false;  // F, BW, DQ and VL
  bool avx512_bf16 = false;
  /// The highest level this CPU runs.
  isa_level level() const;
  /// E.g. "avx2 fma avx512f avx512bw avx512dq avx512vl avx512_bf16": the extensions that
  /// decide kernel choice, as Linux's /proc/cpuinfo names them.
  std::string flags() const;
};

/// The features of the CPU this process runs on (read once).
const cpu_features& host_cpu();

} // namespace axon::ops
