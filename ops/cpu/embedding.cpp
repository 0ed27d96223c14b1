// Embedding forward (row gathers) and backward (scatter-adds). The backward splits the
// hidden dimension over threads, so rows that share a token id never race.
#include "ops/cpu/embedding.hpp"

#include "ops/cpu/simd_kernels.hpp"
#include "ops/op_error.hpp"
#include "runtime/compute_pool.hpp"

namespace axon::ops {

namespace {

void require_ids_below(std::string_view op, std::string_view arg, const tensor& ids,
                       std::int64_t limit) {
  const std::int32_t* id = ids.data<std::int32_t>();
  for (std::int64_t i = 0; i < ids.numel(); ++i)
    require(id[i] >= 0 && id[i] < limit, op,
            std::string{arg} + "[" + std::to_string(i / ids.size(-1)) + ","
              + std::to_string(i % ids.size(-1)) + "] = " + std::to_string(id[i])
              + " is outside [0," + std::to_string(limit) + ")");
}

struct embedding_dims {
  std::int64_t b, t, c;
};

embedding_dims check_indices(std::string_view op, const tensor& ids, const tensor& types,
                             std::int64_t vocab, std::int64_t c, std::int64_t n_types) {
  require(ids.defined() && ids.rank() == 2, op, "ids is " + ids.describe() + ", expected (B,T)");
  require_tensor(op, "ids", ids, ids.sizes(), dtype::i32);
  require_ids_below(op, "ids", ids, vocab);
  if (types.defined()) {
    require_tensor(op, "types", types, ids.sizes(), dtype::i32);
    require_ids_below(op, "types", types, n_types);
  }
  return {ids.size(0), ids.size(1), c};
}

} // namespace

void embedding_forward(const tensor& out, const tensor& ids, const tensor& types,
                       const tensor& wte, const tensor& wpe, const tensor& wtt) {
  constexpr auto op = "embedding_forward";
  require(wte.defined() && wte.rank() == 2, op, "wte is " + wte.describe() + ", expected (V,C)");
  auto c = wte.size(1);
  require_rows(op, "wpe", wpe, c);
  require(wpe.rank() == 2, op, "wpe is " + wpe.describe() + ", expected (P,C)");
  if (wtt.defined())
    require(wtt.rank() == 2 && wtt.size(1) == c && wtt.type() == dtype::f32, op,
            "wtt is " + wtt.describe() + ", expected (TT," + std::to_string(c) + ")");
  auto n_types = wtt.defined() ? wtt.size(0) : 1;
  auto [b, t, _] = check_indices(op, ids, types, wte.size(0), c, n_types);
  require(t <= wpe.size(0), op,
          "sequence length " + std::to_string(t) + " exceeds the " + std::to_string(wpe.size(0))
            + " position embeddings");
  require_tensor(op, "out", out, {b, t, c});
  const std::int32_t* id = ids.data<std::int32_t>();
  const std::int32_t* type = types.defined() ? types.data<std::int32_t>() : nullptr;
  const float *tok = wte.data<float>(), *pos = wpe.data<float>();
  const float* typ = wtt.defined() ? wtt.data<float>() : nullptr;
  float* y = out.data<float>();
  parallel_for(b * t, 64, [=](std::int64_t begin, std::int64_t end) {
    for (auto r = begin; r < end; ++r) {
      const float* tr = tok + std::int64_t{id[r]} * c;
      const float* pr = pos + (r % t) * c;
      float* yr = y + r * c;
      for (std::int64_t i = 0; i < c; ++i)
        yr[i] = tr[i] + pr[i];
      if (typ != nullptr) {
        const float* ttr = typ + std::int64_t{type ? type[r] : 0} * c;
        for (std::int64_t i = 0; i < c; ++i)
          yr[i] += ttr[i];
      }
    }
  });
}

void embedding_backward(const tensor& dwte, const tensor& dwpe, const tensor& dwtt,
                        const tensor& dout, const tensor& ids, const tensor& types) {
  constexpr auto op = "embedding_backward";
  require(dwte.defined() && dwte.rank() == 2, op,
          "dwte is " + dwte.describe() + ", expected (V,C)");
  auto c = dwte.size(1);
  require(dwpe.defined() && dwpe.rank() == 2 && dwpe.size(1) == c, op,
          "dwpe is " + dwpe.describe() + ", expected (P," + std::to_string(c) + ")");
  if (dwtt.defined())
    require(dwtt.rank() == 2 && dwtt.size(1) == c, op,
            "dwtt is " + dwtt.describe() + ", expected (TT," + std::to_string(c) + ")");
  auto n_types = dwtt.defined() ? dwtt.size(0) : 1;
  auto [b, t, _] = check_indices(op, ids, types, dwte.size(0), c, n_types);
  require(t <= dwpe.size(0), op,
          "sequence length " + std::to_string(t) + " exceeds the " + std::to_string(dwpe.size(0))
            + " position embeddings");
  require_tensor(op, "dout", dout, {b, t, c});
  const std::int32_t* id = ids.data<std::int32_t>();
  const std::int32_t* type = types.defined() ? types.data<std::int32_t>() : nullptr;
  float *dtok = dwte.data<float>(), *dpos = dwpe.data<float>();
  float* dtyp = dwtt.defined() ? dwtt.data<float>() : nullptr;
  const float* dy = dout.data<float>();
  // Threads own disjoint column ranges [begin,end) of every table.
  auto add = simd().add;
  parallel_for(c, 16, [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = 0; r < b * t; ++r) {
      const float* dyr = dy + r * c;
      add(dtok + std::int64_t{id[r]} * c, dyr, begin, end);
      add(dpos + (r % t) * c, dyr, begin, end);
      if (dtyp != nullptr)
        add(dtyp + std::int64_t{type ? type[r] : 0} * c, dyr, begin, end);
    }
  });
}

} // namespace axon::ops
