// Argument checks for ops.
#include "ops/op_error.hpp"

namespace axon::ops {

namespace {

std::string describe_expected(const shape& sizes, dtype type) {
  return std::string{dtype_name(type)} + sizes.to_string();
}

void require_placed_tensor(std::string_view op, std::string_view arg, const tensor& t,
                           dtype type, device where) {
  require(t.defined(), op, std::string{arg} + " is undefined");
  require(t.where() == where, op,
          std::string{arg} + " is on " + t.where().to_string() + ", expected "
            + (where.is_cpu() ? std::string{"the host (cpu)"} : where.to_string()));
  require(t.type() == type, op,
          std::string{arg} + " is " + t.describe() + ", expected dtype "
            + std::string{dtype_name(type)});
}

} // namespace

void require(bool ok, std::string_view op, const std::string& message) {
  if (!ok)
    throw op_error(std::string{op} + ": " + message);
}

void require_tensor(std::string_view op, std::string_view arg, const tensor& t,
                    const shape& sizes, dtype type, device where) {
  require_placed_tensor(op, arg, t, type, where);
  require(t.sizes() == sizes, op,
          std::string{arg} + " is " + t.describe() + ", expected "
            + describe_expected(sizes, type));
}

std::int64_t require_rows(std::string_view op, std::string_view arg, const tensor& t,
                          std::int64_t last, dtype type, device where) {
  require_placed_tensor(op, arg, t, type, where);
  require(t.rank() >= 1 && t.size(-1) == last, op,
          std::string{arg} + " is " + t.describe() + ", expected last dimension "
            + std::to_string(last));
  return t.numel() / last;
}

void require_same(std::string_view op, std::string_view a_name, const tensor& a,
                  std::string_view b_name, const tensor& b) {
  require(a.defined() && b.defined(), op,
          std::string{a_name} + " and " + std::string{b_name} + " must both be defined");
  require(a.sizes() == b.sizes() && a.type() == b.type(), op,
          std::string{a_name} + " is " + a.describe() + " but " + std::string{b_name} + " is "
            + b.describe());
}

} // namespace axon::ops
