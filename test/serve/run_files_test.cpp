// Shipping a run (actors/serve/run_files.hpp): which names a node may fetch, and the run
// files actor with fetch_run in one process: the copy holds what a replica loads for a
// checkpoint (its manifest and weights, not the optimizer state), byte for byte, in
// chunks; names outside the run are refused.
#include "actors/serve/messages.hpp"
#include "actors/serve/run_files.hpp"
#include "test/support/temp_dir.hpp"

#include <caf/all.hpp>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

using namespace axon;
namespace fs = std::filesystem;

namespace {

std::string contents(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct actor_system_fixture { // in one process: nothing is serialized
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
};

} // namespace

BOOST_AUTO_TEST_SUITE(run_files)

BOOST_AUTO_TEST_CASE(only_a_runs_files_may_be_fetched) {
  for (const char* name : {"config.ini", "labels.txt", "vocab.txt", "kg/entities.txt",
                           "checkpoints/step-6/model.safetensors"})
    BOOST_TEST(shippable_run_file(name), name);
  for (const char* name : {"", "/etc/passwd", "../config.ini", "kg/../../x", "kg/", "kg/a/b",
                           "checkpoints/step-6", "checkpoints/../x/y", "checkpoints/a/../b",
                           "checkpoints/a/b/c", "console.token", "monitor.json", "train.log",
                           "checkpoints/./model.safetensors"})
    BOOST_TEST(!shippable_run_file(name), name);
}

BOOST_FIXTURE_TEST_CASE(a_node_copies_what_a_replica_loads, actor_system_fixture) {
  axon::test::temp_dir dir;
  const auto run = dir.path / "run";
  fs::create_directories(run / "checkpoints/step-6");
  fs::create_directories(run / "checkpoints/step-12");
  fs::create_directories(run / "kg");
  std::string big(3 * (1 << 20) + 5, '\0'); // more than one 1 MiB chunk
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = char(i * 131 % 251);
  std::ofstream{run / "checkpoints/step-6/model.safetensors", std::ios::binary} << big;
  std::ofstream{run / "checkpoints/step-6/manifest.msgpack"} << "manifest";
  std::ofstream{run / "checkpoints/step-6/optimizer.safetensors"} << "moments";
  std::ofstream{run / "checkpoints/step-12/model.safetensors"} << "other";
  std::ofstream{run / "config.ini"} << "[train]\n";
  std::ofstream{run / "vocab.txt"} << "[PAD]\n";
  std::ofstream{run / "labels.txt"} << "negative\npositive\n";
  std::ofstream{run / "kg/entities.txt"} << "e1\n";
  std::ofstream{run / "console.token"} << "secret";
  fs::create_symlink(run / "console.token", run / "kg/aliases.tsv"); // leads elsewhere
  auto files = spawn_run_files(sys, run.string());
  const auto cache = dir.path / "cache";
  auto [copy, folder] = fetch_run(sys, files, cache.string(), run.string(),
                                  (run / "checkpoints/step-6").string(), std::chrono::seconds{10});
  BOOST_TEST(folder == (fs::path{copy} / "checkpoints/step-6").string());
  for (const char* name : {"config.ini", "vocab.txt", "labels.txt", "kg/entities.txt",
                           "checkpoints/step-6/model.safetensors",
                           "checkpoints/step-6/manifest.msgpack"})
    BOOST_TEST(contents(fs::path{copy} / name) == contents(run / name), name);
  BOOST_TEST(!fs::exists(fs::path{copy} / "checkpoints/step-12"));
  BOOST_TEST(!fs::exists(fs::path{copy} / "checkpoints/step-6/optimizer.safetensors"));
  BOOST_TEST(!fs::exists(fs::path{copy} / "console.token"));
  BOOST_TEST(!fs::exists(fs::path{copy} / "kg/aliases.tsv")); // a link: not listed
  // Names outside the run's files, and checkpoints that are not there, are refused.
  caf::scoped_actor self{sys};
  for (const std::string name :
       {"console.token", "../run/config.ini", "/etc/passwd", "kg/aliases.tsv"}) {
    bool refused = false;
    self->request(files, std::chrono::seconds{10}, fetch_file_atom::value, name, std::uint64_t{0})
      .receive([](std::string&) {}, [&](caf::error&) { refused = true; });
    BOOST_TEST(refused, name);
  }
  // Reloads: the copy keeps the checkpoint it loads and the newest other one.
  fs::create_directories(run / "checkpoints/step-18");
  std::ofstream{run / "checkpoints/step-18/model.safetensors"} << "newer";
  for (const char* step : {"step-12", "step-18"})
    fetch_run(sys, files, cache.string(), run.string(), (run / "checkpoints" / step).string(),
              std::chrono::seconds{10});
  BOOST_TEST(!fs::exists(fs::path{copy} / "checkpoints/step-6"));
  BOOST_TEST(fs::exists(fs::path{copy} / "checkpoints/step-12/model.safetensors"));
  BOOST_TEST(contents(fs::path{copy} / "checkpoints/step-18/model.safetensors") == "newer");
  BOOST_CHECK_THROW(fetch_run(sys, files, cache.string(), run.string(),
                              (run / "checkpoints/step-99").string(), std::chrono::seconds{10}),
                    std::runtime_error);
  BOOST_CHECK_THROW(fetch_run(sys, files, cache.string(), run.string(),
                              (run / "checkpoints/..").string(), std::chrono::seconds{10}),
                    std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
