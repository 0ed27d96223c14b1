// The number of compute threads a process runs with: train.threads, or every core when it
// is 0 (the default).
#pragma once

#include "runtime/config/resolved_config.hpp"

namespace axon::config {

int compute_threads(const resolved_config& cfg);

} // namespace axon::config
