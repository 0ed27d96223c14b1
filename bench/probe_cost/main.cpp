// axon-probe-cost: what the console's probes add to one message. Two probed actors joined
// by an edge pass a ball back and forth: every message is counted (messages in and out,
// the edge, busy time, mailbox depth) when their probes are registered, as in a monitored
// job. Windows alternate between probes registered and not (monitoring off); the
// difference of the median times per message is the cost of counting one.
//   build/bin/axon-probe-cost [MESSAGES_PER_WINDOW] [WINDOWS]
#include "runtime/graph/probed_actor.hpp"
#include "actors/cluster/system_config.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using peer_atom = caf::atom_constant<caf::atom("peer")>;

struct player_state {
  static inline const char* name = "probe-cost.player";
  caf::actor peer, done; // the other player; who hears that the rally is over
};
using player = axon::probed_actor<player_state>;

// Sends the ball to its peer until `left` reaches 0, then tells `done`.
caf::behavior play(player* self) {
  return {
    [=](peer_atom, caf::actor peer, caf::actor done) {
      self->state.peer = std::move(peer);
      self->state.done = std::move(done);
    },
    [=](ping_atom, std::int64_t left) {
      if (left == 0)
        self->send(self->state.done, ping_atom::value, left);
      else
        self->send(self->state.peer, ping_atom::value, left - 1);
    },
  };
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  const std::int64_t messages = argc > 1 ? std::atoll(argv[1]) : 200000;
  const int windows = argc > 2 ? std::atoi(argv[2]) : 9;
  axon::system_config cfg{axon::registry{}, 2};
  caf::actor_system sys{cfg};
  auto& probes = axon::monitor::process_probes();
  std::vector<double> off_ns, on_ns;
  for (int w = 0; w < 2 * windows; ++w) {
    const bool on = w % 2 == 1;
    auto a = sys.spawn(play), b = sys.spawn(play);
    if (on) {
      probes.add_actor("a", "probe-cost.player", "local", "cpu", a.id());
      probes.add_actor("b", "probe-cost.player", "local", "cpu", b.id());
      axon::monitor::edge_probe e;
      e.from = "a";
      e.to = "b";
      e.from_id = a.id();
      e.to_id = b.id();
      probes.add_edge(e);
    }
    caf::scoped_actor self{sys};
    self->send(a, peer_atom::value, b, caf::actor{self});
    self->send(b, peer_atom::value, a, caf::actor{self});
    auto t0 = std::chrono::steady_clock::now();
    self->send(a, ping_atom::value, messages);
    self->receive([](ping_atom, std::int64_t) {});
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count()
                / double(messages);
    (on ? on_ns : off_ns).push_back(ns);
    probes.remove_actors({a.id(), b.id()});
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  }
  const double off = median(off_ns), on = median(on_ns);
  std::printf("{\"messages\": %lld, \"windows\": %d, \"ns_per_message_off\": %.1f, "
              "\"ns_per_message_on\": %.1f, \"probe_ns_per_message\": %.1f}\n",
              static_cast<long long>(messages), windows, off, on, on - off);
  return 0;
}
