// The seam between host-only runtime code and a device backend. storage and tensor call
// these for bytes off the host; a CUDA build links runtime/cuda/device_backend.cpp, any
// other build runtime/device_backend_none.cpp, whose functions throw std::runtime_error.
// No CUDA header is needed to include this file.
#pragma once

#include "runtime/storage.hpp"

#include <cstddef>
#include <memory>

namespace axon::device_backend {

/// Uninitialised bytes on the device `where` (not the host).
std::shared_ptr<storage> allocate(std::size_t bytes, device where);
/// Copies `bytes` from `src` on `src_where` to `dst` on `dst_where` (either may be the
/// host or a device); complete on return.
void copy(void* dst, device dst_where, const void* src, device src_where, std::size_t bytes);
/// Sets `bytes` at `dst` on the device `where` to zero; complete on return.
void zero(void* dst, device where, std::size_t bytes);

} // namespace axon::device_backend
