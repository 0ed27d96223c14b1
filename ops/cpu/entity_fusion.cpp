// Entity fusion forward/backward (see entity_fusion.hpp). Linked positions are few (a
// handful per sentence), so each is a (C,D) matrix-vector product in plain loops.
#include "ops/cpu/entity_fusion.hpp"

#include "ops/op_error.hpp"

namespace axon::ops {

fusion_dims check_entity_fusion(std::string_view op, const tensor& out, const tensor& entities,
                                const tensor& ent, const tensor& weight, device where) {
  require(ent.defined() && ent.rank() == 2, op, "ent is " + ent.describe() + ", expected (E,D)");
  require(weight.defined() && weight.rank() == 2, op,
          "weight is " + weight.describe() + ", expected (C,D)");
  const auto c = weight.size(0), d = ent.size(1);
  require_tensor(op, "ent", ent, ent.sizes(), dtype::f32, where);
  require_tensor(op, "weight", weight, {c, d}, dtype::f32, where);
  const auto rows = require_rows(op, "out", out, c, dtype::f32, where);
  require(entities.defined() && entities.numel() == rows, op,
          "entities is " + entities.describe() + ", expected one id per row of out "
            + out.describe());
  require_tensor(op, "entities", entities, entities.sizes(), dtype::i32);
  const auto* id = entities.data<std::int32_t>();
  for (std::int64_t r = 0; r < rows; ++r)
    require(id[r] >= -1 && id[r] < ent.size(0), op,
            "entities[" + std::to_string(r) + "] = " + std::to_string(id[r])
              + " is outside [-1," + std::to_string(ent.size(0)) + ")");
  return {rows, c, d};
}

void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias) {
  constexpr auto op = "entity_fusion_forward";
  auto [rows, c, d] = check_entity_fusion(op, out, entities, ent, weight);
  require_tensor(op, "bias", bias, {c});
  const auto* id = entities.data<std::int32_t>();
  const float *w = weight.data<float>(), *b = bias.data<float>();
  float* y = out.data<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    if (id[r] < 0)
      continue;
    const float* e = ent.data<float>() + std::int64_t{id[r]} * d;
    float* yr = y + r * c;
    for (std::int64_t i = 0; i < c; ++i) {
      float sum = b[i];
      for (std::int64_t k = 0; k < d; ++k)
        sum += w[i * d + k] * e[k];
      yr[i] += sum;
    }
  }
}

void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight) {
  constexpr auto op = "entity_fusion_backward";
  auto [rows, c, d] = check_entity_fusion(op, dout, entities, ent, weight);
  require_tensor(op, "dweight", dweight, {c, d});
  require_tensor(op, "dbias", dbias, {c});
  if (dent.defined())
    require_tensor(op, "dent", dent, ent.sizes());
  const auto* id = entities.data<std::int32_t>();
  const float* w = weight.data<float>();
  float *dw = dweight.data<float>(), *db = dbias.data<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    if (id[r] < 0)
      continue;
    const float* e = ent.data<float>() + std::int64_t{id[r]} * d;
    const float* g = dout.data<float>() + r * c;
    float* de = dent.defined() ? dent.data<float>() + std::int64_t{id[r]} * d : nullptr;
    for (std::int64_t i = 0; i < c; ++i) {
      db[i] += g[i];
      for (std::int64_t k = 0; k < d; ++k)
        dw[i * d + k] += g[i] * e[k];
      if (de != nullptr)
        for (std::int64_t k = 0; k < d; ++k)
          de[k] += w[i * d + k] * g[i];
    }
  }
}

} // namespace axon::ops
