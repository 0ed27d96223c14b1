// AdamW on the GPU (spec: ops/cpu/adamw.hpp, the arithmetic of torch.optim.AdamW).
#pragma once

#include "ops/cpu/adamw.hpp"
#include "ops/cuda/op_stream.hpp"

namespace axon::ops::cuda {

/// One update of param from grad with moments m, v (all the same shape, on the device);
/// `step` counts from 1.
void adamw_update(const tensor& param, const tensor& grad, const tensor& m, const tensor& v,
                  const adamw_hparams& hp, std::int64_t step, const op_stream& s);

} // namespace axon::ops::cuda
