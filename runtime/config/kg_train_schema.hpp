// The schema of `axon kg train` configs (graph, transe): defined in kg_train_schema.cpp,
// one line per key; docs/kg-config.md is rendered from it (`axon kg docs`).
#pragma once

#include "runtime/config/schema.hpp"

#include <string_view>

namespace axon::config {

const schema& kg_train_schema();
/// The title and introduction of docs/kg-config.md.
extern const std::string_view kg_train_docs_introduction;

} // namespace axon::config
