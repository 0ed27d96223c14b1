// Linear forward/backward through OpenBLAS sgemm, split over the compute pool by rows or
// columns of the output being written (so threads never write the same memory).
#include "ops/cpu/linear.hpp"

#include "ops/cpu/gemm.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

#include <vector>

namespace axon::ops {

namespace {

constexpr std::int64_t row_grain = 16;
// Output features per chunk when the forward splits by columns: a multiple of the widest
// GEMM micro-kernel's (AVX-512: 32 floats), so that no chunk ends in a ragged tile.
constexpr std::int64_t column_grain = 64;

// weight (OC,C) and inp (...,C): a mismatch names both shapes. Returns {OC, C, N rows}.
struct linear_dims {
  std::int64_t oc, c, n;
};

linear_dims require_weight_and_input(std::string_view op, const tensor& weight,
                                     const tensor& inp) {
  require(weight.defined() && weight.rank() == 2, op,
          "weight is " + weight.describe() + ", expected (OC,C)");
  auto oc = weight.size(0), c = weight.size(1);
  require_tensor(op, "weight", weight, {oc, c});
  require(inp.defined() && inp.rank() >= 1 && inp.size(-1) == c, op,
          "inp is " + inp.describe() + " but weight is " + weight.describe()
            + ", expected inp (...," + std::to_string(c) + ")");
  return {oc, c, require_rows(op, "inp", inp, c)};
}

} // namespace

void linear_forward(const tensor& out, const tensor& inp, const tensor& weight,
                    const tensor& bias) {
  constexpr auto op = "linear_forward";
  auto [oc, c, n] = require_weight_and_input(op, weight, inp);
  require(require_rows(op, "out", out, oc) == n, op,
          "out is " + out.describe() + " but inp is " + inp.describe());
  if (bias.defined())
    require_tensor(op, "bias", bias, {oc});
  const float* x = inp.data<float>();
  const float* w = weight.data<float>();
  const float* b = bias.defined() ? bias.data<float>() : nullptr;
  float* y = out.data<float>();
  // Output columns [col0, col1) of rows [row0, row1): y = x W^T + b. Every sgemm packs the
  // weight rows it reads, so a split by rows packs all of W once per chunk; with fewer
  // rows than output features (a serving batch of one sentence: 20 rows against 512) a
  // split by columns packs each weight row once, and the packing is most of the work.
  auto rows_and_columns = [=](std::int64_t row0, std::int64_t row1, std::int64_t col0,
                              std::int64_t col1) {
    float beta = 0.0f;
    if (b != nullptr) {
      for (auto r = row0; r < row1; ++r)
        std::copy(b + col0, b + col1, y + r * oc + col0);
      beta = 1.0f;
    }
    sgemm(CblasNoTrans, CblasTrans, int(row1 - row0), int(col1 - col0), int(c), 1.0f,
          x + row0 * c, int(c), w + col0 * c, int(c), beta, y + row0 * oc + col0, int(oc));
  };
  if (n < oc)
    parallel_for(oc, column_grain,
                 [&](std::int64_t begin, std::int64_t end) { rows_and_columns(0, n, begin, end); });
  else
    parallel_for(n, row_grain,
                 [&](std::int64_t begin, std::int64_t end) { rows_and_columns(begin, end, 0, oc); });
}

void linear_backward(const tensor& dinp, const tensor& dweight, const tensor& dbias,
                     const tensor& dout, const tensor& inp, const tensor& weight,
                     grad_write dinp_write) {
  constexpr auto op = "linear_backward";
  auto [oc, c, n] = require_weight_and_input(op, weight, inp);
  require_tensor(op, "dweight", dweight, {oc, c});
  require(require_rows(op, "dout", dout, oc) == n, op,
          "dout is " + dout.describe() + " but inp is " + inp.describe());
  if (dinp.defined())
    require_same(op, "dinp", dinp, "inp", inp);
  if (dbias.defined())
    require_tensor(op, "dbias", dbias, {oc});
  const float* x = inp.data<float>();
  const float* w = weight.data<float>();
  const float* dy = dout.data<float>();
  if (dinp.defined()) {
    float* dx = dinp.data<float>();
    const float beta = dinp_write == grad_write::accumulate ? 1.0f : 0.0f;
    parallel_for(n, row_grain, [=](std::int64_t begin, std::int64_t end) {
      sgemm(CblasNoTrans, CblasNoTrans, int(end - begin), int(c), int(oc),
            1.0f, dy + begin * oc, int(oc), w, int(c), beta, dx + begin * c, int(c));
    });
  }
  float* dw = dweight.data<float>();
  float* db = dbias.defined() ? dbias.data<float>() : nullptr;
  parallel_for(oc, row_grain, [=](std::int64_t begin, std::int64_t end) {
    // dweight rows [begin,end) = dout[:, begin:end]^T @ inp
    sgemm(CblasTrans, CblasNoTrans, int(end - begin), int(c), int(n), 1.0f,
          dy + begin, int(oc), x, int(c), 1.0f, dw + begin * c, int(c));
    if (db != nullptr) {
      std::vector<double> sums(end - begin, 0.0); // double: N can be large
      for (std::int64_t r = 0; r < n; ++r)
        for (auto j = begin; j < end; ++j)
          sums[j - begin] += dy[r * oc + j];
      for (auto j = begin; j < end; ++j)
        db[j] += static_cast<float>(sums[j - begin]);
    }
  });
}

} // namespace axon::ops
