// shape construction (with validation), element count and printing.
#include "runtime/shape.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>

namespace axon {

shape::shape(std::initializer_list<std::int64_t> dims)
  : shape(std::span<const std::int64_t>{dims.begin(), dims.size()}) {
}

shape::shape(std::span<const std::int64_t> dims) {
  if (dims.size() > max_rank)
    throw std::invalid_argument("shape: rank " + std::to_string(dims.size())
                                + " exceeds the maximum of " + std::to_string(max_rank));
  for (auto d : dims)
    if (d < 0)
      throw std::invalid_argument("shape: negative dimension " + std::to_string(d));
  std::copy(dims.begin(), dims.end(), dims_.begin());
  rank_ = static_cast<int>(dims.size());
}

std::int64_t shape::numel() const {
  std::int64_t n = 1;
  for (int i = 0; i < rank_; ++i)
    n *= dims_[i];
  return n;
}

std::string shape::to_string() const {
  std::string s = "[";
  for (int i = 0; i < rank_; ++i) {
    if (i > 0)
      s += ',';
    s += std::to_string(dims_[i]);
  }
  return s + ']';
}

bool operator==(const shape& a, const shape& b) {
  return std::ranges::equal(a.dims(), b.dims());
}

std::ostream& operator<<(std::ostream& out, const shape& s) {
  return out << s.to_string();
}

} // namespace axon
