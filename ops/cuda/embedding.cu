// Embedding kernels: one thread per output element (b,t,i).
#include "ops/cuda/embedding.hpp"

#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"

namespace axon::ops::cuda {

namespace {

struct tables {
  std::int64_t b, t, c, vocab, n_types;
};

// The table row of token r, or -1 (and a fault) when it is out of range.
__device__ std::int64_t row_of(const std::int32_t* index, std::int64_t r, std::int64_t limit,
                               int* fault) {
  std::int64_t k = index == nullptr ? 0 : index[r];
  if (k >= 0 && k < limit)
    return k;
  atomicCAS(fault, 0, int(device_fault::index_out_of_range));
  return -1;
}

__global__ void embedding_forward_kernel(float* y, const std::int32_t* ids,
                                         const std::int32_t* types, const float* wte,
                                         const float* wpe, const float* wtt, tables d,
                                         int* fault) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= d.b * d.t * d.c)
    return;
  auto r = e / d.c, i = e % d.c;
  auto tok = row_of(ids, r, d.vocab, fault);
  float v = tok < 0 ? 0.0f : wte[tok * d.c + i] + wpe[(r % d.t) * d.c + i];
  if (wtt != nullptr && tok >= 0) {
    auto typ = row_of(types, r, d.n_types, fault);
    v = typ < 0 ? 0.0f : v + wtt[typ * d.c + i];
  }
  y[e] = v;
}

// dwpe[t,i] += sum over b of dout[b,t,i]: one thread per (t,i), fixed order.
__global__ void position_grad_kernel(float* dwpe, const float* dy, tables d) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= d.t * d.c)
    return;
  float sum = 0.0f;
  for (std::int64_t bi = 0; bi < d.b; ++bi)
    sum += dy[bi * d.t * d.c + e];
  dwpe[e] += sum;
}

__global__ void token_grad_kernel(float* dwte, float* dwtt, const float* dy,
                                  const std::int32_t* ids, const std::int32_t* types, tables d,
                                  int* fault) {
  auto e = std::int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  if (e >= d.b * d.t * d.c)
    return;
  auto r = e / d.c, i = e % d.c;
  auto tok = row_of(ids, r, d.vocab, fault);
  if (tok >= 0)
    atomicAdd(dwte + tok * d.c + i, dy[e]);
  if (dwtt != nullptr) {
    auto typ = row_of(types, r, d.n_types, fault);
    if (typ >= 0)
      atomicAdd(dwtt + typ * d.c + i, dy[e]);
  }
}

// Shapes of ids/types and the tables (weights or their gradients, same shapes).
tables check(std::string_view op, const tensor& ids, const tensor& types, const tensor& wte,
             const tensor& wpe, const tensor& wtt, const op_stream& s) {
  require(wte.defined() && wte.rank() == 2, op, "wte is " + wte.describe() + ", expected (V,C)");
  auto c = wte.size(1);
  require_on(op, "wte", wte, s);
  require(wpe.defined() && wpe.rank() == 2 && wpe.size(1) == c, op,
          "wpe is " + wpe.describe() + ", expected (P," + std::to_string(c) + ")");
  require_on(op, "wpe", wpe, s);
  if (wtt.defined()) {
    require(wtt.rank() == 2 && wtt.size(1) == c, op,
            "wtt is " + wtt.describe() + ", expected (TT," + std::to_string(c) + ")");
    require_on(op, "wtt", wtt, s);
  }
  require(ids.defined() && ids.rank() == 2, op, "ids is " + ids.describe() + ", expected (B,T)");
  require_tensor(op, "ids", ids, ids.sizes(), dtype::i32, s.where());
  if (types.defined())
    require_tensor(op, "types", types, ids.sizes(), dtype::i32, s.where());
  require(ids.size(1) <= wpe.size(0), op,
          "sequence length " + std::to_string(ids.size(1)) + " exceeds the "
            + std::to_string(wpe.size(0)) + " position embeddings");
  return {ids.size(0), ids.size(1), c, wte.size(0), wtt.defined() ? wtt.size(0) : 1};
}

const std::int32_t* types_or_null(const tensor& types) {
  return types.defined() ? types.data<std::int32_t>() : nullptr;
}

float* or_null(const tensor& t) {
  return t.defined() ? t.data<float>() : nullptr;
}

} // namespace

void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt,
                       const op_stream& s) {
  constexpr auto op = "embedding_forward";
  auto d = check(op, ids, types, wte, wpe, wtt, s);
  require_tensor(op, "out", out, {d.b, d.t, d.c}, dtype::f32, s.where());
  auto n = d.b * d.t * d.c;
  if (n == 0)
    return;
  embedding_forward_kernel<<<blocks_for(n), threads_per_block, 0, s.get()>>>(
    out.data<float>(), ids.data<std::int32_t>(), types_or_null(types), wte.data<float>(),
    wpe.data<float>(), or_null(wtt), d, s.fault_word());
  check_launch(op);
}

void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types,
                        const op_stream& s) {
  constexpr auto op = "embedding_backward";
  auto d = check(op, ids, types, dwte, dwpe, dwtt, s);
  require_tensor(op, "dout", dout, {d.b, d.t, d.c}, dtype::f32, s.where());
  if (d.b * d.t * d.c == 0)
    return;
  position_grad_kernel<<<blocks_for(d.t * d.c), threads_per_block, 0, s.get()>>>(
    dwpe.data<float>(), dout.data<float>(), d);
  token_grad_kernel<<<blocks_for(d.b * d.t * d.c), threads_per_block, 0, s.get()>>>(
    dwte.data<float>(), or_null(dwtt), dout.data<float>(), ids.data<std::int32_t>(),
    types_or_null(types), d, s.fault_word());
  check_launch(op);
}

} // namespace axon::ops::cuda
