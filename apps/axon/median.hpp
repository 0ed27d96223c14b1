// The median of timings: what the benchmark commands report (robust to a stray slow run).
#pragma once

#include <algorithm>
#include <vector>

namespace axon::app {

inline double median(std::vector<double> xs) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto n = xs.size();
  return n % 2 ? xs[n / 2] : 0.5 * (xs[n / 2 - 1] + xs[n / 2]);
}

} // namespace axon::app
