// A newcomer's first hour, scripted: a labelled Financial PhraseBank-style file (some lines
// ISO-8859-1) split with `axon data split`, a tiny job trained on the same file, then eval
// on the written test.csv and on the run's own test split (the same report as training's
// test), the HTML report, the Hugging Face export, predict with a blank line, and the CLI
// conventions: --version, group help, a relative path named with its folder. Along the
// way: the step total is min(epochs, max-steps) and the progress line and metrics.jsonl
// agree on every step's epoch.
#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <sys/stat.h>

using namespace axon::test;

namespace {

/// 300 `sentence@label` lines, 100 per label; every tenth neutral line has a Latin-1 'é';
/// one rise and one fall in ten carry the other's label, so that no model is perfect and
/// the reports compared below have errors in them.
void write_fpb(const fs::path& file) {
  std::ofstream out{file, std::ios::binary};
  const char* companies[] = {"Orvola", "Kestrel", "Brannick", "Tuomi", "Lysander"};
  for (int i = 0; i < 100; ++i) {
    const std::string company = companies[i % 5];
    const bool noisy = i % 10 == 3;
    out << company << " net sales rose " << i + 3 << " % in the quarter .@"
        << (noisy ? "negative" : "positive") << '\n';
    out << company << " operating profit fell " << i + 2 << " % year on year .@"
        << (noisy ? "positive" : "negative") << '\n';
    out << company << (i % 10 == 0 ? " Caf\xe9" : "") << " will hold its meeting on day " << i + 1
        << " .@neutral\n";
  }
}

std::string read_file(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

/// The classification report of an output: the text before its `accuracy=` line.
std::string report_of(const std::string& output, const std::string& last_line_start) {
  auto end = output.rfind(last_line_start);
  auto begin = output.find("precision");
  BOOST_REQUIRE(end != std::string::npos && begin != std::string::npos && begin < end);
  return output.substr(begin, end - begin);
}

} // namespace

BOOST_AUTO_TEST_SUITE(newcomer_cli)

BOOST_AUTO_TEST_CASE(split_train_eval_predict_agree) {
  temp_dir dir;
  const auto all = dir.path / "fpb.txt", splits = dir.path / "splits", run_dir = dir.path / "run";
  write_fpb(all);
  auto split = run(axon_command + " data split " + all.string() + " " + splits.string());
  BOOST_TEST_INFO(split.output);
  BOOST_REQUIRE(split.status == 0);
  std::smatch rows;
  BOOST_REQUIRE(std::regex_search(split.output, rows, std::regex{R"((\d+) train, (\d+) dev)"}));
  const int batches_per_epoch = (std::stoi(rows[1]) + 15) / 16;

  // Two epochs and a max-steps far beyond them: the epochs end the run.
  const auto config = dir.path / "tiny.ini";
  std::ofstream{config} << "[data]\npath = \"" << all.string() << "\"\nformat = \"fpb\"\n"
                        << "vocab-size = 300\nmax-len = 24\n"
                        << "[model]\nhidden = 32\nlayers = 1\nheads = 2\nintermediate = 64\n"
                        << "max-positions = 24\n"
                        << "[train]\nrun-dir = \"" << run_dir.string() << "\"\nepochs = 2\n"
                        << "max-steps = 1000\nbatch-size = 16\nlr = 5e-3\nlog-every-steps = 1\n"
                        << "threads = 2\n[eval]\nevery-steps = 7\npatience = 0\n";
  const auto train_err = dir.path / "train.err";
  auto trained = run("(" + axon_command + " train " + config.string() + " 2>" + train_err.string()
                     + ")");
  const auto progress = read_file(train_err);
  BOOST_TEST_INFO(trained.output + progress);
  BOOST_REQUIRE(trained.status == 0);

  // One epoch convention: a step's epoch is that of its batch, counted from 1, in the
  // progress line, the train lines and the eval lines alike; the total is 2 epochs' steps.
  const int total = 2 * batches_per_epoch;
  auto epoch_of = [&](std::int64_t step) { return int((step - 1) / batches_per_epoch) + 1; };
  std::regex line{
    R"(epoch (\d+)/2 step (\d+)/(\d+) loss \S+ \d+ tok/s [\d.]+ samples/s elapsed \d+\S* ETA )"};
  int lines = 0;
  for (std::sregex_iterator it{progress.begin(), progress.end(), line}, end; it != end; ++it) {
    const auto step = std::stoll((*it)[2]);
    BOOST_TEST(std::stoi((*it)[1]) == epoch_of(step), it->str());
    BOOST_TEST(std::stoi((*it)[3]) == total, it->str());
    ++lines;
  }
  BOOST_TEST(lines == total);
  const auto train = events(run_dir, "train");
  BOOST_REQUIRE(train.size() == std::size_t(total));
  for (const auto& e : train)
    BOOST_TEST(e["epoch"].get<int>() == epoch_of(e["step"].get<std::int64_t>()), e.dump());
  const auto evals = events(run_dir, "eval");
  BOOST_TEST(evals.size() >= 4u);
  for (const auto& e : evals)
    BOOST_TEST(e["epoch"].get<int>() == epoch_of(e["step"].get<std::int64_t>()), e.dump());

  // The run kept the test rows `axon data split` wrote (same reader, splitter and seed).
  BOOST_TEST(read_file(run_dir / "splits" / "test.csv") == read_file(splits / "test.csv"));
  // eval on the written test.csv: its extension wins over the run's data.format = "fpb";
  // the report is training's test report.
  const auto train_report = report_of(trained.output, "test accuracy=");
  const auto test = events(run_dir, "test");
  BOOST_REQUIRE(test.size() == 1u);
  BOOST_TEST(test[0]["accuracy"].get<double>() > 0.5, trained.output); // chance is 1/3
  auto on_file = run(axon_command + " eval --run " + run_dir.string() + " --data "
                     + (splits / "test.csv").string());
  BOOST_TEST_INFO(on_file.output);
  BOOST_REQUIRE(on_file.status == 0);
  BOOST_TEST(report_of(on_file.output, "accuracy=") == train_report);
  auto on_split = run(axon_command + " eval --run " + run_dir.string() + " --split test");
  BOOST_TEST_INFO(on_split.output);
  BOOST_REQUIRE(on_split.status == 0);
  BOOST_TEST(report_of(on_split.output, "accuracy=") == train_report);
  // A flag wins over the extension: test.csv read as FPB has no `@label`.
  auto forced = run(axon_command + " eval --run " + run_dir.string() + " --format fpb --data "
                    + (splits / "test.csv").string());
  BOOST_TEST(forced.status == 2);
  BOOST_TEST(forced.output.find("test.csv:1") != std::string::npos, forced.output);
  BOOST_TEST(run(axon_command + " eval --run " + run_dir.string() + " --split train").status == 2);
  BOOST_TEST(run(axon_command + " eval --run " + run_dir.string() + " --split test --data "
                 + all.string()).status == 2);

  // axon report: one self-contained HTML page (nothing to fetch) with four charts and the
  // test report's confusion matrix.
  auto reported = run(axon_command + " report " + run_dir.string());
  BOOST_TEST_INFO(reported.output);
  BOOST_REQUIRE(reported.status == 0);
  const auto html = read_file(run_dir / "report.html");
  std::size_t charts = 0;
  for (auto at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
    ++charts;
  BOOST_TEST(charts == 4u);
  BOOST_TEST(html.find("<polyline") != std::string::npos);
  for (const auto* outside : {"http:", "https:", "src=", "<script", "@import"})
    BOOST_TEST(html.find(outside) == std::string::npos, outside);
  BOOST_TEST(html.find("Confusion matrix: test") != std::string::npos);
  char test_summary[64];
  std::snprintf(test_summary, sizeof test_summary, "accuracy=%.4f macro_f1=%.4f",
                test[0]["accuracy"].get<double>(), test[0]["macro_f1"].get<double>());
  BOOST_TEST(html.find(test_summary) != std::string::npos);
  BOOST_TEST(run(axon_command + " report " + (dir.path / "nowhere").string()).status == 2);

  // ... and it renders: Debian's Chromium (scripts/test.sh installs it) screenshots it
  // headless. A page whose charts and table did not draw compresses to a few KB (a blank
  // page of this size gave 10 KB, a title alone 13 KB, the report about 100 KB).
  if (run("command -v chromium").status != 0) {
    BOOST_TEST_MESSAGE("no chromium on PATH: the report's screenshot is not checked");
  } else {
    const auto shot = dir.path / "report.png";
    auto shown = run("timeout 120 chromium --headless --no-sandbox --disable-gpu "
                     "--hide-scrollbars --user-data-dir=" + (dir.path / "chromium").string()
                     + " --window-size=1200,1800 --screenshot=" + shot.string() + " file://"
                     + fs::absolute(run_dir / "report.html").string());
    BOOST_TEST_INFO(shown.output);
    BOOST_REQUIRE(shown.status == 0);
    const auto png = read_file(shot);
    BOOST_REQUIRE(png.size() > 24u);
    BOOST_TEST(png.compare(1, 3, "PNG") == 0);
    auto be32 = [&png](std::size_t at) {
      return std::uint32_t(std::uint8_t(png[at])) << 24 | std::uint32_t(std::uint8_t(png[at + 1])) << 16
             | std::uint32_t(std::uint8_t(png[at + 2])) << 8 | std::uint32_t(std::uint8_t(png[at + 3]));
    };
    BOOST_TEST(be32(16) == 1200u); // IHDR width
    BOOST_TEST(be32(20) == 1800u); // IHDR height
    BOOST_TEST(png.size() > 40000u, "screenshot of " << png.size() << " bytes: nothing drawn?");
  }

  // axon export: a Hugging Face folder with the run's labels (its logits against
  // transformers' are checked in test_checkpoint); a non-empty OUT is refused.
  const auto exported = dir.path / "hf";
  auto export_run = run(axon_command + " export --run " + run_dir.string() + " "
                        + exported.string());
  BOOST_TEST_INFO(export_run.output);
  BOOST_REQUIRE(export_run.status == 0);
  for (auto file : {"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json",
                    "special_tokens_map.json"})
    BOOST_TEST(fs::exists(exported / file), file);
  const auto hf_config = nlohmann::json::parse(read_file(exported / "config.json"));
  BOOST_TEST(hf_config["model_type"] == "bert");
  BOOST_TEST(hf_config["id2label"]
             == (nlohmann::json{{"0", "negative"}, {"1", "neutral"}, {"2", "positive"}}));
  BOOST_TEST(read_file(exported / "vocab.txt") == read_file(run_dir / "vocab.txt"));
  BOOST_TEST(run(axon_command + " export --run " + run_dir.string() + " " + exported.string())
               .status == 2);

  // A model.init whose weights are NaN (the export, its tensors' bytes overwritten) stops
  // at the first step, naming it and the loss (exit 1), instead of training on at loss nan.
  const auto broken = dir.path / "hf-nan";
  fs::copy(exported, broken);
  {
    const auto file = broken / "model.safetensors";
    const auto size = fs::file_size(file);
    std::fstream weights{file, std::ios::in | std::ios::out | std::ios::binary};
    std::uint64_t header = 0; // safetensors: u64 little-endian header length, JSON, data
    weights.read(reinterpret_cast<char*>(&header), sizeof header);
    weights.seekp(std::streamoff(8 + header));
    const std::string nan(size - 8 - header, '\xff'); // 0xffffffff: a float NaN
    weights.write(nan.data(), std::streamsize(nan.size()));
  }
  auto nan_run = run(axon_command + " train " + config.string() + " --train.run-dir="
                     + (dir.path / "nan-run").string() + " --model.init=" + broken.string());
  BOOST_TEST_INFO(nan_run.output);
  BOOST_TEST(nan_run.status == 1);
  BOOST_TEST(nan_run.output.find("step 1: the training loss is nan") != std::string::npos);

  // predict: a blank line gets a blank answer, so output line N answers input line N;
  // latin-1 input converts with --encoding.
  auto predicted = run("printf 'Tuomi net sales rose 40 %% in the quarter .\\n\\n"
                       "Caf\\351 Oy will hold its meeting on day 3 .\\n' | " + axon_command
                       + " predict --encoding auto --run " + run_dir.string());
  BOOST_TEST_INFO(predicted.output);
  BOOST_REQUIRE(predicted.status == 0);
  const std::string labelled = R"((negative|neutral|positive)\t[01]\.\d{4}\n)";
  BOOST_TEST(std::regex_match(predicted.output, std::regex{labelled + "\n" + labelled}));
  auto json_blank = run("printf '\\n' | " + axon_command + " predict --json --run "
                        + run_dir.string());
  BOOST_TEST(json_blank.output == "{\"label\":null,\"text\":\"\"}\n");
  auto jsonl = run("echo '{\"sentence\": \"Orvola operating profit fell 9 % year on year .\"}' | "
                   + axon_command + " predict --format jsonl --text-column sentence --run "
                   + run_dir.string());
  BOOST_TEST(jsonl.status == 0, jsonl.output);
  BOOST_TEST(run("echo 'x' | " + axon_command + " predict --format jsonl --run " + run_dir.string())
               .output.find("stdin:1: not JSON: parse error at line 1, column 1") != std::string::npos);

  // predict on an open stdin: a line gets its answer before the input ends.
  const auto fifo = dir.path / "stdin.fifo";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  child live{{"/bin/sh", "-c", axon_command + " predict --run " + run_dir.string() + " < "
                                 + fifo.string()},
             dir.path / "live.log"};
  std::ofstream feed{fifo}; // opens once predict opens its end
  feed << "Tuomi net sales rose 40 % in the quarter .\n" << std::flush;
  BOOST_TEST(live.wait_for("\n", 60s), "no answer while stdin is open: " << live.output());
  BOOST_TEST(!live.finished(0ms));
  feed << "Orvola operating profit fell 9 % year on year .\n";
  feed.close(); // end of input
  BOOST_REQUIRE(live.finished(60s));
  BOOST_TEST(live.status() == 0);
  BOOST_TEST(std::regex_match(live.output(), std::regex{labelled + labelled}), live.output());
}

BOOST_AUTO_TEST_CASE(cli_conventions) {
  auto version = run(axon_command + " --version");
  BOOST_TEST(version.status == 0);
  BOOST_TEST(std::regex_match(version.output, std::regex{R"(axon \d+\.\d+\.\d+\n)"}),
             version.output);
  for (const auto& [group, member] : std::map<std::string, std::string>{
         {"bench", "bench train"}, {"data", "data split"}, {"config", "config check"},
         {"kg", "kg train"}}) {
    auto bare = run(axon_command + " " + group);
    BOOST_TEST(bare.status == 2, group);
    BOOST_TEST(bare.output.find(member) != std::string::npos, bare.output);
    BOOST_TEST(bare.output.find("unknown command") == std::string::npos, bare.output);
    auto help = run(axon_command + " " + group + " --help");
    BOOST_TEST(help.status == 0, group);
    BOOST_TEST(help.output.find(member) != std::string::npos, help.output);
    auto wrong = run(axon_command + " " + group + " nosuch");
    BOOST_TEST(wrong.status == 2);
    BOOST_TEST(wrong.output.find("unknown command '" + group + " nosuch'") != std::string::npos);
    BOOST_TEST(wrong.output.find(member) != std::string::npos);
  }
  BOOST_TEST(run(axon_command + " nosuch").status == 2);
  // A relative path that cannot be opened is named with the folder it was resolved against.
  temp_dir dir;
  auto missing = run("cd " + dir.path.string() + " && " + axon_command
                     + " data split no/such.csv out");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(missing.output.find("no/such.csv (relative to " + fs::canonical(dir.path).string()
                                 + ")") != std::string::npos,
             missing.output);
}

BOOST_AUTO_TEST_SUITE_END()
