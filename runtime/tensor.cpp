// tensor construction, views, copies and conversions (host side).
#include "runtime/tensor.hpp"

#include "runtime/device_backend.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace axon {

tensor tensor::empty(const shape& sizes, dtype type, device where) {
  auto bytes = static_cast<std::size_t>(sizes.numel()) * dtype_size(type);
  return from_storage(storage::allocate(bytes, where), 0, sizes, type);
}

tensor tensor::zeros(const shape& sizes, dtype type) {
  auto t = empty(sizes, type);
  t.zero_();
  return t;
}

tensor tensor::full(const shape& sizes, float value) {
  auto t = empty(sizes, dtype::f32);
  t.fill_(value);
  return t;
}

tensor tensor::from_storage(std::shared_ptr<storage> bytes, std::size_t offset,
                            const shape& sizes, dtype type) {
  auto need = static_cast<std::size_t>(sizes.numel()) * dtype_size(type);
  if (!bytes || offset + need > bytes->bytes())
    throw std::invalid_argument("tensor view " + std::string{dtype_name(type)}
                                + sizes.to_string() + " at byte " + std::to_string(offset)
                                + " does not fit its storage");
  tensor t;
  t.storage_ = std::move(bytes);
  t.offset_ = offset;
  t.sizes_ = sizes;
  t.type_ = type;
  return t;
}

void tensor::check_element_type(dtype requested) const {
  if (!defined())
    throw std::logic_error("data() on an undefined tensor");
  if (requested != type_)
    throw std::invalid_argument("tensor " + describe() + " accessed as "
                                + std::string{dtype_name(requested)});
}

tensor tensor::reshape(const shape& sizes) const {
  if (sizes.numel() != numel())
    throw std::invalid_argument("cannot reshape " + describe() + " to " + sizes.to_string());
  return from_storage(storage_, offset_, sizes, type_);
}

tensor tensor::slice(std::int64_t begin, std::int64_t end) const {
  if (rank() == 0 || begin < 0 || end < begin || end > size(0))
    throw std::invalid_argument("slice [" + std::to_string(begin) + "," + std::to_string(end)
                                + ") out of range for " + describe());
  auto dims = sizes_.dims();
  std::array<std::int64_t, shape::max_rank> out_dims{};
  std::copy(dims.begin(), dims.end(), out_dims.begin());
  out_dims[0] = end - begin;
  shape out{std::span<const std::int64_t>{out_dims.data(), dims.size()}};
  auto row_bytes = static_cast<std::size_t>(numel() / std::max<std::int64_t>(size(0), 1))
                   * dtype_size(type_);
  return from_storage(storage_, offset_ + begin * row_bytes, out, type_);
}

tensor tensor::clone() const {
  return to(where());
}

tensor tensor::to(device where_to) const {
  auto copy = empty(sizes_, type_, where_to);
  if (where().is_cpu() && where_to.is_cpu())
    std::memcpy(copy.raw(), raw(), nbytes());
  else
    device_backend::copy(copy.raw(), where_to, raw(), where(), nbytes());
  return copy;
}

tensor tensor::on(device where_to) const {
  return !defined() || where() == where_to ? *this : to(where_to);
}

tensor tensor::to(dtype type) const {
  if (type == type_)
    return clone();
  if (!where().is_cpu())
    throw std::runtime_error("dtype conversion of " + describe() + ": copy it to the host first");
  auto out = empty(sizes_, type);
  auto n = numel();
  auto as_f32 = [&](std::int64_t i) -> float {
    switch (type_) {
      case dtype::f32: return data<float>()[i];
      case dtype::bf16: return bf16_to_f32(data<bf16>()[i]);
      case dtype::i32: return static_cast<float>(data<std::int32_t>()[i]);
    }
    return 0;
  };
  for (std::int64_t i = 0; i < n; ++i) {
    float v = as_f32(i);
    switch (type) {
      case dtype::f32: out.data<float>()[i] = v; break;
      case dtype::bf16: out.data<bf16>()[i] = f32_to_bf16(v); break;
      case dtype::i32: out.data<std::int32_t>()[i] = static_cast<std::int32_t>(v); break;
    }
  }
  return out;
}

void tensor::copy_(const tensor& src) const {
  if (!defined() || !src.defined() || src.type() != type_ || src.sizes() != sizes_)
    throw std::invalid_argument("tensor::copy_: " + src.describe() + " into " + describe());
  if (where().is_cpu() && src.where().is_cpu())
    std::memmove(raw(), src.raw(), nbytes());
  else
    device_backend::copy(raw(), where(), src.raw(), src.where(), nbytes());
}

void tensor::zero_() const {
  if (where().is_cpu())
    std::memset(raw(), 0, nbytes());
  else
    device_backend::zero(raw(), where(), nbytes());
}

void tensor::fill_(float value) const {
  if (!where().is_cpu())
    throw std::runtime_error("fill_ of " + describe() + ": only zero_ works on a device tensor");
  switch (type_) {
    case dtype::f32: std::fill_n(data<float>(), numel(), value); break;
    case dtype::bf16: std::fill_n(data<bf16>(), numel(), f32_to_bf16(value)); break;
    case dtype::i32: std::fill_n(data<std::int32_t>(), numel(), std::int32_t(value)); break;
  }
}

bool tensor::shares_storage_with(const tensor& other) const {
  if (!defined() || !other.defined() || storage_ != other.storage_)
    return false;
  return offset_ < other.offset_ + other.nbytes() && other.offset_ < offset_ + nbytes();
}

std::string tensor::describe() const {
  if (!defined())
    return "undefined";
  auto s = std::string{dtype_name(type_)} + sizes_.to_string();
  if (!where().is_cpu())
    s += "@" + where().to_string();
  return s;
}

} // namespace axon
