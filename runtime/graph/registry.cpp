// registry: see registry.hpp.
#include "runtime/graph/registry.hpp"

#include <caf/config.hpp>

#include <algorithm>

namespace axon {

registry::registry() {
  add_types<caf::id_block::axon_core>("core");
}

void registry::add_block(block b) {
  for (const auto& have : blocks_) {
    if (have.module == b.module && have.begin == b.begin)
      return;
    if (b.begin < have.end && have.begin < b.end)
      throw std::invalid_argument("registry: the type ids of module " + b.module + " ["
                                  + std::to_string(b.begin) + ", " + std::to_string(b.end)
                                  + ") overlap those of module " + have.module + " ["
                                  + std::to_string(have.begin) + ", " + std::to_string(have.end)
                                  + "): start its CAF_BEGIN_TYPE_ID_BLOCK elsewhere");
  }
  auto at = std::find_if(blocks_.begin(), blocks_.end(),
                         [&](const block& x) { return x.begin > b.begin; });
  blocks_.insert(at, std::move(b));
}

registry& registry::add_kind(const std::string& name, node_factory factory) {
  if (!kinds_.emplace(name, std::move(factory)).second)
    throw std::invalid_argument("registry: actor kind '" + name + "' is registered twice");
  return *this;
}

registry& registry::add_kinds(const kind_table& table) {
  for (const auto& [name, factory] : table)
    add_kind(name, factory);
  return *this;
}

std::vector<std::string> registry::modules() const {
  std::vector<std::string> out;
  for (const auto& b : blocks_)
    out.push_back(b.module);
  return out;
}

void registry::register_types(caf::actor_system_config& cfg) const {
  for (const auto& b : blocks_)
    b.add(cfg);
}

std::string registry::type_signature() const {
  std::string out = "caf " + std::to_string(CAF_VERSION);
  for (const auto& b : blocks_)
    for (std::size_t k = 0; k < b.names.size(); ++k)
      out += ";" + std::to_string(b.begin + k) + "=" + b.names[k];
  return out;
}

} // namespace axon
