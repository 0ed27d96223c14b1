// tensor: a dtype, a shape and a device over shared, reference-counted storage.
// Tensors are handles: copying one shares the bytes (like torch.Tensor); clone() copies.
// Every tensor is contiguous and row-major; views (reshape, dim-0 slices) share storage.
#pragma once

#include "runtime/dtype.hpp"
#include "runtime/shape.hpp"
#include "runtime/storage.hpp"

#include <memory>
#include <string>
#include <type_traits>

namespace axon {

class tensor {
public:
  /// An undefined tensor (no storage): ops take it to mean "absent" (e.g. no bias).
  tensor() = default;

  /// Uninitialised tensor of `sizes` on `where`.
  static tensor empty(const shape& sizes, dtype type = dtype::f32,
                      device where = device::cpu());
  static tensor zeros(const shape& sizes, dtype type = dtype::f32);
  static tensor full(const shape& sizes, float value);
  /// Wraps existing storage: `offset` is in bytes; throws if the view does not fit.
  static tensor from_storage(std::shared_ptr<storage> bytes, std::size_t offset,
                             const shape& sizes, dtype type);

  bool defined() const { return storage_ != nullptr; }
  const shape& sizes() const { return sizes_; }
  std::int64_t size(int dim) const { return sizes_.dim(dim); }
  int rank() const { return sizes_.rank(); }
  std::int64_t numel() const { return sizes_.numel(); }
  std::size_t nbytes() const { return numel() * dtype_size(type_); }
  dtype type() const { return type_; }
  device where() const { return storage_ ? storage_->where() : device::cpu(); }
  const std::shared_ptr<storage>& bytes() const { return storage_; }
  std::size_t offset() const { return offset_; }

  /// Typed element pointer; throws if T does not match the dtype. Handle semantics:
  /// a const tensor still gives a writable pointer, as the bytes are shared anyway.
  template <class T>
  T* data() const {
    check_element_type(element_type_of<T>());
    return reinterpret_cast<T*>(raw());
  }
  void* raw() const { return static_cast<char*>(storage_->data()) + offset_; }

  /// Same bytes, new shape with the same element count.
  tensor reshape(const shape& sizes) const;
  /// Rows [begin, end) of dimension 0, sharing storage.
  tensor slice(std::int64_t begin, std::int64_t end) const;
  /// A deep copy on the same device.
  tensor clone() const;
  /// Element-type conversion (f32 <-> bf16; i32 <-> f32 by value); a copy.
  tensor to(dtype type) const;
  /// A copy on `where` (host <-> device or device <-> device), complete on return.
  /// Throws std::runtime_error when this build or machine cannot reach `where`.
  tensor to(device where) const;
  /// This tensor when it is on `where` (or undefined), else to(where): what a receiver
  /// does with a tensor that may come from another device, the host or another process.
  tensor on(device where) const;
  /// Copies `src` (same dtype and shape, any device) into this tensor, complete on return.
  void copy_(const tensor& src) const;
  void zero_() const;
  void fill_(float value) const;
  /// True when the two tensors share storage (any overlap of bytes).
  bool shares_storage_with(const tensor& other) const;
  /// "f32[4,16,64]" (plus "@cuda:0" off the host); "undefined" for an undefined tensor.
  std::string describe() const;

private:
  template <class T>
  static constexpr dtype element_type_of() {
    if constexpr (std::is_same_v<std::remove_cv_t<T>, float>)
      return dtype::f32;
    else if constexpr (std::is_same_v<std::remove_cv_t<T>, bf16>)
      return dtype::bf16;
    else {
      static_assert(std::is_same_v<std::remove_cv_t<T>, std::int32_t>, "unsupported element type");
      return dtype::i32;
    }
  }
  void check_element_type(dtype requested) const;

  std::shared_ptr<storage> storage_;
  std::size_t offset_ = 0;
  shape sizes_;
  dtype type_ = dtype::f32;
};

} // namespace axon
