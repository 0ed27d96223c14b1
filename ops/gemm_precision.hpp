// GEMM arithmetic of a device's ops, named without CUDA headers so configuration and
// command-line code can carry it: f32 (exact fp32), tf32 (fp32 in and out on TF32 tensor
// cores: compute.tf32=true), bf16 (inputs rounded to bf16, fp32 accumulation and output:
// compute.precision=bf16). The CPU ops are always f32.
#pragma once

#include <optional>
#include <string_view>

namespace axon::ops {

enum class gemm_precision { f32, tf32, bf16 };

/// "f32", "tf32", "bf16".
std::string_view to_string(gemm_precision p);
/// The inverse of to_string; nullopt for any other word.
std::optional<gemm_precision> parse_gemm_precision(std::string_view word);

} // namespace axon::ops
