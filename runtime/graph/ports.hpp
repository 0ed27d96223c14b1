// ports: the named edge ends of one actor (graph API). An actor declares each port it has
// with the message types that travel on it in both directions: at the edge's sending end
// ("out") the forward types it sends and the backward types it receives; at the receiving
// end ("in") the reverse. Connect requests from actor_graph::spawn are checked against the
// declarations, so an edge of other types, or with its ends swapped, fails the spawn.
//
// Ports own the edge's credit: the out end may have at most `credit_window` forward
// messages unanswered (0: unbounded). A send beyond the window waits in the port, in
// order, and goes out when the in end grants credit back (`grant`, one per message it is
// done with), which reaches the out end as a credit message (`credit_handler`).
//
//   st.edges.declare_out<forward_msg, backward_msg>("next");
//   st.edges.declare_in<forward_msg, backward_msg>("prev");
//   st.edges.send(self, "next", forward_msg{...});   // queued while the window is full
//   st.edges.grant(self, "prev");                     // done with one message from prev
#pragma once

#include "runtime/graph/atoms.hpp"
#include "runtime/graph/port_binding.hpp"

#include <caf/actor.hpp>
#include <caf/message.hpp>
#include <caf/message_priority.hpp>
#include <caf/result.hpp>
#include <caf/type_id.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace axon {

/// A list of message types for one direction of an edge: declare_out<types<a, b>>(...).
template <class... Ts>
struct types {};

namespace detail {
template <class T>
struct type_ids_of {
  static std::vector<std::uint16_t> get() { return {caf::type_id<T>::value}; }
};
template <>
struct type_ids_of<void> {
  static std::vector<std::uint16_t> get() { return {}; }
};
template <class... Ts>
struct type_ids_of<types<Ts...>> {
  static std::vector<std::uint16_t> get() { return {caf::type_id<Ts>::value...}; }
};
} // namespace detail

struct port {
  caf::actor peer;
  std::string peer_port;   // the port's name at the peer (where credit goes)
  bool out = true;         // the edge's sending end
  std::vector<std::uint16_t> forward_types, backward_types;
  int credit_window = 0;   // 0: unbounded
  int in_flight = 0;       // out end: forward messages not yet credited back
  int max_in_flight = 0;
  std::deque<caf::message> waiting; // out end: sends beyond the window, in order
  bool connected() const { return static_cast<bool>(peer); }
  /// Types this end sends.
  const std::vector<std::uint16_t>& sends() const { return out ? forward_types : backward_types; }
};

class ports {
public:
  /// Declares the sending end of an edge: Forward (a type, types<...> or void) goes out,
  /// Backward comes back.
  template <class Forward, class Backward = void>
  void declare_out(const std::string& name) {
    declare(name, true, detail::type_ids_of<Forward>::get(), detail::type_ids_of<Backward>::get());
  }
  /// Declares the receiving end of an edge: Forward comes in, Backward goes back.
  template <class Forward, class Backward = void>
  void declare_in(const std::string& name) {
    declare(name, false, detail::type_ids_of<Forward>::get(), detail::type_ids_of<Backward>::get());
  }

  /// Forgets port `name` (the actor at its far end left a graph that shrinks while it
  /// runs); nothing when there is none.
  void remove(const std::string& name) { table_.erase(name); }

  /// Handles a connect request: empty error on success, else what does not match.
  caf::error connect(port_binding binding);

  /// The port `name`; throws std::out_of_range naming it when there is none.
  const port& operator[](const std::string& name) const { return at(name); }

  /// Sends `msg` on port `name`. Its type must be one this end sends (std::logic_error
  /// otherwise: a programming error). A forward message on a full window waits.
  template <caf::message_priority Priority = caf::message_priority::normal, class Self,
            class Msg>
  void send(Self* self, const std::string& name, Msg&& msg) {
    auto& p = at(name);
    check_sends(name, p, caf::type_id<std::decay_t<Msg>>::value);
    if (p.out && p.credit_window > 0) {
      if (p.in_flight >= p.credit_window) {
        p.waiting.push_back(caf::make_message(std::forward<Msg>(msg)));
        return;
      }
      took_credit(self, name, p);
    }
    self->template send<Priority>(p.peer, std::forward<Msg>(msg));
  }

  /// The in end of `name` is done with `n` messages: the out end may send `n` more.
  /// Nothing is sent on an unbounded edge.
  template <class Self>
  void grant(Self* self, const std::string& name, std::int32_t n = 1) {
    auto& p = at(name);
    if (p.out)
      throw std::logic_error("port '" + name + "' is an out end: credit is granted by the in end");
    if (p.credit_window > 0)
      self->template send<caf::message_priority::high>(p.peer, credit_atom::value, p.peer_port, n);
  }

  /// Credit for the out end `name` (a credit message): sends what waited, in order. Credit
  /// for no such port, or more than is out, breaks the protocol: std::invalid_argument.
  template <class Self>
  void on_credit(Self* self, const std::string& name, std::int32_t n) {
    auto& p = credited(name, n);
    p.in_flight -= n;
    while (!p.waiting.empty() && p.in_flight < p.credit_window) {
      took_credit(self, name, p);
      self->send(p.peer, std::move(p.waiting.front()));
      p.waiting.pop_front();
    }
    note_in_flight(self, name, p);
  }

  /// True when some port holds sends back for want of credit.
  bool blocked_on_credit() const;

private:
  void declare(const std::string& name, bool out, std::vector<std::uint16_t> forward,
               std::vector<std::uint16_t> backward);
  port& at(const std::string& name);
  const port& at(const std::string& name) const;
  static void check_sends(const std::string& name, const port& p, std::uint16_t type);
  port& credited(const std::string& name, std::int32_t n);

  template <class Self>
  static void took_credit(Self* self, const std::string& name, port& p) {
    p.max_in_flight = std::max(p.max_in_flight, ++p.in_flight);
    note_in_flight(self, name, p);
  }

  // The monitoring probe's count of messages in flight on the edge, when the actor has one.
  template <class Self>
  static void note_in_flight(Self* self, const std::string& name, const port& p) {
    if constexpr (requires { self->set_in_flight(name, std::int64_t{}); })
      self->set_in_flight(name, p.in_flight + std::int64_t(p.waiting.size()));
  }

  std::map<std::string, port> table_;
};

/// The handler of connect requests (actor_graph::spawn wiring an edge) for an actor whose
/// state has `ports edges`. Put it first in the behavior, with credit_handler:
///   return {connect_handler(self), credit_handler(self), ...};
template <class Self>
auto connect_handler(Self* self) {
  return [self](connect_atom, port_binding& binding) -> caf::result<bool> {
    if (auto err = self->state.edges.connect(std::move(binding)))
      return err;
    return true;
  };
}

/// The handler of credit coming back to the actor's out ends (a credit that breaks the
/// protocol ends the actor with the error).
template <class Self>
auto credit_handler(Self* self) {
  return [self](credit_atom, const std::string& port, std::int32_t n) {
    self->state.edges.on_credit(self, port, n);
  };
}

} // namespace axon
