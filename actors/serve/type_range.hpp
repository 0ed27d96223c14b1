// The serving module's range of CAF type ids, next to the others in
// runtime/graph/type_ids.hpp (core, bert = core + 100, kg = +200, jobs = +300): kept in a
// header of its own so that adding it did not recompile every CAF file. registry::add_types
// refuses a block that overlaps another, so a clash cannot pass unnoticed.
#pragma once

#include "runtime/graph/type_ids.hpp"

namespace axon::type_ids {

constexpr caf::type_id_t serve = core + 400;

} // namespace axon::type_ids
