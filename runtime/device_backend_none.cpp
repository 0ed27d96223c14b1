// The device backend of a build without CUDA: every device request is an error.
#include "runtime/device_backend.hpp"

#include <stdexcept>
#include <string>

namespace axon::device_backend {

namespace {

[[noreturn]] void no_device(device where) {
  throw std::runtime_error("cannot use " + where.to_string()
                           + ": this build has no CUDA support (configure with -DAXON_CUDA=ON)");
}

} // namespace

std::shared_ptr<storage> allocate(std::size_t, device where) {
  no_device(where);
}

void copy(void*, device dst_where, const void*, device src_where, std::size_t) {
  no_device(dst_where.is_cpu() ? src_where : dst_where);
}

void zero(void*, device where, std::size_t) {
  no_device(where);
}

} // namespace axon::device_backend
