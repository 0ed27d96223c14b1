// Flash-style attention kernels. Each block holds `warps` rows (one warp each) of one
// (sequence, head) and walks the other side in tiles of 32 rows staged in shared memory;
// lane k of a warp owns row k of the tile for scores and dimensions k, k+32, ... for the
// row sums. Scores are (q * scale) . k in every kernel, summed in the same order, so
// backward recomputes forward's probabilities exactly from the row's log-sum-exp.
//   forward: online softmax (running max m, running sum l), out = sum_j p_ij drop_ij v_j
//   backward: D_i = dout_i . out_i;  dS_ij = p_ij (drop_ij dout_i . v_j - D_i)
//             dv_j = sum_i p_ij drop_ij dout_i;  dk_j = sum_i dS_ij (q_i * scale);
//             dq_i = scale * sum_j dS_ij k_j
#include "ops/cuda/flash_attention.hpp"

#include "ops/attention_dims.hpp"
#include "ops/cuda/kernel_util.cuh"
#include "ops/op_error.hpp"
#include "runtime/philox.hpp"

#include <cmath>

namespace axon::ops::cuda {

namespace {

constexpr int tile = 32;   // rows per shared-memory tile (= warp size)
constexpr int warps = 4;   // rows of a block: one warp each
constexpr int max_hs = 128;
constexpr int dims_per_lane = max_hs / 32;
constexpr unsigned full_mask = 0xffffffffu;

// The dropout draw of the CPU op (ops/cpu/dropout.cpp's dropout_scales) for probability
// (b, h, i, j): offset attention_draw_offset(h, i, j) of example first_example + b.
struct drop_params {
  float p;
  std::uint64_t seed, first_example;
  std::uint32_t site;
};

drop_params drop_params_of(const dropout_spec& drop) {
  return {drop.p, drop.seed, drop.first_example, drop.site};
}

__device__ float drop_scale(std::int64_t b, std::int64_t h, std::int64_t i, std::int64_t j,
                            const drop_params& drop) {
  if (drop.p == 0.0f)
    return 1.0f;
  const auto offset = attention_draw_offset(h, i, j);
  auto bits = dropout_block(drop.first_example + static_cast<std::uint64_t>(b), drop.site,
                            static_cast<std::uint32_t>(offset / 4), drop.seed);
  return uniform_from_bits(bits[offset % 4]) >= drop.p ? 1.0f / (1.0f - drop.p) : 0.0f;
}

__device__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf(v, __shfl_xor_sync(full_mask, v, offset));
  return v;
}

__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync(full_mask, v, offset);
  return v;
}

// Whether any key of the sequence is attended (block-wide; every thread must call it).
// A row with none attends to all keys, as the CPU op does.
__device__ bool any_key_attended(const std::int32_t* mask_row, std::int64_t t) {
  bool found = mask_row == nullptr;
  for (auto j = std::int64_t{threadIdx.x}; !found && j < t; j += blockDim.x)
    found = mask_row[j] != 0;
  return __syncthreads_or(found) != 0;
}

__device__ bool key_kept(const std::int32_t* mask_row, std::int64_t j, bool any_attended) {
  return mask_row == nullptr || !any_attended || mask_row[j] != 0;
}

// Where things are for block (row tile, sequence * head).
struct head_view {
  std::int64_t bh, bi, h;
  const float* q;  // row 0's query of this head in qkv; key at +c, value at +2c
  std::int64_t ld; // qkv row stride, 3C
  const std::int32_t* mask_row;
};

__device__ head_view view_of(const float* qkv, const std::int32_t* mask, const attention_dims& d) {
  head_view v;
  v.bh = blockIdx.y;
  v.bi = v.bh / d.nh;
  v.h = v.bh % d.nh;
  v.ld = 3 * d.c;
  v.q = qkv + v.bi * d.t * v.ld + v.h * d.hs;
  v.mask_row = mask != nullptr ? mask + v.bi * d.t : nullptr;
  return v;
}

// Offset of row i, dimension 0 of this head in a (B,T,C) tensor.
__device__ std::int64_t btc_offset(const head_view& v, const attention_dims& d, std::int64_t i) {
  return (v.bi * d.t + i) * d.c + v.h * d.hs;
}

// Rows j0 .. j0+31 of this head's keys and values into ks, vs (zeros past T); the whole
// block calls it.
__device__ void load_key_value_tile(float (*ks)[max_hs + 1], float (*vs)[max_hs + 1],
                                    const head_view& v, const attention_dims& d,
                                    std::int64_t j0) {
  const int hs = int(d.hs);
  for (int x = int(threadIdx.x); x < tile * hs; x += int(blockDim.x)) {
    const int jj = x / hs, dim = x % hs;
    const auto j = j0 + jj;
    ks[jj][dim] = j < d.t ? v.q[j * v.ld + d.c + dim] : 0.0f;
    vs[jj][dim] = j < d.t ? v.q[j * v.ld + 2 * d.c + dim] : 0.0f;
  }
}

__global__ void forward_kernel(float* out, float* lse, const float* qkv, const std::int32_t* mask,
                               attention_dims d, float scale, drop_params drop) {
  __shared__ float ks[tile][max_hs + 1], vs[tile][max_hs + 1]; // +1: no bank conflicts
  __shared__ float qs[warps][max_hs];
  const int lane = int(threadIdx.x) % 32, w = int(threadIdx.x) / 32, hs = int(d.hs);
  const auto v = view_of(qkv, mask, d);
  const auto i = std::int64_t{blockIdx.x} * warps + w; // this warp's query row
  const bool any = any_key_attended(v.mask_row, d.t);
  if (i < d.t)
    for (int x = lane; x < hs; x += 32)
      qs[w][x] = v.q[i * v.ld + x] * scale;
  float m = -INFINITY, l = 0.0f, acc[dims_per_lane] = {};
  for (std::int64_t j0 = 0; j0 < d.t; j0 += tile) {
    __syncthreads(); // the previous tile is consumed; qs is written
    load_key_value_tile(ks, vs, v, d, j0);
    __syncthreads();
    if (i >= d.t)
      continue;
    const auto j = j0 + lane;
    const bool valid = j < d.t && key_kept(v.mask_row, j, any);
    float score = -INFINITY;
    if (valid) {
      float dot = 0.0f;
      for (int x = 0; x < hs; ++x)
        dot += qs[w][x] * ks[lane][x];
      score = dot;
    }
    const float m_new = fmaxf(m, warp_max(score));
    if (m_new == -INFINITY) // no attended key so far (the same for the whole warp)
      continue;
    const float p = valid ? expf(score - m_new) : 0.0f;
    const float correction = expf(m - m_new); // 0 while m is -inf
    l = l * correction + warp_sum(p);
    const float p_dropped = valid ? p * drop_scale(v.bi, v.h, i, j, drop) : 0.0f;
#pragma unroll
    for (int r = 0; r < dims_per_lane; ++r)
      acc[r] *= correction;
    for (int jj = 0; jj < tile; ++jj) {
      const float pj = __shfl_sync(full_mask, p_dropped, jj);
#pragma unroll
      for (int r = 0; r < dims_per_lane; ++r)
        if (lane + 32 * r < hs)
          acc[r] += pj * vs[jj][lane + 32 * r];
    }
    m = m_new;
  }
  if (i >= d.t)
    return;
  float* y = out + btc_offset(v, d, i);
#pragma unroll
  for (int r = 0; r < dims_per_lane; ++r)
    if (lane + 32 * r < hs)
      y[lane + 32 * r] = acc[r] / l;
  if (lane == 0)
    lse[v.bh * d.t + i] = m + logf(l);
}

// D (B*NH*T) = dout_i . out_i per head row; one warp per row.
__global__ void row_dot_kernel(float* dsum, const float* dout, const float* out,
                               attention_dims d) {
  const int lane = int(threadIdx.x) % 32;
  const auto row = std::int64_t{blockIdx.x} * warps + int(threadIdx.x) / 32; // (bh, i)
  if (row >= d.b * d.nh * d.t)
    return;
  const auto bh = row / d.t, i = row % d.t, bi = bh / d.nh, h = bh % d.nh;
  const auto offset = (bi * d.t + i) * d.c + h * d.hs;
  float sum = 0.0f;
  for (auto x = std::int64_t{lane}; x < d.hs; x += 32)
    sum += dout[offset + x] * out[offset + x];
  sum = warp_sum(sum);
  if (lane == 0)
    dsum[row] = sum;
}

// dk, dv: one warp per key row j, walking the query rows in tiles.
__global__ void dkdv_kernel(float* dqkv, const float* dout, const float* qkv, const float* lse,
                            const float* dsum, const std::int32_t* mask, attention_dims d,
                            float scale, drop_params drop, bool accumulate) {
  __shared__ float qs[tile][max_hs + 1], dos[tile][max_hs + 1];
  __shared__ float krow[warps][max_hs], vrow[warps][max_hs];
  __shared__ float lse_tile[tile], dsum_tile[tile];
  const int lane = int(threadIdx.x) % 32, w = int(threadIdx.x) / 32, hs = int(d.hs);
  const auto v = view_of(qkv, mask, d);
  const auto j = std::int64_t{blockIdx.x} * warps + w; // this warp's key row
  const bool any = any_key_attended(v.mask_row, d.t);
  const bool key_valid = j < d.t && key_kept(v.mask_row, j, any);
  if (j < d.t)
    for (int x = lane; x < hs; x += 32) {
      krow[w][x] = v.q[j * v.ld + d.c + x];
      vrow[w][x] = v.q[j * v.ld + 2 * d.c + x];
    }
  float dk[dims_per_lane] = {}, dv[dims_per_lane] = {};
  for (std::int64_t i0 = 0; i0 < d.t; i0 += tile) {
    __syncthreads();
    for (int x = int(threadIdx.x); x < tile * hs; x += int(blockDim.x)) {
      const int ii = x / hs, dim = x % hs;
      const auto i = i0 + ii;
      qs[ii][dim] = i < d.t ? v.q[i * v.ld + dim] * scale : 0.0f;
      dos[ii][dim] = i < d.t ? dout[btc_offset(v, d, i) + dim] : 0.0f;
    }
    if (threadIdx.x < tile) {
      const auto i = i0 + threadIdx.x;
      lse_tile[threadIdx.x] = i < d.t ? lse[v.bh * d.t + i] : 0.0f;
      dsum_tile[threadIdx.x] = i < d.t ? dsum[v.bh * d.t + i] : 0.0f;
    }
    __syncthreads();
    if (!key_valid)
      continue;
    const auto i = i0 + lane;
    float p_dropped = 0.0f, ds = 0.0f;
    if (i < d.t) {
      float score = 0.0f, dp = 0.0f;
      for (int x = 0; x < hs; ++x) {
        score += qs[lane][x] * krow[w][x];
        dp += dos[lane][x] * vrow[w][x];
      }
      const float p = expf(score - lse_tile[lane]);
      const float keep = drop_scale(v.bi, v.h, i, j, drop);
      p_dropped = p * keep;
      ds = p * (keep * dp - dsum_tile[lane]);
    }
    for (int ii = 0; ii < tile; ++ii) {
      const float pi = __shfl_sync(full_mask, p_dropped, ii);
      const float dsi = __shfl_sync(full_mask, ds, ii);
#pragma unroll
      for (int r = 0; r < dims_per_lane; ++r)
        if (lane + 32 * r < hs) {
          dv[r] += pi * dos[ii][lane + 32 * r];
          dk[r] += dsi * qs[ii][lane + 32 * r];
        }
    }
  }
  if (j >= d.t)
    return;
  float* dk_out = dqkv + (v.bi * d.t + j) * v.ld + d.c + v.h * d.hs;
  float* dv_out = dk_out + d.c;
#pragma unroll
  for (int r = 0; r < dims_per_lane; ++r) {
    const int x = lane + 32 * r;
    if (x < hs) {
      dk_out[x] = accumulate ? dk_out[x] + dk[r] : dk[r];
      dv_out[x] = accumulate ? dv_out[x] + dv[r] : dv[r];
    }
  }
}

// dq: one warp per query row i, walking the key rows in tiles.
__global__ void dq_kernel(float* dqkv, const float* dout, const float* qkv, const float* lse,
                          const float* dsum, const std::int32_t* mask, attention_dims d,
                          float scale, drop_params drop, bool accumulate) {
  __shared__ float ks[tile][max_hs + 1], vs[tile][max_hs + 1];
  __shared__ float qrow[warps][max_hs], dorow[warps][max_hs];
  const int lane = int(threadIdx.x) % 32, w = int(threadIdx.x) / 32, hs = int(d.hs);
  const auto v = view_of(qkv, mask, d);
  const auto i = std::int64_t{blockIdx.x} * warps + w;
  const bool any = any_key_attended(v.mask_row, d.t);
  float row_lse = 0.0f, row_dsum = 0.0f;
  if (i < d.t) {
    for (int x = lane; x < hs; x += 32) {
      qrow[w][x] = v.q[i * v.ld + x] * scale;
      dorow[w][x] = dout[btc_offset(v, d, i) + x];
    }
    row_lse = lse[v.bh * d.t + i];
    row_dsum = dsum[v.bh * d.t + i];
  }
  float dq[dims_per_lane] = {};
  for (std::int64_t j0 = 0; j0 < d.t; j0 += tile) {
    __syncthreads();
    load_key_value_tile(ks, vs, v, d, j0);
    __syncthreads();
    if (i >= d.t)
      continue;
    const auto j = j0 + lane;
    float ds = 0.0f;
    if (j < d.t && key_kept(v.mask_row, j, any)) {
      float score = 0.0f, dp = 0.0f;
      for (int x = 0; x < hs; ++x) {
        score += qrow[w][x] * ks[lane][x];
        dp += dorow[w][x] * vs[lane][x];
      }
      const float p = expf(score - row_lse);
      ds = p * (drop_scale(v.bi, v.h, i, j, drop) * dp - row_dsum);
    }
    for (int jj = 0; jj < tile; ++jj) {
      const float dsj = __shfl_sync(full_mask, ds, jj);
#pragma unroll
      for (int r = 0; r < dims_per_lane; ++r)
        if (lane + 32 * r < hs)
          dq[r] += dsj * ks[jj][lane + 32 * r];
    }
  }
  if (i >= d.t)
    return;
  float* dq_out = dqkv + (v.bi * d.t + i) * v.ld + v.h * d.hs;
#pragma unroll
  for (int r = 0; r < dims_per_lane; ++r) {
    const int x = lane + 32 * r;
    if (x < hs)
      dq_out[x] = accumulate ? dq_out[x] + scale * dq[r] : scale * dq[r];
  }
}

attention_dims check(std::string_view op, const tensor& qkv, const tensor& lse,
                     const tensor& key_mask, int n_heads, const dropout_spec& drop,
                     const op_stream& s) {
  auto d = check_attention_inputs(op, qkv, key_mask, n_heads, drop, s.where());
  require(d.hs <= max_hs, op,
          "head size " + std::to_string(d.hs) + " exceeds " + std::to_string(max_hs)
            + " (use the cuBLAS attention)");
  require(d.b * d.nh <= 65535, op, "B x NH exceeds 65535 (the grid's y dimension)");
  require_tensor(op, "lse", lse, {d.b, d.nh, d.t}, dtype::f32, s.where());
  return d;
}

dim3 grid_of(const attention_dims& d) {
  return {static_cast<unsigned>((d.t + warps - 1) / warps), static_cast<unsigned>(d.b * d.nh)};
}

const std::int32_t* mask_or_null(const tensor& key_mask) {
  return key_mask.defined() ? key_mask.data<std::int32_t>() : nullptr;
}

} // namespace

void flash_attention_forward(const tensor& out, const tensor& lse, const tensor& qkv,
                             const tensor& key_mask, int n_heads, const dropout_spec& drop,
                             const op_stream& s) {
  constexpr auto op = "flash_attention_forward";
  auto d = check(op, qkv, lse, key_mask, n_heads, drop, s);
  require_tensor(op, "out", out, {d.b, d.t, d.c}, dtype::f32, s.where());
  if (d.b * d.t == 0 || d.c == 0)
    return;
  forward_kernel<<<grid_of(d), 32 * warps, 0, s.get()>>>(
    out.data<float>(), lse.data<float>(), qkv.data<float>(), mask_or_null(key_mask), d,
    1.0f / std::sqrt(float(d.hs)), drop_params_of(drop));
  check_launch(op);
}

void flash_attention_backward(const tensor& dqkv, const tensor& dout, const tensor& out,
                              const tensor& qkv, const tensor& lse, const tensor& key_mask,
                              int n_heads, const dropout_spec& drop, const op_stream& s,
                              grad_write dqkv_write) {
  constexpr auto op = "flash_attention_backward";
  auto d = check(op, qkv, lse, key_mask, n_heads, drop, s);
  require_tensor(op, "dqkv", dqkv, qkv.sizes(), dtype::f32, s.where());
  require_tensor(op, "dout", dout, {d.b, d.t, d.c}, dtype::f32, s.where());
  require_tensor(op, "out", out, {d.b, d.t, d.c}, dtype::f32, s.where());
  if (d.b * d.t == 0 || d.c == 0)
    return;
  auto dsum = s.scratch({d.b, d.nh, d.t});
  const auto rows = d.b * d.nh * d.t;
  row_dot_kernel<<<static_cast<unsigned>((rows + warps - 1) / warps), 32 * warps, 0, s.get()>>>(
    dsum.data<float>(), dout.data<float>(), out.data<float>(), d);
  check_launch(op);
  const float scale = 1.0f / std::sqrt(float(d.hs));
  const drop_params dp = drop_params_of(drop);
  const bool accumulate = dqkv_write == grad_write::accumulate;
  dkdv_kernel<<<grid_of(d), 32 * warps, 0, s.get()>>>(
    dqkv.data<float>(), dout.data<float>(), qkv.data<float>(), lse.data<float>(),
    dsum.data<float>(), mask_or_null(key_mask), d, scale, dp, accumulate);
  check_launch(op);
  dq_kernel<<<grid_of(d), 32 * warps, 0, s.get()>>>(
    dqkv.data<float>(), dout.data<float>(), qkv.data<float>(), lse.data<float>(),
    dsum.data<float>(), mask_or_null(key_mask), d, scale, dp, accumulate);
  check_launch(op);
}

} // namespace axon::ops::cuda
