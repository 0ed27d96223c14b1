// compute_of: parse, then ops::compute::on.
#include "actors/setup_compute.hpp"

#include <stdexcept>

namespace axon {

ops::compute compute_of(const std::string& device, const std::string& precision) {
  auto gemm = ops::parse_gemm_precision(precision);
  if (!gemm)
    throw std::invalid_argument("precision '" + precision + "': expected f32, tf32 or bf16");
  return ops::compute::on(device::parse(device), *gemm);
}

} // namespace axon
