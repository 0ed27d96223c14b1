// window_pooling: one block per document for the attention scores (block-wide dot products
// over C), one thread per (document, column) for the sums over a document's windows.
#include "ops/cuda/window_pooling.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/cuda/check.hpp"

namespace axon::ops::cuda {

namespace {

struct pool_dims {
  std::int64_t n, d, c;
};

// inp (N,C) and offsets i32 (D+1), both on the stream's device.
pool_dims check(std::string_view op, const tensor& inp, const tensor& offsets,
                const op_stream& s) {
  require(inp.defined() && inp.rank() == 2, op,
          "inp is " + (inp.defined() ? inp.describe() : std::string{"undefined"})
            + ", expected (N,C)");
  require(offsets.defined() && offsets.rank() == 1 && offsets.size(0) >= 1, op,
          "offsets is " + (offsets.defined() ? offsets.describe() : std::string{"undefined"})
            + ", expected i32 (D+1)");
  pool_dims dims{inp.size(0), offsets.size(0) - 1, inp.size(1)};
  require_tensor(op, "inp", inp, {dims.n, dims.c}, dtype::f32, s.where());
  require_tensor(op, "offsets", offsets, {dims.d + 1}, dtype::i32, s.where());
  return dims;
}

// Document d's windows [first, last), clamped to [0, n].
__device__ void window_range(const std::int32_t* o, std::int64_t d, std::int64_t n,
                             std::int64_t& first, std::int64_t& last) {
  first = min(max(std::int64_t{o[d]}, std::int64_t{0}), n);
  last = min(max(std::int64_t{o[d + 1]}, first), n);
}

// The (document, column) of this thread in a grid (D, column blocks), and the document's
// windows; false for a thread past the last column.
struct document_column {
  std::int64_t d, k, first, last;
};

__device__ bool this_document_column(const std::int32_t* o, std::int64_t n, std::int64_t c,
                                     document_column& at) {
  at.d = blockIdx.x;
  at.k = std::int64_t{blockIdx.y} * blockDim.x + threadIdx.x;
  if (at.k >= c)
    return false;
  window_range(o, at.d, n, at.first, at.last);
  return true;
}

// Grid (D, column blocks): y[d,k] = mean of x[first..last, k] (0 without windows).
__global__ void mean_pool_forward_kernel(float* y, const float* x, const std::int32_t* o,
                                         std::int64_t n, std::int64_t c) {
  document_column at;
  if (!this_document_column(o, n, c, at))
    return;
  const auto [d, k, first, last] = at;
  double sum = 0;
  for (auto w = first; w < last; ++w)
    sum += x[w * c + k];
  y[d * c + k] = last > first ? float(sum / double(last - first)) : 0.0f;
}

// Grid (D, column blocks): dx[w,k] += dy[d,k] / windows, on each window w of d.
__global__ void mean_pool_backward_kernel(float* dx, const float* dy, const std::int32_t* o,
                                          std::int64_t n, std::int64_t c) {
  document_column at;
  if (!this_document_column(o, n, c, at))
    return;
  const auto [d, k, first, last] = at;
  for (auto w = first; w < last; ++w)
    dx[w * c + k] += float(double(dy[d * c + k]) / double(last - first));
}

// a . b over C, by the whole block; every thread gets it.
__device__ double block_dot(const float* a, const float* b, std::int64_t c) {
  double partial = 0;
  for (auto k = std::int64_t{threadIdx.x}; k < c; k += blockDim.x)
    partial += double(a[k]) * b[k];
  return block_sum(partial);
}

// One block per document: probs[w] = softmax over the document's windows of x[w] . q.
__global__ void attention_weights_kernel(float* p, const float* x, const float* q,
                                         const std::int32_t* o, std::int64_t n, std::int64_t c) {
  std::int64_t first, last;
  window_range(o, blockIdx.x, n, first, last);
  double top = -INFINITY;
  for (auto w = first; w < last; ++w)
    top = fmax(top, block_dot(x + w * c, q, c));
  double total = 0;
  for (auto w = first; w < last; ++w)
    total += exp(block_dot(x + w * c, q, c) - top);
  for (auto w = first; w < last; ++w) {
    const double weight = exp(block_dot(x + w * c, q, c) - top) / total;
    if (threadIdx.x == 0)
      p[w] = float(weight);
  }
}

// Grid (D, column blocks): y[d,k] = sum_w probs[w] x[w,k].
__global__ void weighted_sum_kernel(float* y, const float* p, const float* x,
                                    const std::int32_t* o, std::int64_t n, std::int64_t c) {
  document_column at;
  if (!this_document_column(o, n, c, at))
    return;
  const auto [d, k, first, last] = at;
  double sum = 0;
  for (auto w = first; w < last; ++w)
    sum += double(p[w]) * x[w * c + k];
  y[d * c + k] = float(sum);
}

// One block per document: with g[w] = dy[d] . x[w],
// ds[w] = probs[w] (g[w] - sum_m probs[m] g[m]).
__global__ void attention_score_grads_kernel(float* ds, const float* dy, const float* x,
                                             const float* p, const std::int32_t* o,
                                             std::int64_t n, std::int64_t c) {
  const std::int64_t d = blockIdx.x;
  std::int64_t first, last;
  window_range(o, d, n, first, last);
  double mean_g = 0;
  for (auto w = first; w < last; ++w)
    mean_g += double(p[w]) * block_dot(dy + d * c, x + w * c, c);
  for (auto w = first; w < last; ++w) {
    const double g = block_dot(dy + d * c, x + w * c, c);
    if (threadIdx.x == 0)
      ds[w] = float(double(p[w]) * (g - mean_g));
  }
}

// Grid (D, column blocks): dx[w,k] += probs[w] dy[d,k] + ds[w] q[k].
__global__ void attention_input_grads_kernel(float* dx, const float* dy, const float* p,
                                             const float* ds, const float* q,
                                             const std::int32_t* o, std::int64_t n,
                                             std::int64_t c) {
  document_column at;
  if (!this_document_column(o, n, c, at))
    return;
  const auto [d, k, first, last] = at;
  for (auto w = first; w < last; ++w)
    dx[w * c + k] += float(double(p[w]) * dy[d * c + k] + double(ds[w]) * q[k]);
}

// One thread per column: dq[k] += sum over every window w of ds[w] x[w,k] (a window of no
// document has ds 0: the score kernel leaves it zeroed).
__global__ void query_grads_kernel(float* dq, const float* ds, const float* x, std::int64_t n,
                                   std::int64_t c) {
  const auto k = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (k >= c)
    return;
  double sum = 0;
  for (std::int64_t w = 0; w < n; ++w)
    sum += double(ds[w]) * x[w * c + k];
  dq[k] += float(sum);
}

dim3 document_columns(const pool_dims& dims) {
  return dim3(static_cast<unsigned>(dims.d), blocks_for(dims.c));
}

} // namespace

void mean_pool_forward(const tensor& out, const tensor& inp, const tensor& offsets,
                       const op_stream& s) {
  constexpr auto op = "mean_pool_forward";
  const auto dims = check(op, inp, offsets, s);
  require_tensor(op, "out", out, {dims.d, dims.c}, dtype::f32, s.where());
  if (dims.d == 0 || dims.c == 0)
    return;
  mean_pool_forward_kernel<<<document_columns(dims), threads_per_block, 0, s.get()>>>(
    out.data<float>(), inp.data<float>(), offsets.data<std::int32_t>(), dims.n, dims.c);
  check_launch(op);
}

void mean_pool_backward(const tensor& dinp, const tensor& dout, const tensor& offsets,
                        const op_stream& s) {
  constexpr auto op = "mean_pool_backward";
  const auto dims = check(op, dinp, offsets, s);
  require_tensor(op, "dout", dout, {dims.d, dims.c}, dtype::f32, s.where());
  if (dims.n == 0 || dims.c == 0) // no window: no gradient
    return;
  mean_pool_backward_kernel<<<document_columns(dims), threads_per_block, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), offsets.data<std::int32_t>(), dims.n, dims.c);
  check_launch(op);
}

void attention_pool_forward(const tensor& out, const tensor& probs, const tensor& inp,
                            const tensor& query, const tensor& offsets, const op_stream& s) {
  constexpr auto op = "attention_pool_forward";
  const auto dims = check(op, inp, offsets, s);
  require_tensor(op, "out", out, {dims.d, dims.c}, dtype::f32, s.where());
  require_tensor(op, "probs", probs, {dims.n}, dtype::f32, s.where());
  require_tensor(op, "query", query, {dims.c}, dtype::f32, s.where());
  if (dims.d == 0 || dims.c == 0)
    return;
  const auto* o = offsets.data<std::int32_t>();
  attention_weights_kernel<<<static_cast<unsigned>(dims.d), threads_per_block, 0, s.get()>>>(
    probs.data<float>(), inp.data<float>(), query.data<float>(), o, dims.n, dims.c);
  check_launch(op);
  weighted_sum_kernel<<<document_columns(dims), threads_per_block, 0, s.get()>>>(
    out.data<float>(), probs.data<float>(), inp.data<float>(), o, dims.n, dims.c);
  check_launch(op);
}

void attention_pool_backward(const tensor& dinp, const tensor& dquery, const tensor& dout,
                             const tensor& inp, const tensor& query, const tensor& probs,
                             const tensor& offsets, const op_stream& s) {
  constexpr auto op = "attention_pool_backward";
  const auto dims = check(op, inp, offsets, s);
  require_same(op, "dinp", dinp, "inp", inp);
  require_tensor(op, "dquery", dquery, {dims.c}, dtype::f32, s.where());
  require_tensor(op, "dout", dout, {dims.d, dims.c}, dtype::f32, s.where());
  require_tensor(op, "query", query, {dims.c}, dtype::f32, s.where());
  require_tensor(op, "probs", probs, {dims.n}, dtype::f32, s.where());
  if (dims.n == 0 || dims.c == 0) // no window: no gradient
    return;
  const auto* o = offsets.data<std::int32_t>();
  auto ds = s.scratch({dims.n}); // d loss / d score of each window
  AXON_CUDA_CHECK(cudaMemsetAsync(ds.raw(), 0, ds.nbytes(), s.get()));
  attention_score_grads_kernel<<<static_cast<unsigned>(dims.d), threads_per_block, 0, s.get()>>>(
    ds.data<float>(), dout.data<float>(), inp.data<float>(), probs.data<float>(), o, dims.n,
    dims.c);
  check_launch(op);
  attention_input_grads_kernel<<<document_columns(dims), threads_per_block, 0, s.get()>>>(
    dinp.data<float>(), dout.data<float>(), probs.data<float>(), ds.data<float>(),
    query.data<float>(), o, dims.n, dims.c);
  check_launch(op);
  query_grads_kernel<<<blocks_for(dims.c), threads_per_block, 0, s.get()>>>(
    dquery.data<float>(), ds.data<float>(), inp.data<float>(), dims.n, dims.c);
  check_launch(op);
}

} // namespace axon::ops::cuda
