// dtype names and sizes, device parsing.
#include "runtime/dtype.hpp"

#include <charconv>
#include <stdexcept>

namespace axon {

std::size_t dtype_size(dtype t) {
  switch (t) {
    case dtype::f32: return 4;
    case dtype::bf16: return 2;
    case dtype::i32: return 4;
  }
  return 0;
}

std::string_view dtype_name(dtype t) {
  switch (t) {
    case dtype::f32: return "f32";
    case dtype::bf16: return "bf16";
    case dtype::i32: return "i32";
  }
  return "?";
}

std::string device::to_string() const {
  return is_cpu() ? std::string{"cpu"} : "cuda:" + std::to_string(index);
}

device device::parse(std::string_view text) {
  if (text == "cpu")
    return cpu();
  if (text == "cuda")
    return cuda(0);
  if (text.starts_with("cuda:")) {
    auto digits = text.substr(5);
    int n = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc{} && end == digits.data() + digits.size() && n >= 0)
      return cuda(n);
  }
  throw std::invalid_argument("invalid device '" + std::string{text}
                              + "': expected cpu, cuda or cuda:N");
}

} // namespace axon
