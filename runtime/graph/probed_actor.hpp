// probed_actor<State>: a stateful actor that keeps its own monitoring probe. Every message
// it consumes is counted (messages in, busy time, mailbox depth, last message time), and
// so is the sender's side: a message from an actor of the graph counts as that actor's
// message out and, when the two share an edge, as a message on that edge. Actors declare
// themselves with `using my_actor = probed_actor<my_state>;` and spawn as before; a state
// with `ports edges` is shown as waiting for credit between messages while a port holds
// sends back for want of credit.
// Without a registered probe (monitoring off, or an actor spawned outside a graph) the
// cost is one atomic load per message.
#pragma once

#include "runtime/monitor/probes.hpp"

#include <caf/mailbox_element.hpp>
#include <caf/stateful_actor.hpp>

#include <memory>
#include <string>
#include <vector>

namespace axon {

template <class State>
class probed_actor : public caf::stateful_actor<State> {
public:
  using super = caf::stateful_actor<State>;

  template <class... Ts>
  explicit probed_actor(caf::actor_config& cfg, Ts&&... xs)
    : super(cfg, std::forward<Ts>(xs)...) {
    // nop
  }

  caf::invoke_message_result consume(caf::mailbox_element& x) override {
    refresh_probe();
    // Held for the whole message: the handler may publish a graph, which refreshes (and
    // may release) probe_ before the scope below is done with it.
    auto probe_held = probe_;
    auto* probe = probe_held.get();
    monitor::message_scope scope{probe, probe ? std::int64_t(this->mailbox().size()) : 0};
    if (probe && x.sender)
      count_sender(x.sender->id());
    auto result = super::consume(x);
    if constexpr (requires(const State& s) { s.edges.blocked_on_credit(); })
      if (probe && this->state.edges.blocked_on_credit())
        scope.leave_as(monitor::activity::waiting_for_credit);
    return result;
  }

  /// This actor's probe, or null when monitoring is off.
  monitor::actor_probe* probe() {
    refresh_probe();
    return probe_.get();
  }

  /// Sets the number of messages in flight on the edge leaving this actor at `port`.
  void set_in_flight(const std::string& port, std::int64_t n) {
    refresh_probe();
    for (const auto& e : edges_out_)
      if (e->from_port == port)
        e->in_flight.store(n, std::memory_order_relaxed);
  }

private:
  struct peer {
    std::uint64_t id;
    std::shared_ptr<monitor::actor_probe> probe; // the sender's (may be null)
    std::shared_ptr<monitor::edge_probe> edge;   // the edge between us (may be null)
  };

  void refresh_probe() {
    auto& registry = monitor::process_probes();
    auto version = registry.version();
    if (version == seen_version_)
      return;
    seen_version_ = version;
    probe_ = registry.find_actor(this->id());
    edges_out_ = registry.edges_of(this->id(), monitor::probe_registry::edge_end::sender);
    peers_.clear();
  }

  void count_sender(std::uint64_t sender) {
    for (const auto& p : peers_)
      if (p.id == sender) {
        bump(p);
        return;
      }
    if (peers_.size() >= max_peers)
      return;
    auto& registry = monitor::process_probes();
    peer p{sender, registry.find_actor(sender), nullptr};
    for (const auto& e : registry.edges_of(this->id(), monitor::probe_registry::edge_end::receiver))
      if (e->from_id == sender)
        p.edge = e;
    for (const auto& e : edges_out_) // messages travelling an edge backwards (credit, grads)
      if (e->to_id == sender)
        p.edge = e;
    peers_.push_back(std::move(p));
    bump(peers_.back());
  }

  static void bump(const peer& p) {
    if (p.probe)
      p.probe->messages_out.fetch_add(1, std::memory_order_relaxed);
    if (p.edge)
      p.edge->messages.fetch_add(1, std::memory_order_relaxed);
  }

  static constexpr std::size_t max_peers = 64;
  std::uint64_t seen_version_ = ~std::uint64_t{0};
  std::shared_ptr<monitor::actor_probe> probe_;
  std::vector<std::shared_ptr<monitor::edge_probe>> edges_out_;
  std::vector<peer> peers_;
};

} // namespace axon
