// The graph API: declarations are checked, and spawning refuses unknown kinds, ports and
// message types with a message naming the node or edge.
#include "actor_test_support.hpp"

#include "actors/bert/messages.hpp"
#include "runtime/graph/actor_graph.hpp"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace axon;

BOOST_FIXTURE_TEST_SUITE(graph_api, test::actor_fixture)

BOOST_AUTO_TEST_CASE(declarations_are_checked) {
  actor_graph g;
  g.add_node("a", "axon.shard", caf::make_message(shard_setup{0}));
  BOOST_CHECK_THROW(g.add_node("a", "axon.shard"), std::invalid_argument);
  BOOST_CHECK_THROW(g.add_edge<msg::forward_msg>({"a", "stage"}, {"nowhere", "prev"}),
                    std::invalid_argument);
  g.add_node("b", "axon.shard", caf::make_message(shard_setup{1}));
  g.add_edge<msg::forward_msg>({"a", "stage"}, {"b", "stage"}, 2);
  BOOST_CHECK_THROW(g.add_edge<msg::forward_msg>({"a", "stage"}, {"b", "coordinator"}),
                    std::invalid_argument); // port already wired
  BOOST_TEST(g.to_dot().find("\"a\" -> \"b\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(spawn_refuses_bad_kinds_ports_and_types) {
  auto spawn_error = [&](const actor_graph& g) {
    auto result = g.spawn(sys, bert::kinds());
    BOOST_REQUIRE(!result);
    return sys.render(result.error());
  };
  {
    actor_graph g;
    g.add_node("x", "no.such.kind");
    BOOST_TEST(spawn_error(g).find("unknown kind 'no.such.kind'") != std::string::npos);
  }
  {
    actor_graph g;
    g.add_node("s0", "axon.shard", caf::make_message(shard_setup{0}));
    g.add_node("s1", "axon.shard", caf::make_message(shard_setup{1}));
    g.add_edge<msg::forward_msg>({"s0", "stage"}, {"s1", "no-port"}, 1);
    auto err = spawn_error(g);
    BOOST_TEST_INFO(err);
    BOOST_TEST(err.find("s0.stage -> s1.no-port") != std::string::npos);
    BOOST_TEST(err.find("no port named 'no-port'") != std::string::npos);
  }
  {
    actor_graph g; // the shard's "stage" port carries forward_msg, not loss_msg
    g.add_node("s0", "axon.shard", caf::make_message(shard_setup{0}));
    g.add_node("s1", "axon.shard", caf::make_message(shard_setup{1}));
    g.add_edge<msg::loss_msg>({"s0", "stage"}, {"s1", "stage"});
    BOOST_TEST(spawn_error(g).find("carries other message types") != std::string::npos);
  }
  {
    actor_graph g;
    g.add_node("far", "axon.shard", caf::make_message(shard_setup{0}), "worker7");
    BOOST_TEST(spawn_error(g).find("needs a cluster") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(bert_graph_shape) {
  auto g = bert::make_graph(test::tiny_job(2, 3, 2));
  BOOST_TEST(g.nodes().size() == 1 + 2 + 3 + 3 * 2); // coordinator, optimizers, shards, stages
  auto spawned = g.spawn(sys, bert::kinds());
  BOOST_REQUIRE(spawned);
  BOOST_TEST(spawned->actors.count("shard2.stage1") == 1);
  spawned->stop();
  BOOST_CHECK_THROW(bert::make_graph(test::tiny_job(5, 1, 1)), std::invalid_argument); // 3 layers
}

// What the console's DEVICE column shows: each stage and optimizer on the device its
// placement.devices rule names (here only declared: nothing is spawned on it).
BOOST_AUTO_TEST_CASE(bert_graph_nodes_carry_their_devices) {
  auto job = test::tiny_job(2, 2, 1);
  job.devices = {config::device_rule{"shard1.*", device::cuda(0)},
                 config::device_rule{"optimizer1", device::cuda(1)}};
  std::map<std::string, std::string> device_of;
  const auto g = bert::make_graph(job);
  for (const auto& n : g.nodes())
    device_of[n.name] = n.device;
  BOOST_TEST(device_of["shard1.stage0"] == "cuda:0");
  BOOST_TEST(device_of["shard1.stage1"] == "cuda:0");
  BOOST_TEST(device_of["optimizer1"] == "cuda:1");
  BOOST_TEST(device_of["shard0.stage1"] == "cpu");
  BOOST_TEST(device_of["optimizer0"] == "cpu");
  BOOST_TEST(device_of["coordinator"] == "cpu");
  actor_graph empty;
  BOOST_CHECK_THROW(empty.set_device("nobody", "cuda:0"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
