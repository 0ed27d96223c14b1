// OpenBLAS identification, thread control and kernel (core) selection.
#include "ops/cpu/blas.hpp"

#include <algorithm>
#include <array>
#include <cblas.h>
#include <cstdlib>
#include <optional>
#include <strings.h>

// Exported by OpenBLAS's DYNAMIC_ARCH builds (driver/others/dynamic.c): quit forgets the
// kernel table, init picks one again, from OPENBLAS_CORETYPE when set. Weak, so that a
// build against a single-target OpenBLAS links and reports that it cannot switch.
extern "C" {
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace axon::ops {

namespace {

struct core_level {
  const char* name;
  isa_level level;
};

// OpenBLAS 0.3.x x86-64 cores whose kernels need more than SSE3.
constexpr std::array<core_level, 10> known_cores{{
  {"Sandybridge", isa_level::avx},
  {"Bulldozer", isa_level::avx},
  {"Piledriver", isa_level::avx},
  {"Steamroller", isa_level::avx},
  {"Excavator", isa_level::avx},
  {"Haswell", isa_level::avx2},
  {"Zen", isa_level::avx2},
  {"SkylakeX", isa_level::avx512},
  {"Cooperlake", isa_level::avx512},
  {"SapphireRapids", isa_level::avx512},
}};

// The core for a level. AVX-512: SkylakeX, whose sgemm Cooperlake shares (it adds bf16
// GEMMs, which Axon does not use on the CPU); the one measured on a CPU OpenBLAS 0.3.21
// does not know (docs/benchmarks.md).
std::string best_core(const cpu_features& cpu) {
  switch (cpu.level()) {
  case isa_level::avx512: return "SkylakeX";
  case isa_level::avx2: return "Haswell";
  case isa_level::avx: return "Sandybridge";
  case isa_level::generic: return "Prescott";
  }
  return "Prescott";
}

// Sets or unsets an environment variable for the duration of a scope.
class scoped_env {
public:
  scoped_env(const char* name, const std::string& value) : name_{name} {
    if (const char* old = std::getenv(name))
      old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

} // namespace

isa_level openblas_core_level(std::string_view core) {
  for (const auto& known : known_cores)
    if (core.size() == std::string_view{known.name}.size()
        && strncasecmp(core.data(), known.name, core.size()) == 0)
      return known.level;
  return isa_level::generic;
}

gemm_core_choice choose_gemm_core(const cpu_features& cpu, std::string_view openblas_core,
                                  bool forced) {
  std::string own{openblas_core};
  if (forced)
    return {own, "named by OPENBLAS_CORETYPE"};
  if (openblas_core_level(own) >= cpu.level())
    return {own, "OpenBLAS's choice"};
  return {best_core(cpu), "chosen by Axon from the CPU's features (OpenBLAS chose " + own
                            + ", " + std::string{isa_name(openblas_core_level(own))}
                            + " kernels)"};
}

bool switch_openblas_core(const std::string& core) {
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr)
    return false;
  scoped_env coretype{"OPENBLAS_CORETYPE", core};
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  return true;
}

std::string openblas_core() {
  return openblas_get_corename();
}

std::string openblas_config() {
  return openblas_get_config();
}

void use_single_threaded_blas() {
  openblas_set_num_threads(1);
}

} // namespace axon::ops
