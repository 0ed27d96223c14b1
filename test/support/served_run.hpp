// What the `axon serve` tests share: a tiny run trained from generated data, sentences of
// several lengths, `axon predict --json` of lines on a run (the answers serving must
// equal) and the check that a classify answer equals them, and the port a started service
// prints.
#pragma once

#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

namespace axon::test {

/// Sentences of several lengths (their padding differs within a batch).
inline const std::vector<std::string> serve_sentences{
  "Tuomi net sales rose 40 % in the quarter .",
  "Operating profit fell to EUR 3.1 mn from EUR 7.4 mn .",
  "The company will announce its results on Friday .",
  "Sales decreased .",
  "Kesko said demand for building materials was weak and it cut staff at three stores .",
  "Profit increased .",
  "The board proposes a dividend of EUR 0.50 per share for 2009 .",
  "Net loss widened as costs rose sharply and orders dropped in all markets during the period .",
};

/// Generates synth-finsent data (400 rows) into `data_dir`.
inline void make_serve_data(const fs::path& data_dir) {
  auto data = run(axon_command + " data synth-finsent " + data_dir.string() + " --size 400");
  BOOST_REQUIRE_MESSAGE(data.status == 0, data.output);
}

/// Trains `run_dir` on `data_dir`'s data with the tiny config (hidden 32, 1 layer, max-len
/// 32, 12 steps, checkpoints at steps 6 and 12) and `extra` keys; the config goes to
/// `config`.
inline void train_tiny_run(const fs::path& data_dir, const fs::path& run_dir,
                           const fs::path& config, const std::string& extra = "") {
  std::ofstream{config} << "[data]\ntrain = \"" << (data_dir / "train.csv").string() << "\"\n"
                        << "dev = \"" << (data_dir / "dev.csv").string() << "\"\n"
                        << "vocab-size = 600\nmax-len = 32\n"
                        << "[model]\nhidden = 32\nlayers = 1\nheads = 2\nintermediate = 64\n"
                        << "max-positions = 32\n[train]\nrun-dir = \"" << run_dir.string()
                        << "\"\nepochs = 1\nmax-steps = 12\nbatch-size = 16\nlr = 5e-3\nthreads = 2\n"
                        << "[eval]\nevery-steps = 6\npatience = 0\n" << extra;
  auto trained = run(axon_command + " train " + config.string());
  BOOST_REQUIRE_MESSAGE(trained.status == 0, trained.output);
}

/// `axon predict --json` of `lines` on `run_dir`, as one batch (they are read at once);
/// `input` is the scratch file they are written to.
inline std::vector<nlohmann::json> predict_json(const fs::path& run_dir,
                                                const std::vector<std::string>& lines,
                                                const fs::path& input) {
  std::ofstream out{input};
  for (const auto& line : lines)
    out << line << '\n';
  out.close();
  auto r = run(axon_command + " predict --json --batch 64 --run " + run_dir.string() + " < "
               + input.string());
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  std::vector<nlohmann::json> answers;
  std::istringstream text{r.output};
  for (std::string line; std::getline(text, line);)
    answers.push_back(nlohmann::json::parse(line));
  return answers;
}

/// Checks that `r` is a 200 classify answer equal to predict's `expected`: its labels, and
/// its probabilities bit for bit (the same batch: the same floats) or within `tolerance`
/// (another batch, another device); returns its JSON.
inline nlohmann::json check_equals_predict(const httplib::Result& r,
                                           const std::vector<nlohmann::json>& expected,
                                           double tolerance = 0) {
  BOOST_REQUIRE(r);
  BOOST_TEST_REQUIRE(r->status == 200, r->body);
  auto answer = nlohmann::json::parse(r->body);
  BOOST_TEST_REQUIRE(answer["predictions"].size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& got = answer["predictions"][i];
    BOOST_TEST(got["label"] == expected[i]["label"]);
    BOOST_TEST(std::abs(got["probability"].get<double>() - expected[i]["probability"].get<double>())
               <= tolerance);
    for (const auto& [label, p] : expected[i]["probabilities"].items())
      BOOST_TEST(std::abs(got["probabilities"][label].get<double>() - p.get<double>()) <= tolerance);
  }
  return answer;
}

/// The port in a service's "listening on http(s)://HOST:PORT" line.
inline int serve_port(const std::string& output) {
  std::smatch m;
  BOOST_REQUIRE(std::regex_search(output, m, std::regex{R"(listening on https?://[0-9.]+:(\d+))"}));
  return std::stoi(m[1]);
}

/// A started `axon serve` (its output in `log`), ready to answer; killed at the end.
struct serving_process {
  std::unique_ptr<child> process;
  int port = 0;
  /// `axon serve --run RUN_DIR --serve.port=0 --monitor.port=-1 FLAGS...`.
  serving_process(const fs::path& run_dir, const std::vector<std::string>& flags,
                  const fs::path& log)
    : serving_process{with_flags({axon_command, "serve", "--run", run_dir.string(),
                                  "--serve.port=0", "--monitor.port=-1"},
                                 flags),
                      log} {}
  /// `argv`, a command that starts `axon serve` (with serve.port = 0).
  serving_process(const std::vector<std::string>& argv, const fs::path& log) {
    process = std::make_unique<child>(argv, log);
    BOOST_REQUIRE_MESSAGE(process->wait_for("axon serve: ready", 60s), process->output());
    port = serve_port(process->output());
  }
  static std::vector<std::string> with_flags(std::vector<std::string> argv,
                                             const std::vector<std::string>& flags) {
    argv.insert(argv.end(), flags.begin(), flags.end());
    return argv;
  }
  httplib::Client client() const {
    httplib::Client c{"127.0.0.1", port};
    c.set_read_timeout(30, 0);
    return c;
  }
  httplib::Result classify(const std::vector<std::string>& texts) const {
    return client().Post("/v1/classify", nlohmann::json{{"texts", texts}}.dump(),
                         "application/json");
  }
  httplib::Result reload() const { return client().Post("/v1/reload", "", "application/json"); }
};

} // namespace axon::test
