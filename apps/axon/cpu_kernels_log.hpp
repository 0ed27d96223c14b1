// Choosing the CPU kernels at a command's start (ops/cpu/cpu_kernels.hpp), with its line
// in the command's log and its warning when GEMMs would run below what the CPU has.
#pragma once

#include <string_view>

namespace axon::app {

enum class kernel_log { summary, warnings_only };

/// Chooses the kernels before any actor or compute thread starts. Prints
/// "COMMAND: CPU ... GEMM ... own loops ..." (with `summary`) and any warning to stderr.
/// Returns false, having printed why, when the environment asks for kernels this CPU
/// cannot run (the command then exits 2).
bool choose_cpu_kernels(std::string_view command, kernel_log log);

} // namespace axon::app
