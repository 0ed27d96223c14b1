// Helpers shared by the op tests: seeded random tensors, small tensor builders and an
// element-wise comparison whose message names the op, the case and the tensor.
#pragma once

#include "runtime/tensor.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace axon::test {

/// Uniform in [-scale, scale), from mt19937 bits only (the same numbers on every platform).
inline tensor random_tensor(const shape& sizes, std::mt19937& rng, float scale = 1.0f,
                            float offset = 0.0f) {
  auto t = tensor::empty(sizes);
  float* x = t.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    x[i] = offset + scale * (float(rng() >> 8) * (2.0f / 16777216.0f) - 1.0f);
  return t;
}

inline tensor i32_tensor(const shape& sizes, const std::vector<std::int32_t>& values) {
  auto t = tensor::empty(sizes, dtype::i32);
  BOOST_REQUIRE_EQUAL(values.size(), std::size_t(t.numel()));
  std::copy(values.begin(), values.end(), t.data<std::int32_t>());
  return t;
}

inline tensor zeros_like(const tensor& t) { return tensor::zeros(t.sizes(), t.type()); }

struct mismatch {
  std::int64_t count = 0; // elements outside the tolerance (NaN counts)
  std::int64_t worst = -1;
  double worst_excess = 0.0; // |got - want| / tolerance at the worst element
};

/// Elements where |got - want| > atol + rtol * |want| (same shapes assumed).
inline mismatch compare(const tensor& got, const tensor& want, float atol, float rtol) {
  mismatch m;
  const float *g = got.data<float>(), *w = want.data<float>();
  for (std::int64_t i = 0; i < got.numel(); ++i) {
    double diff = std::fabs(double(g[i]) - double(w[i]));
    double tol = atol + rtol * std::fabs(double(w[i]));
    if (!(diff <= tol)) {
      ++m.count;
      double excess = std::isnan(diff) ? INFINITY : diff / tol;
      if (m.worst < 0 || excess > m.worst_excess)
        m.worst = i, m.worst_excess = excess;
    }
  }
  return m;
}

/// Checks |got - want| <= atol + rtol * |want| element by element; on failure reports how
/// many elements differ and the worst one, prefixed with `what` ("op/case/tensor").
inline void expect_close(const std::string& what, const tensor& got, const tensor& want,
                         float atol, float rtol) {
  BOOST_TEST_REQUIRE(got.defined(), what << ": result undefined");
  BOOST_TEST_REQUIRE((got.sizes() == want.sizes()),
                     what << ": shape " << got.describe() << " vs reference " << want.describe());
  auto m = compare(got, want, atol, rtol);
  std::ostringstream message;
  message << std::setprecision(9);
  if (m.count > 0)
    message << what << ": " << m.count << " of " << got.numel() << " elements outside " << atol
            << " + " << rtol << "*|ref|; worst at flat index " << m.worst << ": got "
            << got.data<float>()[m.worst] << ", reference " << want.data<float>()[m.worst];
  BOOST_TEST(m.count == 0, message.str());
}

} // namespace axon::test
