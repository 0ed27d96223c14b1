// Forward: one block per row (softmax, then the loss log-sum-exp in double as the CPU op),
// then one block sums the losses and counts the rows. Backward: one block counts the rows,
// then one thread per logit reads the count from device memory (no host round trip).
#include "ops/cuda/cross_entropy.hpp"

#include "ops/cuda/softmax_rows.cuh"
#include "ops/op_error.hpp"
#include "runtime/cuda/check.hpp"

namespace axon::ops::cuda {

namespace {

constexpr int row_threads = 128;
constexpr int sum_threads = 1024;

__device__ bool counted(std::int32_t y, std::int64_t v, int ignore_index, int* fault) {
  if (y == ignore_index)
    return false;
  if (y >= 0 && y < v)
    return true;
  atomicCAS(fault, 0, int(device_fault::target_out_of_range));
  return false;
}

__global__ void ce_forward_rows(float* losses, float* probs, const float* logits,
                                const std::int32_t* targets, std::int64_t v, int ignore_index,
                                int* fault) {
  auto r = std::int64_t{blockIdx.x};
  const float* z = logits + r * v;
  softmax_row(probs + r * v, z, nullptr, v);
  float max = -INFINITY;
  for (auto j = std::int64_t{threadIdx.x}; j < v; j += blockDim.x)
    max = fmaxf(max, z[j]);
  max = block_max(max);
  double sum = 0.0;
  for (auto j = std::int64_t{threadIdx.x}; j < v; j += blockDim.x)
    sum += exp(double(z[j]) - double(max));
  sum = block_sum(sum);
  if (threadIdx.x == 0) {
    auto y = targets[r];
    bool is_counted = counted(y, v, ignore_index, fault);
    losses[r] = is_counted ? static_cast<float>(log(sum) + max - double(z[y])) : 0.0f;
  }
}

// total[0] = sum of losses, total[1] = counted rows (one block).
__global__ void ce_mean(double* total, const float* losses, const std::int32_t* targets,
                        std::int64_t n, int ignore_index) {
  double sum = 0.0, count = 0.0;
  for (auto r = std::int64_t{threadIdx.x}; r < n; r += blockDim.x) {
    sum += losses[r];
    count += targets[r] != ignore_index ? 1.0 : 0.0;
  }
  sum = block_sum(sum);
  count = block_sum(count);
  if (threadIdx.x == 0) {
    total[0] = sum;
    total[1] = count;
  }
}

__global__ void ce_count(int* count, const std::int32_t* targets, std::int64_t n,
                         int ignore_index) {
  int c = 0;
  for (auto r = std::int64_t{threadIdx.x}; r < n; r += blockDim.x)
    c += targets[r] != ignore_index;
  c = block_sum(c);
  if (threadIdx.x == 0)
    *count = c;
}

__global__ void ce_backward_kernel(float* dlogits, const float* probs,
                                   const std::int32_t* targets, const int* count, float dloss,
                                   std::int64_t n, std::int64_t v, int ignore_index,
                                   int* fault) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= n * v || *count == 0)
    return;
  auto r = e / v, j = e % v;
  auto y = targets[r];
  if (!counted(y, v, ignore_index, fault))
    return;
  dlogits[e] += dloss / float(*count) * (probs[e] - (j == y ? 1.0f : 0.0f));
}

struct ce_dims {
  std::int64_t n, v;
};

ce_dims check(std::string_view op, const tensor& probs, const tensor& targets,
              const op_stream& s) {
  require(probs.defined() && probs.rank() == 2 && probs.size(1) > 0, op,
          "probs/logits is " + probs.describe() + ", expected (N,V) with V >= 1");
  ce_dims d{probs.size(0), probs.size(1)};
  require_tensor(op, "probs", probs, {d.n, d.v}, dtype::f32, s.where());
  require_tensor(op, "targets", targets, {d.n}, dtype::i32, s.where());
  return d;
}

} // namespace

float cross_entropy_forward(const tensor& losses, const tensor& probs, const tensor& logits,
                            const tensor& targets, const op_stream& s, int ignore_index) {
  constexpr auto op = "cross_entropy_forward";
  auto d = check(op, logits, targets, s);
  require_tensor(op, "probs", probs, {d.n, d.v}, dtype::f32, s.where());
  require_tensor(op, "losses", losses, {d.n}, dtype::f32, s.where());
  if (d.n == 0)
    return 0.0f;
  ce_forward_rows<<<unsigned(d.n), row_threads, 0, s.get()>>>(
    losses.data<float>(), probs.data<float>(), logits.data<float>(),
    targets.data<std::int32_t>(), d.v, ignore_index, s.fault_word());
  auto total = s.scratch({4}); // two doubles
  ce_mean<<<1, sum_threads, 0, s.get()>>>(static_cast<double*>(total.raw()), losses.data<float>(),
                                          targets.data<std::int32_t>(), d.n, ignore_index);
  check_launch(op);
  double host_total[2] = {0.0, 0.0};
  AXON_CUDA_CHECK(cudaMemcpyAsync(host_total, total.raw(), sizeof host_total,
                                  cudaMemcpyDeviceToHost, s.get()));
  s.synchronize();
  return host_total[1] == 0.0 ? 0.0f : static_cast<float>(host_total[0] / host_total[1]);
}

void cross_entropy_backward(const tensor& dlogits, const tensor& probs, const tensor& targets,
                            float dloss, const op_stream& s, int ignore_index) {
  constexpr auto op = "cross_entropy_backward";
  auto d = check(op, probs, targets, s);
  require_same(op, "dlogits", dlogits, "probs", probs);
  require_on(op, "dlogits", dlogits, s);
  if (d.n == 0)
    return;
  auto count = s.scratch({1}, dtype::i32);
  ce_count<<<1, sum_threads, 0, s.get()>>>(count.data<std::int32_t>(),
                                           targets.data<std::int32_t>(), d.n, ignore_index);
  ce_backward_kernel<<<blocks_for(d.n * d.v), threads_per_block, 0, s.get()>>>(
    dlogits.data<float>(), probs.data<float>(), targets.data<std::int32_t>(),
    count.data<std::int32_t>(), dloss, d.n, d.v, ignore_index, s.fault_word());
  check_launch(op);
}

} // namespace axon::ops::cuda
