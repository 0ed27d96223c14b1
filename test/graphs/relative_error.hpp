// How the BERT tests compare a tensor with its PyTorch reference.
#pragma once

#include "runtime/tensor.hpp"

#include <algorithm>
#include <cmath>

namespace axon::test {

/// max |ours - expected| / max |expected| over the tensor (the plain max |ours - expected|
/// when the reference is below 1e-6 everywhere: a gradient that is 0 in exact arithmetic).
inline double relative_error(const tensor& ours, const tensor& expected) {
  double diff = 0.0, scale = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    diff = std::max(diff, double(std::fabs(ours.data<float>()[i] - expected.data<float>()[i])));
    scale = std::max(scale, double(std::fabs(expected.data<float>()[i])));
  }
  return scale < 1e-6 ? diff : diff / scale;
}

} // namespace axon::test
