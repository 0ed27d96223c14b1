// gemm_precision names.
#include "ops/gemm_precision.hpp"

namespace axon::ops {

std::string_view to_string(gemm_precision p) {
  switch (p) {
    case gemm_precision::f32: return "f32";
    case gemm_precision::tf32: return "tf32";
    case gemm_precision::bf16: return "bf16";
  }
  return "?";
}

std::optional<gemm_precision> parse_gemm_precision(std::string_view word) {
  for (auto p : {gemm_precision::f32, gemm_precision::tf32, gemm_precision::bf16})
    if (word == to_string(p))
      return p;
  return std::nullopt;
}

} // namespace axon::ops
