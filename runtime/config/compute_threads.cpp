// compute_threads: see compute_threads.hpp.
#include "runtime/config/compute_threads.hpp"

#include "runtime/compute_pool.hpp"

namespace axon::config {

int compute_threads(const resolved_config& cfg) {
  auto n = cfg.get_int("train.threads");
  return n > 0 ? static_cast<int>(n) : core_count();
}

} // namespace axon::config
