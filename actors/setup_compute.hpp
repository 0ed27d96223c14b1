// The ops::compute of a stage or optimizer setup: its device ("cpu", "cuda:N") and GEMM
// precision ("f32", "tf32", "bf16") as the graph wrote them. Setups may come from another
// process, so both are checked.
#pragma once

#include "ops/compute.hpp"

#include <string>

namespace axon {

/// Throws std::invalid_argument for an unknown device or precision, std::runtime_error
/// when the device is out of reach of this build or machine (ops::compute::on).
ops::compute compute_of(const std::string& device, const std::string& precision = "f32");

} // namespace axon
