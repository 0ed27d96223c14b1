// The schema of `axon train` configs (data, model, train, eval, placement, ...): defined in
// train_schema.cpp, one line per key.
#pragma once

#include "runtime/config/schema.hpp"

namespace axon::config {

const schema& train_schema();

} // namespace axon::config
