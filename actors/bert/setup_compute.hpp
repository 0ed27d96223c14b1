// The ops::compute of a stage or optimizer setup: its device ("cpu", "cuda:N"), GEMM
// precision ("f32", "tf32", "bf16") and attention kernel ("gemm", "fused") as the graph
// wrote them. Setups may come from another process, so all are checked.
#pragma once

#include "ops/compute.hpp"

#include <string>

namespace axon {

/// Throws std::invalid_argument for an unknown device, precision or attention kernel,
/// std::runtime_error when the device is out of reach of this build or machine
/// (ops::compute::on).
ops::compute compute_of(const std::string& device, const std::string& precision = "f32",
                        const std::string& attention = "gemm");

} // namespace axon
