// Reference-counted bytes on one device. Tensors hold a shared_ptr<storage>, so a tensor
// sent to another actor in the same process shares these bytes instead of copying them.
#pragma once

#include "runtime/dtype.hpp"

#include <cstddef>
#include <memory>

namespace axon {

class storage {
public:
  /// Frees the bytes; set by whoever allocated them (host allocator, CUDA allocator).
  using deleter = void (*)(void* data, device where);

  storage(void* data, std::size_t bytes, device where, deleter free_fn);
  ~storage();
  storage(const storage&) = delete;
  storage& operator=(const storage&) = delete;

  /// 64-byte aligned, uninitialised host memory (throws std::bad_alloc).
  static std::shared_ptr<storage> allocate_host(std::size_t bytes);
  /// Allocates on `where`; throws std::runtime_error for a device this build cannot reach.
  static std::shared_ptr<storage> allocate(std::size_t bytes, device where);

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  device where() const { return where_; }

private:
  void* data_;
  std::size_t bytes_;
  device where_;
  deleter free_fn_;
};

} // namespace axon
