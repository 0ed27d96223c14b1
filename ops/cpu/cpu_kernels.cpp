// The process-wide kernel choice: GEMM core, then the own loops' level.
#include "ops/cpu/cpu_kernels.hpp"

#include "ops/cpu/blas.hpp"
#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"

#include <cstdlib>

namespace axon::ops {

namespace {

constexpr auto op = "cpu kernels";

isa_level parse_level(std::string_view name) {
  for (auto level : {isa_level::generic, isa_level::avx2, isa_level::avx512})
    if (name == isa_name(level))
      return level;
  require(false, op,
          "AXON_SIMD=" + std::string{name} + " is not a level: use generic, avx2 or avx512");
  return isa_level::generic;
}

void choose_gemm(cpu_kernels_report& r, const cpu_features& cpu) {
  const char* named = std::getenv("OPENBLAS_CORETYPE");
  auto choice = choose_gemm_core(cpu, openblas_core(), named != nullptr);
  if (choice.core != openblas_core() && !switch_openblas_core(choice.core))
    choice.reason = "OpenBLAS's choice; its build cannot switch cores (not DYNAMIC_ARCH)";
  r.gemm_core = openblas_core();
  r.gemm_level = openblas_core_level(r.gemm_core);
  r.gemm_reason = choice.reason;
  r.blas_config = openblas_config();
  require(r.gemm_level <= cpu.level(), op,
          "OPENBLAS_CORETYPE=" + r.gemm_core + " needs " + std::string{isa_name(r.gemm_level)}
            + " kernels; this CPU runs " + std::string{isa_name(cpu.level())}
            + " (unset OPENBLAS_CORETYPE, or name a core of that level)");
  if (r.gemm_level < cpu.level() && cpu.level() >= isa_level::avx2)
    r.warning = "GEMMs run on OpenBLAS's " + r.gemm_core + " core ("
                + std::string{isa_name(r.gemm_level)} + " kernels) although this CPU runs "
                + std::string{isa_name(cpu.level())} + "; training is several times slower ("
                + r.gemm_reason + ")";
}

// The own loops have generic, avx2 and avx512 builds; avx alone runs the generic ones.
isa_level simd_level_for(isa_level cpu_level) {
  return cpu_level == isa_level::avx ? isa_level::generic : cpu_level;
}

void choose_simd(cpu_kernels_report& r, const cpu_features& cpu) {
  r.simd_level = simd_level_for(cpu.level());
  r.simd_reason = "the CPU's highest";
  if (const char* named = std::getenv("AXON_SIMD")) {
    auto level = parse_level(named);
    require(level <= cpu.level(), op,
            "AXON_SIMD=" + std::string{named} + ": this CPU runs "
              + std::string{isa_name(cpu.level())} + " at most");
    r.simd_level = level;
    r.simd_reason = "named by AXON_SIMD";
  }
}

cpu_kernels_report choose() {
  const auto& cpu = host_cpu();
  cpu_kernels_report r;
  r.cpu_model = cpu.model;
  r.cpu_flags = cpu.flags();
  r.cpu_level = cpu.level();
  use_single_threaded_blas();
  choose_gemm(r, cpu);
  choose_simd(r, cpu);
  return r;
}

} // namespace

std::string cpu_kernels_report::summary() const {
  return "CPU " + cpu_model + " (" + std::string{isa_name(cpu_level)} + "): GEMM OpenBLAS core "
         + gemm_core + " (" + std::string{isa_name(gemm_level)} + ", " + gemm_reason
         + "), own loops " + std::string{isa_name(simd_level)} + " (" + simd_reason + ")";
}

const cpu_kernels_report& cpu_kernels() {
  static const cpu_kernels_report report = choose();
  return report;
}

} // namespace axon::ops
