// factory_of<Params...>(spawn): the node factory of a kind whose actors are spawned from
// parameters of types Params... (usually one setup struct). The node's parameters are
// checked first: a node declared with other parameters is refused with an error naming
// the node, its kind and the types expected, instead of a crash inside the actor.
//
//   registry.add_kind("my.partition", factory_of<partition_setup>(
//       [](caf::actor_system& sys, const partition_setup& s) { return sys.spawn(partition, s); }));
#pragma once

#include "runtime/graph/actor_graph.hpp"
#include "runtime/graph/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/message.hpp>
#include <caf/type_id.hpp>

#include <string>
#include <utility>

namespace axon {

namespace detail {
template <class... Params>
std::string type_list() {
  std::string out;
  ((out += (out.empty() ? "" : ", ") + std::string{caf::type_name<Params>::value}), ...);
  return out.empty() ? "no parameters" : out;
}
} // namespace detail

template <class... Params, class Spawn>
node_factory factory_of(Spawn spawn) {
  return [spawn](caf::actor_system& sys, const node_spec& node) -> caf::expected<caf::actor> {
    if (!node.params.match_elements<Params...>())
      return make_error(errc::bad_parameters,
                        "node " + node.name + " of kind " + node.kind + " takes ("
                          + detail::type_list<Params...>() + "); it was given "
                          + std::to_string(node.params.size()) + " value(s) of other types");
    return [&]<std::size_t... I>(std::index_sequence<I...>) -> caf::expected<caf::actor> {
      return spawn(sys, node.params.get_as<Params>(I)...);
    }(std::index_sequence_for<Params...>{});
  };
}

} // namespace axon
