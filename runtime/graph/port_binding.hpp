// port_binding: what actor_graph::spawn tells each end of an edge when wiring it (the
// body of a connect request): the port, its peer and the peer's port, which end this is,
// the edge's credit window and its message types both ways (CAF type ids).
#pragma once

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace axon {

struct port_binding {
  std::string port;      // the port at the actor receiving this request
  caf::actor peer;
  std::string peer_port;
  bool out = true;       // true: this end sends the forward types
  std::int32_t credit_window = 0;
  std::vector<std::uint16_t> forward_types, backward_types;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, port_binding& x) {
  return f(caf::meta::type_name("port_binding"), x.port, x.peer, x.peer_port, x.out,
           x.credit_window, x.forward_types, x.backward_types);
}

} // namespace axon
