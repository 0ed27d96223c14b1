// The schema of `axon kg train` configs (graph, transe): defined in kg_train_schema.cpp,
// one line per key; docs/kg-config.md is rendered from it (`axon kg docs`).
#pragma once

#include "runtime/config/schema.hpp"

namespace axon::config {

const schema& kg_train_schema();

} // namespace axon::config
