// The [cluster] keys and placement.nodes: lists of strings from files and flags, the
// entry formats, the rules (unknown nodes, TLS required beyond loopback, heartbeat
// against timeout), glob placement, the check that every pattern matches an actor, and
// elastic placement skipping the rules of absent nodes.
#include "runtime/config/cluster_settings.hpp"
#include "test/config/train_config_util.hpp"

#include <boost/test/unit_test.hpp>

using namespace axon;
using namespace axon::config;
using test::contains;
using test::first_error;

namespace {

const std::string job = "[data]\npath = \"fin.csv\"\n[cluster]\n"
                        "nodes = [\"w1=127.0.0.1:7101\", \"w2=localhost:7102\"]\n";

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_keys)

BOOST_AUTO_TEST_CASE(nodes_and_placement_from_file_and_flags) {
  auto result = test::load_train(job + "[placement]\nnodes = [\"shard1*=w2\", \"*=w1\"]\n");
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  auto s = cluster::cluster_settings_of(*result.resolved);
  BOOST_TEST_REQUIRE(s.nodes.size() == 2u);
  BOOST_TEST(s.nodes[1].name == "w2");
  BOOST_TEST(s.nodes[1].host == "localhost");
  BOOST_TEST(s.nodes[1].port == 7102);
  BOOST_TEST(s.node_of("shard1.stage0") == "w2");
  BOOST_TEST(s.node_of("optimizer0") == "w1");
  BOOST_TEST(s.distributed());
  auto flags = test::load_train(job, {"--placement.nodes=shard0=w1, optimizer?=local"});
  BOOST_TEST_REQUIRE(flags.errors.empty(), flags.error_text());
  auto f = cluster::cluster_settings_of(*flags.resolved);
  BOOST_TEST(f.node_of("shard0") == "w1");
  BOOST_TEST(f.node_of("shard0.stage0") == "local");
  BOOST_TEST(f.node_of("optimizer3") == "local");
  auto none =
    test::load_train(job + "[placement]\nnodes = [\"*=w1\"]\n", {"--placement.nodes="});
  BOOST_TEST_REQUIRE(none.errors.empty(), none.error_text());
  BOOST_TEST(!cluster::cluster_settings_of(*none.resolved).distributed());
}

// placement.elastic (docs/elastic.md): rules naming a node that is not connected are
// skipped, the next matching rule places the actor, and none leaves it local.
BOOST_AUTO_TEST_CASE(elastic_placement_skips_rules_of_absent_nodes) {
  auto result = test::load_train(job + "[placement]\nelastic = true\n"
                                       "nodes = [\"shard1*=w2\", \"shard*=w1\"]\n",
                                 {"--cluster.elastic-timeout=5s"});
  BOOST_TEST_REQUIRE(result.errors.empty(), result.error_text());
  BOOST_TEST(result.resolved->get_bool("placement.elastic"));
  auto s = cluster::cluster_settings_of(*result.resolved);
  BOOST_TEST(s.elastic_timeout.count() == 5000);
  auto only = [](std::string present) {
    return [present](const std::string& node) { return node == present; };
  };
  BOOST_TEST(s.node_of("shard1.stage0", only("w2")) == "w2");
  BOOST_TEST(s.node_of("shard1.stage0", only("w1")) == "w1"); // w2 absent: the next rule
  BOOST_TEST(s.node_of("shard1.stage0", only("w3")) == "local");
  BOOST_TEST(s.node_of("shard1.stage0") == "w2"); // without the predicate: the first rule
  const auto typo = first_error(job, {"--placement.elastic=maybe"});
  BOOST_TEST(contains(typo, "placement.elastic"), typo);
}

BOOST_AUTO_TEST_CASE(bad_entries_name_the_key_and_the_format) {
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=w1=127.0.0.1"}), "NAME=HOST:PORT"));
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=w1=127.0.0.1:99999"}), "1-65535"));
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=w1=127.0.0.1:1,w1=127.0.0.1:2"}),
                      "appears twice"));
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=local=127.0.0.1:1"}), "\"local\""));
  BOOST_TEST(contains(first_error(job + "[placement]\nnodes = [\"shard0*=w3\"]\n"),
                      "not in cluster.nodes"));
  BOOST_TEST(contains(first_error(job + "[placement]\nnodes = [shard0]\n"), "double quotes"));
  BOOST_TEST(contains(first_error(job, {"--placement.nodes=shard0"}), "PATTERN=NODE"));
}

BOOST_AUTO_TEST_CASE(tls_is_required_beyond_loopback) {
  auto bind = first_error(job, {"--cluster.bind=0.0.0.0"});
  BOOST_TEST(contains(bind, "requires TLS"), bind);
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=w1=10.0.0.5:7101"}), "needs TLS"));
  // Loopback by name only: a host that merely starts like one needs TLS too.
  BOOST_TEST(contains(first_error(job, {"--cluster.nodes=w1=127.evil.example.com:7101"}),
                      "needs TLS"));
  BOOST_TEST(contains(first_error(job, {"--cluster.bind=127.evil.example.com"}),
                      "requires TLS"));
  BOOST_TEST(contains(first_error(job, {"--cluster.tls-ca=ca.pem"}), "all of"));
  auto tls = test::load_train(job, {"--cluster.bind=0.0.0.0", "--cluster.tls-ca=ca.pem",
                        "--cluster.tls-certificate=n.pem", "--cluster.tls-key=n.key"});
  BOOST_TEST_REQUIRE(tls.errors.empty(), tls.error_text());
  BOOST_TEST(cluster::cluster_settings_of(*tls.resolved).tls.enabled());
}

BOOST_AUTO_TEST_CASE(heartbeat_must_fit_the_timeout) {
  BOOST_TEST(contains(first_error(job, {"--cluster.heartbeat=3s", "--cluster.timeout=5s"}),
                      "half of cluster.timeout"));
  auto ok = test::load_train(job, {"--cluster.heartbeat=250ms", "--cluster.timeout=2s"});
  BOOST_TEST_REQUIRE(ok.errors.empty(), ok.error_text());
  BOOST_TEST(cluster::cluster_settings_of(*ok.resolved).timeout.count() == 2000);
}

BOOST_AUTO_TEST_CASE(glob_and_pattern_coverage) {
  BOOST_TEST(cluster::glob_match("shard1*", "shard1.stage0"));
  BOOST_TEST(cluster::glob_match("*stage?", "shard0.stage1"));
  BOOST_TEST(cluster::glob_match("shard1*", "shard10x")); // * matches "0x"
  BOOST_TEST(!cluster::glob_match("shard?", "shard10"));
  BOOST_TEST(cluster::glob_match("a*b*c", "aXbYbZc"));
  BOOST_TEST(!cluster::glob_match("a*b*c", "aXbYbZ"));
  cluster::cluster_settings s;
  s.placement = {{"shard0*", "w1"}, {"shard9*", "w2"}};
  auto problem = cluster::check_placement(s, {"coordinator", "shard0", "shard0.stage0"});
  BOOST_TEST(contains(problem, "shard9*"), problem);
  s.placement.pop_back();
  BOOST_TEST(cluster::check_placement(s, {"shard0"}).empty());
  BOOST_TEST(cluster::is_loopback("127.0.0.2"));
  BOOST_TEST(cluster::is_loopback("::1"));
  BOOST_TEST(cluster::is_loopback("localhost"));
  BOOST_TEST(!cluster::is_loopback("10.1.2.3"));
  BOOST_TEST(!cluster::is_loopback("0.0.0.0"));
  BOOST_TEST(!cluster::is_loopback("::"));
  BOOST_TEST(!cluster::is_loopback(""));
  // A name is judged by what it resolves to, not by how it starts.
  BOOST_TEST(!cluster::is_loopback("127.evil.example.com"));
  BOOST_TEST(!cluster::is_loopback("127.0.0.1.nip.invalid"));
}

BOOST_AUTO_TEST_SUITE_END()
