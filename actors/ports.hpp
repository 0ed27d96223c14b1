// ports: the named edge ends of one actor (graph API). An actor declares the ports it has
// and the message type each carries; connect requests are checked against them.
#pragma once

#include "actors/atoms.hpp"

#include <caf/actor.hpp>
#include <caf/result.hpp>
#include <caf/error.hpp>
#include <caf/sec.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace axon {

struct port {
  caf::actor peer;
  int credit_window = 0; // 0: unbounded
  std::uint16_t message_type = 0;
  bool connected() const { return static_cast<bool>(peer); }
};

class ports {
public:
  /// Declares port `name` carrying messages of type Msg.
  template <class Msg>
  void declare(const std::string& name) {
    table_[name].message_type = caf::type_id<Msg>::value;
  }

  /// Handles a connect request: empty error on success.
  caf::error connect(const std::string& name, caf::actor peer, std::int32_t window,
                     std::uint16_t type) {
    auto it = table_.find(name);
    if (it == table_.end())
      return caf::make_error(caf::sec::invalid_argument, "no port named '" + name + "'");
    if (it->second.message_type != type)
      return caf::make_error(caf::sec::invalid_argument,
                             "port '" + name + "' carries another message type");
    it->second.peer = std::move(peer);
    it->second.credit_window = window;
    return caf::error{};
  }

  const port& operator[](const std::string& name) const {
    auto it = table_.find(name);
    if (it == table_.end())
      throw std::out_of_range("no port named " + name);
    return it->second;
  }

private:
  std::map<std::string, port> table_;
};

/// The handler of graph-API connect requests for an actor whose state has `ports edges`:
/// put it first in the actor's behavior.
template <class Self>
auto connect_handler(Self* self) {
  return [self](connect_atom, const std::string& name, caf::actor peer, std::int32_t window,
                std::uint16_t type) -> caf::result<bool> {
    if (auto err = self->state.edges.connect(name, std::move(peer), window, type))
      return err;
    return true;
  };
}

} // namespace axon
