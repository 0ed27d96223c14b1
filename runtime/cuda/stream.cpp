// Stream and event wrappers.
#include "runtime/cuda/stream.hpp"

#include "runtime/cuda/check.hpp"

namespace axon::cuda {

namespace {

thread_local cudaStream_t thread_stream = nullptr;

} // namespace

stream::stream(int device_index) : device_(device_index) {
  require_device(device_index);
  AXON_CUDA_CHECK(cudaSetDevice(device_index));
  AXON_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
}

stream::~stream() {
  cudaStreamSynchronize(stream_); // storage freed later may still be in use by queued work
  cudaStreamDestroy(stream_);
}

void stream::synchronize() const {
  AXON_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

event::event() {
  AXON_CUDA_CHECK(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming));
}

event::~event() {
  cudaEventDestroy(event_);
}

void event::record(cudaStream_t on) {
  AXON_CUDA_CHECK(cudaEventRecord(event_, on));
}

void event::make_wait(cudaStream_t waiter) const {
  AXON_CUDA_CHECK(cudaStreamWaitEvent(waiter, event_, 0));
}

bool event::ready() const {
  auto status = cudaEventQuery(event_);
  if (status == cudaErrorNotReady)
    return false;
  AXON_CUDA_CHECK(status);
  return true;
}

void event::synchronize() const {
  AXON_CUDA_CHECK(cudaEventSynchronize(event_));
}

cudaStream_t current_stream() {
  return thread_stream;
}

stream_guard::stream_guard(cudaStream_t s) : previous_(thread_stream) {
  thread_stream = s;
}

stream_guard::~stream_guard() {
  thread_stream = previous_;
}

} // namespace axon::cuda
