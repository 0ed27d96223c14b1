// The graph core (runtime/graph) on its own, with actors made here and no model module:
// ports hold sends beyond the credit window until the receiving end grants credit, in
// order; edges are checked in both directions and by end; a kind's factory refuses other
// parameters; the registry refuses a kind twice and says which types it holds.
#include "actors/cluster/system_config.hpp"
#include "runtime/graph/factory_of.hpp"
#include "runtime/graph/node_identity.hpp"
#include "runtime/graph/ports.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include <chrono>
#include <thread>

using namespace axon;
using namespace std::chrono_literals;
using numbers = std::vector<std::int32_t>; // a core type: needs no block of its own

namespace {

struct producer_state {
  ports edges;
};

// Sends n messages {0}, {1}, ... on "out"; (state_atom) -> {in flight, waiting}.
caf::behavior producer(caf::stateful_actor<producer_state>* self) {
  self->state.edges.declare_out<numbers>("out");
  return {
    connect_handler(self),
    credit_handler(self),
    [=](step_atom, std::int32_t n) {
      for (std::int32_t k = 0; k < n; ++k)
        self->state.edges.send(self, "out", numbers{k});
      return true;
    },
    [=](state_atom) {
      const auto& out = self->state.edges["out"];
      return numbers{out.in_flight, static_cast<std::int32_t>(out.waiting.size())};
    },
  };
}

struct consumer_state {
  ports edges;
  numbers received;
};

// Keeps what arrives on "in" without granting; (credit_atom, n) grants n;
// (state_atom) -> what arrived, in order.
caf::behavior consumer(caf::stateful_actor<consumer_state>* self) {
  self->state.edges.declare_in<numbers>("in");
  return {
    connect_handler(self),
    [=](const numbers& m) { self->state.received.push_back(m.at(0)); },
    [=](credit_atom, std::int32_t n) {
      self->state.edges.grant(self, "in", n);
      return true;
    },
    [=](state_atom) { return self->state.received; },
  };
}

registry test_modules() {
  registry r;
  r.add_kind("test.producer", factory_of<>([](caf::actor_system& sys) { return sys.spawn(producer); }));
  r.add_kind("test.consumer", factory_of<>([](caf::actor_system& sys) { return sys.spawn(consumer); }));
  return r;
}

struct core_fixture {
  registry modules = test_modules();
  system_config cfg{modules, 2};
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};

  numbers ask(const caf::actor& a, caf::message request) {
    numbers out;
    self->request(a, 10s, std::move(request))
      .receive([&](numbers& n) { out = std::move(n); },
               [&](caf::error& err) { BOOST_FAIL(error_text(err)); });
    return out;
  }
  void tell(const caf::actor& a, caf::message request) {
    self->request(a, 10s, std::move(request)).receive([](bool) {}, [&](caf::error& err) {
      BOOST_FAIL(error_text(err));
    });
  }
  // What the consumer holds once `count` messages arrived (or after 5 s), then 50 ms
  // later: nothing more may have come.
  numbers received(const caf::actor& consumer, std::size_t count) {
    for (auto end = std::chrono::steady_clock::now() + 5s;
         ask(consumer, caf::make_message(state_atom::value)).size() < count
         && std::chrono::steady_clock::now() < end;)
      std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(50ms);
    return ask(consumer, caf::make_message(state_atom::value));
  }
};

actor_graph pair_graph(int window) {
  actor_graph g;
  g.add_node("p", "test.producer");
  g.add_node("c", "test.consumer");
  g.add_edge<numbers>({"p", "out"}, {"c", "in"}, window);
  return g;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(graph_core, core_fixture)

BOOST_AUTO_TEST_CASE(a_port_holds_sends_beyond_its_window_until_credit_comes_back) {
  auto running = pair_graph(2).spawn(sys, modules.kinds());
  if (!running)
    BOOST_FAIL(error_text(running.error()));
  const auto& p = running->at("p");
  const auto& c = running->at("c");
  tell(p, caf::make_message(step_atom::value, std::int32_t{5}));
  BOOST_TEST(received(c, 2) == (numbers{0, 1}));
  BOOST_TEST(ask(p, caf::make_message(state_atom::value)) == (numbers{2, 3})); // out, waiting
  tell(c, caf::make_message(credit_atom::value, std::int32_t{1}));
  BOOST_TEST(received(c, 3) == (numbers{0, 1, 2}));
  tell(c, caf::make_message(credit_atom::value, std::int32_t{2}));
  BOOST_TEST(received(c, 5) == (numbers{0, 1, 2, 3, 4}));
  BOOST_TEST(ask(p, caf::make_message(state_atom::value)) == (numbers{2, 0}));
  running->stop();
}

BOOST_AUTO_TEST_CASE(an_unbounded_edge_sends_everything_at_once) {
  auto running = pair_graph(0).spawn(sys, modules.kinds());
  BOOST_REQUIRE(running);
  tell(running->at("p"), caf::make_message(step_atom::value, std::int32_t{7}));
  BOOST_TEST(received(running->at("c"), 7).size() == 7u);
  running->stop();
}

BOOST_AUTO_TEST_CASE(edges_are_checked_in_both_directions_and_by_end) {
  auto spawn_error = [&](const actor_graph& g) {
    auto result = g.spawn(sys, modules.kinds());
    BOOST_REQUIRE(!result);
    return error_text(result.error());
  };
  actor_graph back; // the ports carry nothing backward
  back.add_node("p", "test.producer");
  back.add_node("c", "test.consumer");
  back.add_edge<numbers, numbers>({"p", "out"}, {"c", "in"}, 1);
  auto err = spawn_error(back);
  BOOST_TEST_INFO(err);
  BOOST_TEST(err.find("edge p.out -> c.in") != std::string::npos);
  BOOST_TEST(err.find("carries other message types") != std::string::npos);
  actor_graph swapped; // the consumer's port receives; it cannot be an edge's sending end
  swapped.add_node("p", "test.producer");
  swapped.add_node("c", "test.consumer");
  swapped.add_edge<numbers>({"c", "in"}, {"p", "out"}, 1);
  err = spawn_error(swapped);
  BOOST_TEST_INFO(err);
  BOOST_TEST(err.find("is the receiving end of its edges, not the sending end") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_kind_refuses_parameters_it_does_not_take) {
  actor_graph g;
  g.add_node("p", "test.producer", caf::make_message(std::int32_t{3}));
  auto result = g.spawn(sys, modules.kinds());
  BOOST_REQUIRE(!result);
  const auto err = error_text(result.error());
  BOOST_TEST_INFO(err);
  BOOST_TEST(err.find("node p of kind test.producer takes (no parameters)") != std::string::npos);
  BOOST_TEST(result.error().category() == caf::atom("axon"));
}

BOOST_AUTO_TEST_CASE(a_registry_refuses_a_kind_twice_and_signs_its_types) {
  registry r;
  r.add_kind("k", factory_of<>([](caf::actor_system& sys) { return sys.spawn(consumer); }));
  BOOST_CHECK_THROW(r.add_kind("k", r.kinds().at("k")), std::invalid_argument);
  BOOST_TEST(r.modules() == (std::vector<std::string>{"core"}));
  const auto signature = r.type_signature();
  BOOST_TEST(signature.find("axon::tensor") != std::string::npos);
  BOOST_TEST(signature.find("axon::port_binding") != std::string::npos);
  r.add_types<caf::id_block::axon_core>("core"); // the same block again: nothing changes
  BOOST_TEST(r.type_signature() == signature);
  BOOST_TEST(identity_mismatch(this_identity(r), this_identity(registry{})).empty());
  auto other = this_identity(r);
  other.message_types = "0";
  BOOST_TEST(identity_mismatch(this_identity(r), other).find("message-type sets differ")
             != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
