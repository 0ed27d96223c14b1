// wire sink actor: see wire_sink_actor.hpp.
#include "actors/cluster/wire_sink_actor.hpp"

#include "runtime/graph/type_ids.hpp"

#include <caf/all.hpp>

namespace axon {

std::pair<std::string, node_factory> wire_sink_kind() {
  return {"axon.wire.sink", [](caf::actor_system& sys, const node_spec&) -> caf::expected<caf::actor> {
            return sys.spawn([]() -> caf::behavior {
              return {[](const tensor& t) { return static_cast<std::int64_t>(t.nbytes()); }};
            });
          }};
}

} // namespace axon
