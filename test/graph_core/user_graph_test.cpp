// User graphs on the graph core, as a user runs them: PageRank and wordcount on two node
// processes of their own programs, placed by one config file; a node of another program
// refused; the installed package (cmake --install) building both examples outside the
// tree; and docs/graphs.md, whose code must be the example's code.
#include "test/support/free_port.hpp"
#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <regex>

using namespace axon::test;

namespace {

const std::string pagerank = AXON_BINARY_DIR "/bin/axon-pagerank";
const std::string wordcount = AXON_BINARY_DIR "/examples/wordcount/wordcount";
const fs::path source_dir = AXON_TEST_DIR "/..";

std::string text_of(const fs::path& file) {
  std::ifstream in{file};
  return {std::istreambuf_iterator<char>{in}, {}};
}

// Two nodes on free ports and the placement rules; `program` runs each as `program node`.
struct two_nodes {
  temp_dir dir;
  fs::path config = dir.path / "cluster.ini";
  std::vector<std::unique_ptr<child>> nodes;

  two_nodes(const std::string& program, const std::string& placement) {
    std::ofstream{config} << "[placement]\nnodes = [" << placement << "]\n"
                          << "[cluster]\nnodes = [\"worker1=127.0.0.1:" << free_port()
                          << "\", \"worker2=127.0.0.1:" << free_port() << "\"]\n"
                          << "heartbeat = 250ms\ntimeout = 5s\n";
    for (std::string name : {"worker1", "worker2"}) {
      std::vector<std::string> argv{program, "node", "--config", config.string(), "--name", name};
      nodes.push_back(std::make_unique<child>(argv, dir.path / (name + ".log")));
      BOOST_REQUIRE_MESSAGE(nodes.back()->wait_for("node " + name + " listening on", 20s),
                            nodes.back()->output());
    }
  }
  std::string logs() const { return nodes[0]->output() + nodes[1]->output(); }
};

fs::path triples(const temp_dir& dir) {
  auto r = run(axon_command + " data synth-finsent " + (dir.path / "data").string() + " --size 200");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  return dir.path / "data/kg/triples.tsv";
}

fs::path some_text(const temp_dir& dir) {
  auto file = dir.path / "text.txt";
  std::ofstream out{file};
  for (int line = 0; line < 200; ++line) // many batches per counter: the windows fill
    out << "the actor sends word" << line % 7 << " and the graph counts it\n";
  return file;
}

} // namespace

BOOST_AUTO_TEST_SUITE(user_graphs)

BOOST_AUTO_TEST_CASE(pagerank_runs_on_two_node_processes_of_its_own_program) {
  two_nodes cluster{pagerank, "\"partition0=worker1\", \"partition2=worker1\", \"partition*=worker2\""};
  auto local = run(pagerank + " " + triples(cluster.dir).string() + " --partitions 4");
  auto placed = run(pagerank + " " + triples(cluster.dir).string() + " --partitions 4 --cluster "
                    + cluster.config.string());
  BOOST_TEST_INFO(placed.output + cluster.logs());
  BOOST_TEST(placed.status == 0);
  BOOST_TEST(placed.output == local.output); // the same ranks, iterations and top ten
  for (std::string spawned : {"worker1] spawned partition0", "worker1] spawned partition2",
                              "worker2] spawned partition1", "worker2] spawned partition3"})
    BOOST_TEST(cluster.logs().find(spawned) != std::string::npos, spawned);
}

BOOST_AUTO_TEST_CASE(wordcount_counts_the_same_on_two_nodes_as_in_one_process) {
  two_nodes cluster{wordcount, "\"counter0=worker1\", \"counter*=worker2\""};
  const auto text = some_text(cluster.dir).string();
  auto local = run(wordcount + " " + text + " 3");
  auto placed = run(wordcount + " " + text + " 3 " + cluster.config.string());
  BOOST_TEST_INFO(placed.output + cluster.logs());
  BOOST_TEST(local.status == 0);
  BOOST_TEST(placed.status == 0);
  BOOST_TEST(placed.output == local.output);
  BOOST_TEST(local.output.find("the 400\n") != std::string::npos);
  BOOST_TEST(cluster.logs().find("worker2] spawned counter2 (wordcount.counter)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_node_of_another_program_is_refused_with_exit_2) {
  two_nodes cluster{wordcount, "\"partition*=worker1\""}; // wordcount's types, not PageRank's
  auto placed = run(pagerank + " " + triples(cluster.dir).string() + " --partitions 2 --cluster "
                    + cluster.config.string());
  BOOST_TEST_INFO(placed.output);
  BOOST_TEST(placed.status == 2);
  BOOST_TEST(placed.output.find("message-type sets differ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(over_tls_a_user_graph_places_actors_only_with_a_coordinator_certificate) {
  temp_dir dir;
  const auto certs = dir.path / "certs";
  auto made = run(source_dir.string() + "/examples/cluster/make-certs.sh " + certs.string()
                  + " coordinator worker1");
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  const auto port = free_port();
  // One config per certificate: the node's, the driver's, and the driver holding a node's.
  auto config_with = [&](const std::string& name) {
    auto file = dir.path / (name + ".ini");
    std::ofstream{file} << "[placement]\nnodes = [\"partition*=worker1\"]\n"
                        << "[cluster]\nnodes = [\"worker1=127.0.0.1:" << port << "\"]\n"
                        << "heartbeat = 250ms\ntimeout = 5s\n"
                        << "tls-ca = \"" << (certs / "ca.pem").string() << "\"\n"
                        << "tls-certificate = \"" << (certs / (name + ".pem")).string() << "\"\n"
                        << "tls-key = \"" << (certs / (name + ".key")).string() << "\"\n";
    return file.string();
  };
  const auto node_config = config_with("worker1");
  child node{{pagerank, "node", "--config", node_config, "--name", "worker1"},
             dir.path / "worker1.log"};
  BOOST_REQUIRE_MESSAGE(node.wait_for("node worker1 listening on", 20s), node.output());
  const auto data = triples(dir).string();
  auto local = run(pagerank + " " + data + " --partitions 2");
  auto placed = run(pagerank + " " + data + " --partitions 2 --cluster " + config_with("coordinator"));
  BOOST_TEST_INFO(placed.output + node.output());
  BOOST_TEST(placed.status == 0);
  BOOST_TEST(placed.output == local.output);
  BOOST_TEST(node.output().find("worker1] spawned partition1") != std::string::npos);
  // A node's certificate cannot drive a graph: refused before connecting, naming the role.
  auto wrong = run(pagerank + " " + data + " --partitions 2 --cluster " + node_config);
  BOOST_TEST_INFO(wrong.output);
  BOOST_TEST(wrong.status == 2);
  BOOST_TEST(wrong.output.find("needs OU=axon-coordinator") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_installed_package_builds_user_graphs_outside_the_tree) {
  temp_dir dir;
  const auto prefix = dir.path / "prefix";
  auto installed = run("cmake --install " + std::string{AXON_BINARY_DIR} + " --prefix " + prefix.string());
  BOOST_REQUIRE_MESSAGE(installed.status == 0, installed.output);
  for (std::string example : {"wordcount", "pagerank"}) {
    const auto src = dir.path / example, build = dir.path / (example + "-build");
    fs::copy(source_dir / "examples" / example, src, fs::copy_options::recursive);
    auto configured = run("cmake -S " + src.string() + " -B " + build.string()
                          + " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" + prefix.string());
    BOOST_REQUIRE_MESSAGE(configured.status == 0, configured.output);
    auto built = run("cmake --build " + build.string() + " -j2");
    BOOST_REQUIRE_MESSAGE(built.status == 0, built.output);
  }
  const auto text = some_text(dir).string();
  auto outside = run((dir.path / "wordcount-build/wordcount").string() + " " + text + " 2");
  auto inside = run(wordcount + " " + text + " 2");
  BOOST_TEST(outside.status == 0);
  BOOST_TEST(outside.output == inside.output);
  auto ranks = run((dir.path / "pagerank-build/bin/axon-pagerank").string() + " "
                   + triples(dir).string() + " --partitions 3");
  BOOST_TEST_INFO(ranks.output);
  BOOST_TEST(ranks.status == 0);
}

BOOST_AUTO_TEST_CASE(the_graphs_guide_shows_the_examples_code) {
  const auto guide = text_of(source_dir / "docs/graphs.md");
  const auto example = text_of(source_dir / "examples/wordcount/wordcount.cpp")
                       + text_of(source_dir / "examples/wordcount/CMakeLists.txt");
  auto squeezed = [](std::string s) { // whitespace does not count
    s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }),
            s.end());
    return s;
  };
  const std::regex block{"```(cpp|cmake)\n([\\s\\S]*?)```"};
  int blocks = 0;
  for (std::sregex_iterator it{guide.begin(), guide.end(), block}, end; it != end; ++it, ++blocks)
    BOOST_TEST(squeezed(example).find(squeezed((*it)[2].str())) != std::string::npos,
               "docs/graphs.md block " << blocks + 1 << " is not in examples/wordcount:\n"
                                       << (*it)[2].str());
  BOOST_TEST(blocks >= 6);
}

BOOST_AUTO_TEST_SUITE_END()
