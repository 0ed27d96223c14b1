// Argument checks shared by every op: a bad shape or dtype becomes an op_error whose
// message names the op, the argument and the shapes, e.g.
//   "linear_forward: weight is f32[32,63], expected f32[32,64]".
#pragma once

#include "runtime/tensor.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace axon::ops {

class op_error : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

/// Throws op_error("op: message") unless `ok`.
void require(bool ok, std::string_view op, const std::string& message);
/// `t` must be defined, on `where` (the host unless a CUDA op says otherwise), of dtype
/// `type` and exactly `sizes`.
void require_tensor(std::string_view op, std::string_view arg, const tensor& t,
                    const shape& sizes, dtype type = dtype::f32, device where = device::cpu());
/// `t` must be defined, on `where`, of dtype `type`, with last dimension `last` and at
/// least one dimension; returns the number of rows (numel / last).
std::int64_t require_rows(std::string_view op, std::string_view arg, const tensor& t,
                          std::int64_t last, dtype type = dtype::f32,
                          device where = device::cpu());
/// `a` and `b` are both defined with equal shapes and dtypes.
void require_same(std::string_view op, std::string_view a_name, const tensor& a,
                  std::string_view b_name, const tensor& b);

} // namespace axon::ops
