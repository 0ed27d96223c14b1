// Entity fusion from gather_rows and linear (see entity_fusion.hpp).
#include "ops/cuda/entity_fusion.hpp"

#include "ops/cpu/entity_fusion.hpp"
#include "ops/cuda/gather_rows.hpp"
#include "ops/cuda/linear.hpp"
#include "ops/op_error.hpp"
#include "runtime/cuda/stream.hpp"

#include <algorithm>
#include <vector>

namespace axon::ops::cuda {

namespace {

// The linked positions of `entities` and their entity ids, on the stream's device.
struct links {
  tensor positions, ids; // (L) i32 each
  std::int64_t count = 0;
};

links links_of(std::string_view op, const tensor& out, const tensor& entities, const tensor& ent,
               const tensor& weight, const op_stream& s) {
  axon::cuda::stream_guard ordered{s.get()}; // a copy of device ids waits for queued work
  const auto host = entities.on(device::cpu());
  const auto rows = check_entity_fusion(op, out, host, ent, weight, s.where()).rows;
  const auto* id = host.data<std::int32_t>();
  std::vector<std::int32_t> positions, ids;
  for (std::int64_t r = 0; r < rows; ++r)
    if (id[r] >= 0) {
      positions.push_back(std::int32_t(r));
      ids.push_back(id[r]);
    }
  links l;
  l.count = std::int64_t(positions.size());
  if (l.count == 0)
    return l;
  auto upload = [&](const std::vector<std::int32_t>& values) {
    auto t = tensor::empty({l.count}, dtype::i32);
    std::copy(values.begin(), values.end(), t.data<std::int32_t>());
    return t.to(s.where());
  };
  l.positions = upload(positions);
  l.ids = upload(ids);
  return l;
}

} // namespace

void entity_fusion_forward(const tensor& out, const tensor& entities, const tensor& ent,
                           const tensor& weight, const tensor& bias, const op_stream& s) {
  constexpr auto op = "entity_fusion_forward";
  auto l = links_of(op, out, entities, ent, weight, s);
  require_tensor(op, "bias", bias, {weight.size(0)}, dtype::f32, s.where());
  if (l.count == 0)
    return;
  const auto c = weight.size(0), d = ent.size(1);
  auto picked = s.scratch({l.count, d}), projected = s.scratch({l.count, c});
  gather_rows_forward(picked, ent, l.ids, s);
  linear_forward(projected, picked, weight, bias, s);
  gather_rows_backward(out, projected, l.positions, s); // out rows += projected rows
}

void entity_fusion_backward(const tensor& dent, const tensor& dweight, const tensor& dbias,
                            const tensor& dout, const tensor& entities, const tensor& ent,
                            const tensor& weight, const op_stream& s) {
  constexpr auto op = "entity_fusion_backward";
  auto l = links_of(op, dout, entities, ent, weight, s);
  const auto c = weight.size(0), d = ent.size(1);
  require_tensor(op, "dweight", dweight, {c, d}, dtype::f32, s.where());
  require_tensor(op, "dbias", dbias, {c}, dtype::f32, s.where());
  if (dent.defined())
    require_tensor(op, "dent", dent, ent.sizes(), dtype::f32, s.where());
  if (l.count == 0)
    return;
  auto picked = s.scratch({l.count, d}), grad = s.scratch({l.count, c});
  gather_rows_forward(picked, ent, l.ids, s);
  gather_rows_forward(grad, dout, l.positions, s);
  if (!dent.defined()) {
    linear_backward({}, dweight, dbias, grad, picked, weight, s);
    return;
  }
  auto dpicked = s.scratch({l.count, d});
  linear_backward(dpicked, dweight, dbias, grad, picked, weight, s, grad_write::overwrite);
  gather_rows_backward(dent, dpicked, l.ids, s); // repeated entities add up
}

} // namespace axon::ops::cuda
