// compute and compute_scope: the CUDA parts only in CUDA builds (AXON_HAVE_CUDA).
#include "ops/compute.hpp"

#include <stdexcept>
#include <string>

#if AXON_HAVE_CUDA
#include "ops/cuda/op_stream.hpp"
#include "runtime/cuda/check.hpp"
#include "runtime/cuda/stream.hpp"

#include <cuda_runtime_api.h>
#endif

namespace axon::ops {

std::string_view to_string(attention_kernel kernel) {
  return kernel == attention_kernel::fused ? "fused" : "gemm";
}

std::optional<attention_kernel> parse_attention_kernel(std::string_view word) {
  for (auto kernel : {attention_kernel::gemm, attention_kernel::fused})
    if (word == to_string(kernel))
      return kernel;
  return std::nullopt;
}

void check_device(device where) {
  if (where.is_cpu())
    return;
#if AXON_HAVE_CUDA
  const int devices = axon::cuda::device_count();
  if (where.index >= devices)
    throw std::runtime_error("cannot use " + where.to_string() + ": this machine has "
                             + std::to_string(devices)
                             + " CUDA device(s) (nvidia-smi lists them)");
#else
  throw std::runtime_error("cannot use " + where.to_string()
                           + ": this build has no CUDA support (configure with -DAXON_CUDA=ON)");
#endif
}

compute compute::on(device where, gemm_precision precision, attention_kernel attention) {
  check_device(where);
  if (where.is_cpu()) {
    if (precision != gemm_precision::f32)
      throw std::invalid_argument("precision " + std::string{to_string(precision)}
                                  + " needs a CUDA device: the CPU ops compute in f32");
    if (attention != attention_kernel::gemm)
      throw std::invalid_argument("fused attention needs a CUDA device: the CPU runs its own");
    return {};
  }
  compute c;
#if AXON_HAVE_CUDA
  c.stream_ = std::make_shared<const cuda::op_stream>(where.index, precision);
  c.attention_ = attention;
#endif
  return c;
}

device compute::where() const {
#if AXON_HAVE_CUDA
  if (!on_host())
    return stream_->where();
#endif
  return device::cpu();
}

gemm_precision compute::precision() const {
#if AXON_HAVE_CUDA
  if (!on_host())
    return stream_->precision();
#endif
  return gemm_precision::f32;
}

const cuda::op_stream& compute::stream() const {
  if (on_host())
    throw std::logic_error("compute::stream: this compute runs on the host");
  return *stream_;
}

void compute::synchronize() const {
#if AXON_HAVE_CUDA
  if (!on_host())
    stream_->synchronize();
#endif
}

#if AXON_HAVE_CUDA
struct compute_scope::saved {
  int device = 0;
  axon::cuda::stream_guard stream;
  saved(int previous_device, cudaStream_t s) : device(previous_device), stream(s) {}
};

compute_scope::compute_scope(const compute& c) {
  if (c.on_host())
    return;
  int previous = 0;
  AXON_CUDA_CHECK(cudaGetDevice(&previous));
  AXON_CUDA_CHECK(cudaSetDevice(c.where().index));
  saved_ = std::make_unique<saved>(previous, c.stream().get());
}

compute_scope::~compute_scope() {
  if (saved_)
    cudaSetDevice(saved_->device); // a destructor must not throw; the guard restores the stream
}
#else
struct compute_scope::saved {};
compute_scope::compute_scope(const compute&) {}
compute_scope::~compute_scope() = default;
#endif

} // namespace axon::ops
