// The rules across keys of `axon train` configs (train_schema.hpp's schema holds them).
#pragma once

#include "runtime/config/schema.hpp"

#include <vector>

namespace axon::config {

std::vector<rule> train_rules();

} // namespace axon::config
