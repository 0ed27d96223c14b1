// compute_of: parse, then ops::compute::on.
#include "actors/bert/setup_compute.hpp"

#include <stdexcept>

namespace axon {

ops::compute compute_of(const std::string& device, const std::string& precision,
                        const std::string& attention) {
  auto gemm = ops::parse_gemm_precision(precision);
  if (!gemm)
    throw std::invalid_argument("precision '" + precision + "': expected f32, tf32 or bf16");
  auto kernel = ops::parse_attention_kernel(attention);
  if (!kernel)
    throw std::invalid_argument("attention '" + attention + "': expected gemm or fused");
  return ops::compute::on(device::parse(device), *gemm, *kernel);
}

} // namespace axon
