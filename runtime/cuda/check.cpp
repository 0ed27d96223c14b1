// CUDA error reporting and device discovery.
#include "runtime/cuda/check.hpp"

#include <stdexcept>
#include <string>

namespace axon::cuda {

void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess)
    return;
  cudaGetLastError(); // clear a sticky non-fatal error so later calls report their own
  std::string message = std::string{call} + " failed: " + cudaGetErrorString(status) + " ("
                        + file + ":" + std::to_string(line) + ")";
  if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver)
    message += "; HINT: no usable CUDA device here (check nvidia-smi, CUDA_VISIBLE_DEVICES)";
  throw std::runtime_error(message);
}

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

void require_device(int index) {
  int count = 0;
  AXON_CUDA_CHECK(cudaGetDeviceCount(&count));
  if (index < 0 || index >= count)
    throw std::runtime_error("cuda:" + std::to_string(index) + " does not exist: this machine has "
                             + std::to_string(count) + " CUDA device(s)");
}

} // namespace axon::cuda
