// RAII CUDA streams and events, and the calling thread's current stream.
// A stage actor owns one stream; kernels of its ops run on it in order. An event recorded
// on one stream and waited for on another orders work across streams without a host sync.
// The caching allocator keys freed blocks by the current stream (see caching_allocator.hpp),
// so code that allocates device tensors for a stream sets it with a stream_guard.
#pragma once

#include <cuda_runtime_api.h>

namespace axon::cuda {

class stream {
public:
  /// A new non-blocking stream on device `index` (no implicit sync with the default stream).
  explicit stream(int device_index = 0);
  ~stream();
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  cudaStream_t get() const { return stream_; }
  int device_index() const { return device_; }
  /// Blocks the host until everything queued so far has run; throws on a kernel error.
  void synchronize() const;

private:
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

class event {
public:
  /// An event without timing (cheapest to record and wait for).
  event();
  ~event();
  event(const event&) = delete;
  event& operator=(const event&) = delete;

  /// Marks the point after everything queued on `on` so far.
  void record(cudaStream_t on);
  /// Makes `waiter` run nothing queued after this call until the event has happened.
  void make_wait(cudaStream_t waiter) const;
  /// True once the recorded work has run (never blocks).
  bool ready() const;
  void synchronize() const;
  cudaEvent_t get() const { return event_; }

private:
  cudaEvent_t event_ = nullptr;
};

/// The stream the calling thread allocates for (nullptr: the legacy default stream).
cudaStream_t current_stream();

/// Sets the calling thread's current stream for its lifetime, then restores the old one.
class stream_guard {
public:
  explicit stream_guard(cudaStream_t s);
  ~stream_guard();
  stream_guard(const stream_guard&) = delete;
  stream_guard& operator=(const stream_guard&) = delete;

private:
  cudaStream_t previous_;
};

} // namespace axon::cuda
