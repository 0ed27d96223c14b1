// The core's CAF type-id block (tensors, id lists and edge wiring, used by every module) and the ranges
// of type ids each block starts at. CAF 0.17 registers message types by name, but Axon's
// ports check edges by type id, so blocks must never overlap in one process: each module
// starts its block at its own range below, and registry::add_types refuses an overlap.
// A user's graph starts its block at type_ids::first_user (or further, one range each).
#pragma once

#include "runtime/graph/port_binding.hpp"
#include "runtime/graph/tensor_inspect.hpp"

#include <caf/type_id.hpp>

#include <cstdint>
#include <vector>

namespace axon::type_ids {

constexpr caf::type_id_t core = caf::first_custom_type_id; // 200
constexpr caf::type_id_t bert = core + 100;
constexpr caf::type_id_t kg = core + 200;
constexpr caf::type_id_t jobs = core + 300;
constexpr caf::type_id_t first_user = core + 1000; // user graphs: here and above

} // namespace axon::type_ids

CAF_BEGIN_TYPE_ID_BLOCK(axon_core, axon::type_ids::core)
  CAF_ADD_TYPE_ID(axon_core, (axon::tensor))
  CAF_ADD_TYPE_ID(axon_core, (std::vector<std::int32_t>))
  CAF_ADD_TYPE_ID(axon_core, (axon::port_binding))
CAF_END_TYPE_ID_BLOCK(axon_core)
