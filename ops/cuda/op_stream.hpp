// What every CUDA op runs on: a stream (one per stage actor), the cuBLAS handle bound to
// it, the GEMM precision, and a device word where kernels flag bad indices (ids or targets
// out of range: checked on the device, reported by the next synchronize()).
// The CUDA ops in ops/cuda/ have the signatures of ops/cpu/ plus a trailing op_stream,
// take tensors on op_stream::where(), and queue their work without waiting for it.
#pragma once

#include "ops/gemm_precision.hpp"
#include "runtime/cuda/stream.hpp"
#include "runtime/tensor.hpp"

#include <cublas_v2.h>

#include <string_view>

namespace axon::ops::cuda {

/// GEMM arithmetic (ops/gemm_precision.hpp), here as ops::cuda::gemm_precision too.
using ops::gemm_precision;

/// Codes kernels write into the error word (first one wins).
enum class device_fault : int { none = 0, index_out_of_range = 1, target_out_of_range = 2 };

class op_stream {
public:
  explicit op_stream(int device_index = 0, gemm_precision precision = gemm_precision::f32);
  ~op_stream();
  op_stream(const op_stream&) = delete;
  op_stream& operator=(const op_stream&) = delete;

  cudaStream_t get() const { return stream_.get(); }
  cublasHandle_t blas() const { return blas_; }
  gemm_precision precision() const { return precision_; }
  device where() const { return device::cuda(stream_.device_index()); }
  /// Uninitialised scratch on the device, allocated for this stream (its blocks are reused
  /// only by later work on this stream, so freeing it while kernels are queued is safe).
  tensor scratch(const shape& sizes, dtype type = dtype::f32) const;
  /// Device int that kernels set to a device_fault code.
  int* fault_word() const { return fault_word_; }
  /// Waits for the queued work; throws std::runtime_error on a CUDA error and op_error
  /// when a kernel flagged a fault (the flag is then cleared).
  void synchronize() const;

private:
  axon::cuda::stream stream_;
  cublasHandle_t blas_ = nullptr;
  gemm_precision precision_;
  int* fault_word_ = nullptr;
};

/// `t` is defined, f32 and on the stream's device (ops that accept other dtypes check more).
void require_on(std::string_view op, std::string_view arg, const tensor& t, const op_stream& s);

/// Throws std::runtime_error naming `op` if the last kernel launch failed.
void check_launch(std::string_view op);

} // namespace axon::ops::cuda
