// op_stream: stream + cuBLAS handle + fault word.
#include "ops/cuda/op_stream.hpp"

#include "ops/op_error.hpp"
#include "runtime/cuda/check.hpp"

#include <stdexcept>
#include <string>

namespace axon::ops::cuda {

namespace {

void check_blas(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string{call} + " failed: " + cublasGetStatusString(status));
}

} // namespace

op_stream::op_stream(int device_index, gemm_precision precision)
  : stream_(device_index), precision_(precision) {
  check_blas(cublasCreate(&blas_), "cublasCreate");
  check_blas(cublasSetStream(blas_, stream_.get()), "cublasSetStream");
  // TF32 through the math mode; bf16 picks its compute type per call (ops/cuda/gemm.cu).
  check_blas(cublasSetMathMode(blas_, precision_ == gemm_precision::tf32
                                        ? CUBLAS_TF32_TENSOR_OP_MATH
                                        : CUBLAS_DEFAULT_MATH),
             "cublasSetMathMode");
  void* word = nullptr;
  AXON_CUDA_CHECK(cudaMalloc(&word, sizeof(int)));
  fault_word_ = static_cast<int*>(word);
  AXON_CUDA_CHECK(cudaMemsetAsync(fault_word_, 0, sizeof(int), stream_.get()));
}

op_stream::~op_stream() {
  cudaStreamSynchronize(stream_.get());
  cudaFree(fault_word_);
  cublasDestroy(blas_);
}

void op_stream::synchronize() const {
  int fault = 0;
  AXON_CUDA_CHECK(cudaMemcpyAsync(&fault, fault_word_, sizeof fault, cudaMemcpyDeviceToHost,
                                  stream_.get()));
  stream_.synchronize();
  if (fault == int(device_fault::none))
    return;
  AXON_CUDA_CHECK(cudaMemsetAsync(fault_word_, 0, sizeof(int), stream_.get()));
  throw op_error(fault == int(device_fault::index_out_of_range)
                   ? "an index (embedding id, token type or gathered row) is outside its table"
                     " (checked on the device)"
                   : "cross_entropy: a target is outside [0,V) and is not the ignore index"
                     " (checked on the device)");
}

tensor op_stream::scratch(const shape& sizes, dtype type) const {
  axon::cuda::stream_guard guard{stream_.get()};
  return tensor::empty(sizes, type, where());
}

void require_on(std::string_view op, std::string_view arg, const tensor& t, const op_stream& s) {
  require(t.defined(), op, std::string{arg} + " is undefined");
  require(t.where() == s.where(), op,
          std::string{arg} + " is " + t.describe() + ", expected it on " + s.where().to_string());
  require(t.type() == dtype::f32, op, std::string{arg} + " is " + t.describe() + ", expected f32");
}

void check_launch(std::string_view op) {
  auto status = cudaGetLastError();
  if (status != cudaSuccess)
    throw std::runtime_error(std::string{op} + ": kernel launch failed: "
                             + cudaGetErrorString(status));
}

} // namespace axon::ops::cuda
