// `axon train` end to end as a user runs it: config and data errors exit 2 with a message
// naming the key or the file; a small job on generated data writes its run directory,
// metrics.jsonl and the final test line; a job killed with SIGKILL and resumed gives the
// same losses as an uninterrupted one, and resumed on another placement the same model;
// early stopping keeps the best checkpoint.
#include "runtime/run_dir_lock.hpp"
#include "test/support/process.hpp"
#include "test/system/small_job.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace axon::test;

BOOST_AUTO_TEST_SUITE(train_cli)

BOOST_AUTO_TEST_CASE(config_errors_exit_2_naming_the_key) {
  temp_dir dir;
  auto config = dir.path / "bad.ini";
  std::ofstream{config} << "[train]\nepochs = \"many\"\nlearning-rate = 0.1\n[modle]\nhidden = 8\n";
  auto r = run(axon_command + " train " + config.string());
  BOOST_TEST(r.status == 2);
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.output.find("bad.ini:2") != std::string::npos);
  BOOST_TEST(r.output.find("train.epochs") != std::string::npos);
  BOOST_TEST(r.output.find("learning-rate") != std::string::npos);
  BOOST_TEST(r.output.find("modle") != std::string::npos);
  auto bad_flag = run(axon_command + " train " + config.string() + " --train.epochs=-3");
  BOOST_TEST(bad_flag.status == 2);
  BOOST_TEST(run(axon_command + " train").status == 2);
}

// data.long-text = chunk end to end on a tiny `axon data synth-longdocs` set: the windows
// are checked against the model; `axon train` logs the windows, trains, evaluates documents
// and writes metrics; `axon predict` chunks its input as the run did, so its probabilities
// of the test documents give the test loss the run logged; resumed on another placement
// it trains the same documents with the same losses.
BOOST_AUTO_TEST_CASE(chunked_documents_train_evaluate_and_predict) {
  temp_dir dir;
  auto made = run(axon_command + " data synth-longdocs " + (dir.path / "docs").string()
                  + " --docs 40 --min-words 60 --max-words 240 --seed 3");
  BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
  auto config = dir.path / "chunked.ini";
  std::ofstream{config} << "[data]\ntrain = \"" << (dir.path / "docs/train.csv").string()
                        << "\"\ndev = \"" << (dir.path / "docs/dev.csv").string()
                        << "\"\ntest = \"" << (dir.path / "docs/test.csv").string()
                        << "\"\nvocab-size = 600\nmax-len = 32\n"
                        << "[model]\nhidden = 32\nlayers = 1\nheads = 2\nintermediate = 64\n"
                        << "max-positions = 32\n"
                        << "[train]\nrun-dir = \"" << (dir.path / "chunked").string()
                        << "\"\nepochs = 2\nbatch-size = 8\nlr = 5e-3\nlog-every-steps = 1\n"
                        << "threads = 2\n[eval]\nevery-steps = 100\npatience = 0\n";
  auto too_long = run(axon_command + " config check " + config.string() + " --data.long-text=chunk");
  BOOST_TEST_INFO(too_long.output);
  BOOST_TEST(too_long.status == 2);
  BOOST_TEST(too_long.output.find("data.chunk-len = 128 exceeds model.max-positions = 32") !=
             std::string::npos);
  const std::string chunk = " --data.long-text=chunk --data.chunk-len=32 --data.chunk-stride=8"
                            " --data.max-chunks=6 --model.window-pooling=attention";
  BOOST_TEST(run(axon_command + " config check " + config.string() + chunk).status == 0);

  auto trained = run(axon_command + " train " + config.string() + chunk
                     + " --placement.stages=2 --placement.shards=2");
  BOOST_TEST_INFO(trained.output);
  BOOST_REQUIRE(trained.status == 0);
  BOOST_TEST(trained.output.find("windows: train split: 32 documents") != std::string::npos);
  BOOST_TEST(trained.output.find("test accuracy=") != std::string::npos);
  std::ifstream metrics{dir.path / "chunked/metrics.jsonl"};
  double test_loss = -1;
  int steps = 0;
  for (std::string line; std::getline(metrics, line);) {
    auto event = nlohmann::json::parse(line);
    steps += event["event"] == "train";
    if (event["event"] == "test")
      test_loss = event["loss"].get<double>();
  }
  BOOST_TEST(steps == 8); // 2 epochs of 32 documents in batches of 8
  BOOST_REQUIRE(test_loss > 0);

  // Back to step 4 (the first epoch's checkpoint) and resumed on 1 stage x 1 shard in
  // windows mode (micro-batches of at most 5 windows: a batch's documents hold up to 48, a
  // document up to 6): the same documents at the same steps, the same losses within float
  // tolerance.
  const auto run_dir = dir.path / "chunked";
  const auto one = events(run_dir, "train");
  const auto one_ledger = ledger(run_dir);
  fs::remove_all(run_dir / "checkpoints/step-8");
  auto resumed = run(axon_command + " train --resume " + run_dir.string()
                     + " --placement.stages=1 --placement.shards=1 --train.micro-windows=5");
  BOOST_TEST_INFO(resumed.output);
  BOOST_REQUIRE(resumed.status == 0);
  BOOST_TEST(resumed.output.find("resuming with placement.shards = 1 (was 2)") != std::string::npos);
  BOOST_TEST(resumed.output.find("resumed from " + (run_dir / "checkpoints/step-4").string())
             != std::string::npos);
  const auto two = events(run_dir, "train");
  BOOST_REQUIRE(two.size() == one.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    const double a = one[i]["loss"].get<double>(), b = two[i]["loss"].get<double>();
    BOOST_TEST(std::fabs(a - b) <= 1e-4 * std::fabs(a), "step " << one[i]["step"]);
  }
  BOOST_TEST((ledger(run_dir) == one_ledger));
  for (const auto& event : events(run_dir, "test"))
    test_loss = event["loss"].get<double>();

  // predict on the test documents: the mean cross-entropy of its probabilities is the test
  // loss the run logged (truncating the documents instead gives another).
  std::ifstream test_csv{dir.path / "docs/test.csv"};
  std::ofstream texts{dir.path / "test.txt"};
  std::vector<std::string> labels;
  std::string line;
  std::getline(test_csv, line); // header
  while (std::getline(test_csv, line)) {
    const auto close = line.rfind('"'); // "text",label,depth,words,deciding_word
    texts << line.substr(1, close - 1) << '\n';
    const auto rest = line.substr(close + 2);
    labels.push_back(rest.substr(0, rest.find(',')));
  }
  texts.close();
  auto predicted = run(axon_command + " predict --json --run " + (dir.path / "chunked").string()
                       + " < " + (dir.path / "test.txt").string());
  BOOST_TEST_INFO(predicted.output);
  BOOST_REQUIRE(predicted.status == 0);
  std::istringstream answers{predicted.output};
  double loss_sum = 0;
  std::size_t answered = 0;
  for (std::string answer; std::getline(answers, answer) && answered < labels.size();) {
    if (answer.empty() || answer.front() != '{')
      continue;
    auto object = nlohmann::json::parse(answer);
    loss_sum -= std::log(object["probabilities"][labels[answered++]].get<double>());
  }
  BOOST_REQUIRE(answered == labels.size());
  // float32 either way: they agree to 4e-8 here; one window per document is 1.3e-5 off
  BOOST_TEST(std::fabs(loss_sum / double(answered) - test_loss) <= 1e-6 * test_loss);
}

// Long documents with the KG: each window's pieces carry their words' entities, linked by
// the KG service in training and evaluation and by `axon predict` in the run's process,
// so predict's probabilities of the test texts give the test loss the run logged. The
// generated sentences are cut into windows of 6 pieces (stride 2), so mentions fall in
// several windows and across their edges.
BOOST_FIXTURE_TEST_CASE(chunked_documents_link_the_kg_in_every_window, generated_data) {
  const auto kg = dir.path / "data/kg";
  auto config = write_config(dir.path, "chunked-kg", "");
  auto trained = run(axon_command + " train " + config + " --data.long-text=chunk"
                     + " --data.chunk-len=8 --data.chunk-stride=2 --data.max-chunks=16"
                     + " --model.max-positions=32 --train.epochs=1 --eval.every-steps=0"
                     + " --train.micro-windows=40 --placement.shards=2"
                     + " --kg.triples=" + (kg / "triples.tsv").string()
                     + " --kg.aliases=" + (kg / "aliases.tsv").string());
  BOOST_TEST_INFO(trained.output);
  BOOST_REQUIRE(trained.status == 0);
  BOOST_TEST(trained.output.find("served by the KG service actor") != std::string::npos);
  BOOST_TEST(trained.output.find("windows: train split") != std::string::npos);
  double test_loss = -1;
  for (const auto& event : events(dir.path / "chunked-kg", "test"))
    test_loss = event["loss"].get<double>();
  BOOST_REQUIRE(test_loss > 0);

  std::ifstream test_csv{dir.path / "data/test.csv"};
  std::ofstream texts{dir.path / "test.txt"};
  std::vector<std::string> labels;
  std::string line;
  std::getline(test_csv, line); // header: text,label,kg_dependent,kind
  while (std::getline(test_csv, line)) {
    const bool quoted = line.front() == '"';
    const auto end = quoted ? line.find("\",") : line.find(',');
    texts << line.substr(quoted ? 1 : 0, quoted ? end - 1 : end) << '\n';
    const auto rest = line.substr(end + (quoted ? 2 : 1));
    labels.push_back(rest.substr(0, rest.find(',')));
  }
  texts.close();
  auto predicted = run(axon_command + " predict --json --run " + (dir.path / "chunked-kg").string()
                       + " < " + (dir.path / "test.txt").string());
  BOOST_REQUIRE_MESSAGE(predicted.status == 0, predicted.output);
  std::istringstream answers{predicted.output};
  double loss_sum = 0;
  std::size_t answered = 0, linked = 0;
  for (std::string answer; std::getline(answers, answer);) {
    if (answer.empty() || answer.front() != '{')
      continue;
    auto object = nlohmann::json::parse(answer);
    BOOST_REQUIRE(answered < labels.size());
    loss_sum -= std::log(object["probabilities"][labels[answered++]].get<double>());
    linked += !object["entities"].empty();
  }
  BOOST_REQUIRE(answered == labels.size());
  BOOST_TEST(linked > answered / 4, linked << " of " << answered << " texts linked");
  BOOST_TEST(std::fabs(loss_sum / double(answered) - test_loss) <= 1e-6 * test_loss);
}

// Issue #22's bounded memory: documents of about 100,000 tokens (2,100 windows of 64
// each) train and predict in windows mode within what documents a tenth as long take, since
// a micro-batch carries at most train.micro-windows windows whatever the document's length.
// (Without windows mode the same training reaches several GiB: docs/long-texts.md.)
BOOST_AUTO_TEST_CASE(very_long_documents_train_and_predict_in_bounded_memory) {
  temp_dir dir;
  struct measured {
    long train_kib, predict_kib;
    std::string windows;
  };
  auto measure = [&](const std::string& name, int words) {
    const auto docs = dir.path / name;
    auto made = run(axon_command + " data synth-longdocs " + docs.string() + " --docs 10"
                    + " --min-words " + std::to_string(words) + " --max-words "
                    + std::to_string(words + 100) + " --seed 5");
    BOOST_REQUIRE_MESSAGE(made.status == 0, made.output);
    const auto run_dir = dir.path / (name + "-run");
    auto trained = run_measured(
      axon_command + " train " AXON_TEST_DIR "/../examples/longdocs/longdocs.ini --data.train="
        + (docs / "train.csv").string()
        + " --data.dev=" + (docs / "dev.csv").string()
        + " --data.test=" + (docs / "test.csv").string()
        + " --data.max-chunks=4096 --model.hidden=32 --model.intermediate=64"
        + " --train.micro-windows=16 --train.batch-size=2 --train.max-steps=2"
        + " --placement.shards=2 --eval.every-steps=0 --train.run-dir=" + run_dir.string(),
      dir.path / (name + "-train.log"));
    BOOST_TEST_INFO(trained.result.output);
    BOOST_REQUIRE(trained.result.status == 0);
    std::smatch windows;
    BOOST_REQUIRE(std::regex_search(trained.result.output, windows,
                                    std::regex{"windows: train split: [^\n]*"}));
    // The test document, as one line.
    std::ifstream csv{docs / "test.csv"};
    std::string line;
    std::getline(csv, line); // header
    std::getline(csv, line);
    std::ofstream{dir.path / (name + ".txt")} << line.substr(1, line.rfind('"') - 1) << '\n';
    auto predicted = run_measured(axon_command + " predict --run " + run_dir.string() + " < "
                                    + (dir.path / (name + ".txt")).string(),
                                  dir.path / (name + "-predict.log"));
    BOOST_TEST_INFO(predicted.result.output);
    BOOST_REQUIRE(predicted.result.status == 0);
    return measured{trained.max_rss_kib, predicted.max_rss_kib, windows.str()};
  };
  const auto tenth = measure("tenth", 9700), whole = measure("whole", 97000);
  BOOST_TEST_MESSAGE("train max RSS " << tenth.train_kib << " KiB (" << tenth.windows << ") vs "
                     << whole.train_kib << " KiB (" << whole.windows << "); predict "
                     << tenth.predict_kib << " vs " << whole.predict_kib << " KiB");
  BOOST_TEST(whole.windows.find("8 documents (") != std::string::npos);
  BOOST_TEST(whole.train_kib < 2 * tenth.train_kib);
  BOOST_TEST(whole.predict_kib < 2 * tenth.predict_kib);
}

// A model that cannot fit (here 1.6 TB of weights) is a config error: exit 2 from
// `axon config check` and `axon train`, nothing written.
BOOST_AUTO_TEST_CASE(a_model_too_large_for_memory_is_refused_before_anything_is_written) {
  temp_dir dir;
  auto config = write_config(dir.path, "huge", "");
  const std::string huge = " --model.hidden=16384 --model.layers=128 --model.heads=16"
                           " --model.intermediate=65536";
  auto checked = run(axon_command + " config check " + config + huge);
  BOOST_TEST_INFO(checked.output);
  BOOST_TEST(checked.status == 2);
  BOOST_TEST(checked.output.find("TiB") != std::string::npos);
  BOOST_TEST(checked.output.find("model.layers = 128") != std::string::npos);
  auto trained = run(axon_command + " train " + config + huge);
  BOOST_TEST_INFO(trained.output);
  BOOST_TEST(trained.status == 2);
  BOOST_TEST(!fs::exists(dir.path / "huge"));
  BOOST_TEST(run(axon_command + " config check " + config).status == 0); // the default fits
}

// Two processes never train in one run directory: while another process holds it (here
// the test itself, as a running `axon train` would), train and resume are refused.
BOOST_FIXTURE_TEST_CASE(a_run_directory_in_use_is_refused, generated_data) {
  auto config = write_config(dir.path, "busy", "");
  fs::create_directories(dir.path / "busy");
  {
    axon::run_dir_lock held{dir.path / "busy"};
    auto r = run(axon_command + " train " + config + " --train.epochs=1");
    BOOST_TEST_INFO(r.output);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("in use by another axon process") != std::string::npos);
    BOOST_TEST(!fs::exists(dir.path / "busy/config.ini"));
  }
  auto r = run(axon_command + " train " + config + " --train.epochs=1 --train.max-steps=2");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 0); // released: the same command now runs
}

// Data no classifier can learn from, or that cannot be split, is refused: one label in
// every row; as many labels as rows, where a stratified split leaves dev and test empty.
BOOST_AUTO_TEST_CASE(unlearnable_data_is_refused_before_anything_is_written) {
  temp_dir dir;
  auto config = write_config(dir.path, "job", "");
  auto write_rows = [&](const std::string& name, auto label_of) {
    std::ofstream out{dir.path / name};
    out << "text,label\n";
    for (int i = 0; i < 60; ++i)
      out << "sentence number " << i << "," << label_of(i) << "\n";
    return (dir.path / name).string();
  };
  const std::string flat = " --data.train= --data.dev= --data.test= --data.path=";
  auto one = run(axon_command + " train " + config + flat
                 + write_rows("one.csv", [](int) { return std::string{"positive"}; }));
  BOOST_TEST_INFO(one.output);
  BOOST_TEST(one.status == 2);
  BOOST_TEST(one.output.find("at least two labels") != std::string::npos);
  auto many = run(axon_command + " train " + config + flat
                  + write_rows("many.csv", [](int i) { return "label" + std::to_string(i); }));
  BOOST_TEST_INFO(many.output);
  BOOST_TEST(many.status == 2);
  BOOST_TEST(many.output.find("split no rows") != std::string::npos);
  BOOST_TEST(!fs::exists(dir.path / "job"));
}

BOOST_AUTO_TEST_CASE(data_errors_exit_2_naming_the_file) {
  temp_dir dir;
  auto config = write_config(dir.path, "job", "");
  auto r = run(axon_command + " train " + config);
  BOOST_TEST(r.status == 2);
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.output.find("train.csv") != std::string::npos);
  BOOST_TEST(!fs::exists(dir.path / "job")); // nothing written
}

BOOST_FIXTURE_TEST_CASE(trains_evaluates_and_reports, generated_data) {
  auto config = write_config(dir.path, "run", "[placement]\nstages = 2\nshards = 2\n");
  auto r = run(axon_command + " train " + config);
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.status == 0);
  std::regex last_line{R"(test accuracy=[01]\.\d{4} macro_f1=[01]\.\d{4}\n$)"};
  BOOST_TEST(std::regex_search(r.output, last_line));
  auto run_dir = dir.path / "run";
  for (auto file : {"config.ini", "labels.txt", "vocab.txt", "metrics.jsonl"})
    BOOST_TEST(fs::exists(run_dir / file), file);
  auto train = events(run_dir, "train");
  BOOST_TEST(train.size() == 160u); // 640 rows / 16 per batch x 4 epochs, logged every step
  BOOST_TEST(train.front()["loss"].get<double>() > train.back()["loss"].get<double>());
  BOOST_TEST(train.back()["tokens_per_s"].get<double>() > 0);
  auto evals = events(run_dir, "eval");
  BOOST_TEST(evals.size() == 16u); // every 10 steps (the epoch ends coincide)
  BOOST_TEST(evals.back().contains("per_class"));
  auto test = events(run_dir, "test");
  BOOST_REQUIRE(test.size() == 1u);
  BOOST_TEST(test[0]["accuracy"].get<double>() > 0.6); // chance is about 0.38
  BOOST_TEST(fs::exists(run_dir / "checkpoints" / "best.txt"));
  // The trained run predicts and evaluates.
  auto predicted = run("printf 'Net sales of Corheim rose 14 %% to EUR 29.3 million .\\n\\n' | " + axon_command
                       + " predict --run " + run_dir.string());
  BOOST_TEST_INFO(predicted.output);
  BOOST_REQUIRE(predicted.status == 0);
  // The blank second line is not labelled: its answer is a blank line (docs/commands.md).
  std::regex two_lines{R"(^(negative|neutral|positive)\t[01]\.\d{4}\n\n$)"};
  BOOST_TEST(std::regex_search(predicted.output, two_lines));
  auto json = run("echo 'Profit fell sharply .' | " + axon_command + " predict --json --run " + run_dir.string());
  BOOST_REQUIRE(json.status == 0);
  auto parsed = nlohmann::json::parse(json.output);
  BOOST_TEST(parsed["probabilities"].size() == 3u);
  auto evaluated = run(axon_command + " eval --run " + run_dir.string() + " --data " + (dir.path / "data/test.csv").string());
  BOOST_TEST_INFO(evaluated.output);
  BOOST_REQUIRE(evaluated.status == 0);
  // The same best checkpoint on the same test file: the accuracy `axon train` reported.
  char expected[64];
  std::snprintf(expected, sizeof expected, "accuracy=%.4f", test[0]["accuracy"].get<double>());
  BOOST_TEST(evaluated.output.find(expected) != std::string::npos);
  BOOST_TEST(run(axon_command + " eval --run " + (dir.path / "nowhere").string() + " --data x.csv").status == 2);

  // Another job starts from this run's weights (Hugging Face names) through model.init;
  // a model of another width is refused naming the tensor and both shapes.
  std::ifstream best_file{run_dir / "checkpoints" / "best.txt"};
  std::string best_step;
  best_file >> best_step;
  auto weights = (run_dir / "checkpoints" / best_step / "model.safetensors").string();
  auto warm = run(axon_command + " train " + config + " --train.run-dir=" + (dir.path / "warm").string()
                  + " --model.init=" + weights + " --train.epochs=1");
  BOOST_TEST_INFO(warm.output);
  BOOST_TEST(warm.status == 0);
  BOOST_TEST(warm.output.find("model.init: ") != std::string::npos);
  auto wrong = run(axon_command + " train " + config + " --train.run-dir=" + (dir.path / "wrong").string()
                   + " --model.init=" + weights + " --model.hidden=32 --model.intermediate=64");
  BOOST_TEST_INFO(wrong.output);
  BOOST_TEST(wrong.status != 0);
  BOOST_TEST(wrong.output.find("bert.embeddings.word_embeddings.weight") != std::string::npos);

  // A second fresh run into the same directory is refused: it would mix two runs.
  auto again = run(axon_command + " train " + config);
  BOOST_TEST(again.status == 2);
  BOOST_TEST(again.output.find("--resume") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(killed_and_resumed_equals_uninterrupted, generated_data) {
  auto config_a = write_config(dir.path, "whole", "");
  auto config_b = write_config(dir.path, "killed", "");
  auto whole = run(axon_command + " train " + config_a + " --train.checkpoint-every-steps=5");
  BOOST_REQUIRE_MESSAGE(whole.status == 0, whole.output);

  // The same job, killed with SIGKILL once its first checkpoint exists.
  pid_t child = ::fork();
  if (child == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execl(axon_command.c_str(), axon_command.c_str(), "train", config_b.c_str(),
            "--train.checkpoint-every-steps=5", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto killed_dir = dir.path / "killed";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(killed_dir / "checkpoints" / "step-5")
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  BOOST_REQUIRE(WIFSIGNALED(status)); // it was still training
  auto resumed = run(axon_command + " train --resume " + killed_dir.string());
  BOOST_TEST_INFO(resumed.output);
  BOOST_REQUIRE(resumed.status == 0);
  BOOST_TEST(resumed.output.find("resumed from") != std::string::npos);

  auto a = events(dir.path / "whole", "train"), b = events(killed_dir, "train");
  BOOST_REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST_INFO("step " << a[i]["step"]);
    BOOST_TEST(a[i]["step"] == b[i]["step"]);
    BOOST_TEST(a[i]["loss"].get<double>() == b[i]["loss"].get<double>()); // bitwise
  }
  BOOST_TEST(events(dir.path / "whole", "test")[0]["accuracy"]
             == events(killed_dir, "test")[0]["accuracy"]);

  // The ledger: the resumed run applied the same samples at the same steps, and every epoch
  // applied each training example exactly once.
  auto whole_ledger = ledger(dir.path / "whole"), killed_ledger = ledger(killed_dir);
  BOOST_REQUIRE(whole_ledger.size() == a.back()["step"].get<std::size_t>());
  BOOST_TEST((whole_ledger == killed_ledger));
  std::smatch train_rows;
  BOOST_REQUIRE(std::regex_search(whole.output, train_rows, std::regex{R"(train: (\d+) rows)"}));
  BOOST_TEST(exactly_once_problem(killed_ledger, 4, std::stoul(train_rows[1])) == ""); // 4 epochs

  // Resuming a finished run trains nothing more and logs no second test event.
  auto again = run(axon_command + " train --resume " + killed_dir.string());
  BOOST_TEST_INFO(again.output);
  BOOST_REQUIRE(again.status == 0);
  BOOST_TEST(events(killed_dir, "train").size() == a.size());
  BOOST_TEST(events(killed_dir, "test").size() == 1u);
}

// Another shape of the same job (issue #21, docs/elastic.md): a run trained on one shard,
// taken back to its step-10 checkpoint and resumed on 2 stages x 2 shards x 2 micro-batches,
// trains the same model: the same losses within 1e-4 relative (float sums grouped
// otherwise; dropout is keyed by the examples), the same ledger. A flag that changes the
// model, the data or the optimisation is refused naming the key, and nothing is written.
BOOST_FIXTURE_TEST_CASE(resumed_on_another_placement_continues_the_same_job, generated_data) {
  auto config = write_config(dir.path, "shape", "");
  auto first = run(axon_command + " train " + config
                   + " --train.epochs=1 --train.checkpoint-every-steps=10 --train.keep-checkpoints=10");
  BOOST_REQUIRE_MESSAGE(first.status == 0, first.output);
  const auto run_dir = dir.path / "shape";
  const auto one = events(run_dir, "train"), one_evals = events(run_dir, "eval");
  const auto one_ledger = ledger(run_dir);
  BOOST_REQUIRE(one.size() == 40u); // 640 rows / 16
  for (const std::string flag : {"--model.hidden=32", "--train.lr=1e-3", "--data.max-len=16",
                                 "--train.seed=7", "--train.batch-size=32"}) {
    auto refused = run(axon_command + " train --resume " + run_dir.string() + " " + flag
                       + " --placement.shards=2");
    const auto key = flag.substr(2, flag.find('=') - 2);
    BOOST_TEST_INFO(flag << ": " << refused.output);
    BOOST_TEST(refused.status == 2);
    BOOST_TEST(refused.output.find("--resume " + run_dir.string() + ": " + key + " = ")
               != std::string::npos);
    BOOST_TEST(refused.output.find("differs from the run's " + key + " = ") != std::string::npos);
  }
  BOOST_TEST(events(run_dir, "train").size() == one.size()); // nothing written

  // Back to step 10, as if the run had stopped there: the later checkpoints go (each
  // evaluation writes its own again, best.txt's included).
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints"))
    if (entry.is_directory() && entry.path().filename() != "step-10")
      fs::remove_all(entry.path());
  auto resumed = run(axon_command + " train --resume " + run_dir.string()
                     + " --placement.stages=2 --placement.shards=2 --train.micro-batches=2");
  BOOST_TEST_INFO(resumed.output);
  BOOST_REQUIRE(resumed.status == 0);
  BOOST_TEST(resumed.output.find("resumed from " + (run_dir / "checkpoints/step-10").string())
             != std::string::npos);
  BOOST_TEST(resumed.output.find("resuming with placement.shards = 2 (was 1)") != std::string::npos);
  BOOST_TEST(resumed.output.find("resuming with train.micro-batches = 2 (was 1)")
             != std::string::npos);

  auto two = events(run_dir, "train"), two_evals = events(run_dir, "eval");
  BOOST_REQUIRE(two.size() == one.size());
  double worst = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    BOOST_TEST_INFO("step " << one[i]["step"]);
    BOOST_TEST(two[i]["step"] == one[i]["step"]);
    const double a = one[i]["loss"].get<double>(), b = two[i]["loss"].get<double>();
    if (i < 10)
      BOOST_TEST(a == b); // the lines before the checkpoint are kept
    worst = std::max(worst, std::fabs(a - b) / std::fabs(a));
  }
  BOOST_TEST_MESSAGE("largest relative loss difference after resuming on 2 x 2 x 2: " << worst);
  BOOST_TEST(worst <= 1e-4);
  BOOST_REQUIRE(two_evals.size() == one_evals.size());
  for (std::size_t i = 0; i < one_evals.size(); ++i)
    BOOST_TEST(std::fabs(two_evals[i]["loss"].get<double>() - one_evals[i]["loss"].get<double>())
                 <= 1e-4 * std::fabs(one_evals[i]["loss"].get<double>()),
               "evaluation at step " << one_evals[i]["step"]);
  BOOST_TEST((ledger(run_dir) == one_ledger)); // the same examples at the same steps
}

BOOST_FIXTURE_TEST_CASE(early_stopping_keeps_the_best_checkpoint, generated_data) {
  // A learning rate of 1e-9 cannot improve dev accuracy after the first evaluation.
  auto config = write_config(dir.path, "stuck", "");
  auto r = run(axon_command + " train " + config + " --train.lr=1e-9 --eval.patience=2");
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.status == 0);
  auto stop = events(dir.path / "stuck", "early_stop");
  BOOST_REQUIRE(stop.size() == 1u);
  BOOST_TEST(stop[0]["step"].get<int>() == 30); // evaluations at 10 (best), 20, 30
  BOOST_TEST(stop[0]["best_step"].get<int>() == 10);
  std::ifstream best{dir.path / "stuck" / "checkpoints" / "best.txt"};
  std::string name;
  best >> name;
  BOOST_TEST(name == "step-10");
}

// Sizes that cannot fit are refused before anything is allocated or written: exit 2 with
// the keys and the figure (they used to end in an uncaught std::bad_alloc).
BOOST_FIXTURE_TEST_CASE(kg_train_refuses_sizes_that_cannot_fit, generated_data) {
  const auto kg_dir = dir.path / "data/kg", embeddings = dir.path / "kg-huge";
  auto kg_config = dir.path / "kg-huge.ini";
  std::ofstream{kg_config} << "[graph]\ntriples = \"" << (kg_dir / "triples.tsv").string()
                           << "\"\nout = \"" << embeddings.string()
                           << "\"\n[transe]\ndim = 16\nbatch-size = 1048576\n"
                              "negatives = 1048576\nepochs = 1\n";
  auto r = run(axon_command + " kg train " + kg_config.string());
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.output.find("transe.negatives = 1048576") != std::string::npos);
  BOOST_TEST(r.output.find("TiB") != std::string::npos);
  BOOST_TEST(!fs::exists(embeddings));
}

// KG inputs that hold nothing usable are refused, nothing written: an empty triples file,
// a directory; `axon kg link` stops at a line that is not UTF-8, naming it.
BOOST_FIXTURE_TEST_CASE(kg_commands_refuse_empty_and_invalid_input, generated_data) {
  auto empty = dir.path / "empty.tsv";
  std::ofstream{empty} << "\n";
  for (const auto& triples : {empty, dir.path / "data"}) {
    auto config = dir.path / "kg-empty.ini";
    std::ofstream{config} << "[graph]\ntriples = \"" << triples.string() << "\"\nout = \""
                          << (dir.path / "kg-empty").string() << "\"\n";
    auto r = run(axon_command + " kg train " + config.string());
    BOOST_TEST_INFO(r.output);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(!fs::exists(dir.path / "kg-empty"));
  }
  const auto kg_dir = dir.path / "data/kg";
  auto linked = run("printf 'Nokia rose\\nCaf\\351 fell\\n' | " + axon_command
                    + " kg link --triples " + (kg_dir / "triples.tsv").string() + " --aliases "
                    + (kg_dir / "aliases.tsv").string());
  BOOST_TEST_INFO(linked.output);
  BOOST_TEST(linked.status == 2);
  BOOST_TEST(linked.output.find("stdin:2: invalid UTF-8 at byte 4") != std::string::npos);
}

// The KG path end to end: `axon kg train` on the generated KG, a job that links and fuses
// it, its saved entities, predict with linking, and KG file errors with file:line (nothing
// written).
BOOST_FIXTURE_TEST_CASE(trains_with_the_kg_and_predicts_with_linking, generated_data) {
  const auto kg_dir = dir.path / "data/kg", embeddings = dir.path / "kg-embeddings";
  auto kg_config = dir.path / "kg.ini";
  std::ofstream{kg_config} << "[graph]\ntriples = \"" << (kg_dir / "triples.tsv").string()
                           << "\"\nout = \"" << embeddings.string()
                           << "\"\n[transe]\ndim = 16\nbatch-size = 128\nnegatives = 32\nepochs = 20\n";
  auto trained = run(axon_command + " kg train " + kg_config.string());
  BOOST_TEST_INFO(trained.output);
  BOOST_REQUIRE(trained.status == 0);
  BOOST_TEST(fs::exists(embeddings / "embeddings.safetensors"));
  const std::string kg_keys = "[kg]\ntriples = \"" + (kg_dir / "triples.tsv").string()
                              + "\"\naliases = \"" + (kg_dir / "aliases.tsv").string()
                              + "\"\nembeddings = \"" + embeddings.string() + "\"\ndim = 16\n";
  auto config = write_config(dir.path, "kg-run", "[placement]\nstages = 2\nshards = 2\n" + kg_keys);
  auto r = run(axon_command + " train " + config + " --train.epochs=1");
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.status == 0);
  BOOST_TEST(r.output.find("kg.embeddings: 148 of 148 entities") != std::string::npos);
  BOOST_TEST(fs::exists(dir.path / "kg-run/kg/entities.txt"));
  auto predicted = run("echo 'Brent crude jumped 7 % , a move that matters for JRDL .' | " + axon_command
                       + " predict --run " + (dir.path / "kg-run").string());
  BOOST_TEST_INFO(predicted.output);
  BOOST_TEST(predicted.status == 0);
  // A bad aliases line: exit 2 naming file and line; no run directory.
  auto bad = dir.path / "bad_aliases.tsv";
  std::ofstream{bad} << "company:x\tX Corp\nno tab here\n";
  auto failed = run(axon_command + " train " + config + " --kg.aliases=" + bad.string()
                    + " --train.run-dir=" + (dir.path / "bad-run").string());
  BOOST_TEST(failed.status == 2);
  BOOST_TEST(failed.output.find("bad_aliases.tsv:2:") != std::string::npos, failed.output);
  BOOST_TEST(!fs::exists(dir.path / "bad-run"));
}

// `axon data split` writes the split `axon train` makes of the same file: the same row
// counts as train's report, disjoint splits covering every row with the label shares
// kept, the same files for the same seed and other ones for another seed; bad input exits
// 2 and writes nothing.
BOOST_FIXTURE_TEST_CASE(data_split_writes_the_split_train_makes, generated_data) {
  const auto source = (dir.path / "data/train.csv").string();
  auto rows_of = [](const fs::path& file) {
    std::vector<std::string> rows;
    std::ifstream in{file};
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line))
      rows.push_back(line);
    return rows;
  };
  auto split = [&](const std::string& out, const std::string& seed) {
    return run(axon_command + " data split " + source + " " + (dir.path / out).string() +
               " --split 0.6,0.2,0.2 --seed " + seed);
  };
  auto negative = split("s-1", "-1"); // a seed is never negative
  BOOST_TEST(negative.status == 2, negative.output);
  BOOST_TEST(!fs::exists(dir.path / "s-1"));
  auto r = split("s5", "5");
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.status == 0);
  std::map<std::string, std::vector<std::string>> parts;
  std::multiset<std::string> all;
  for (auto name : {"train", "dev", "test"}) {
    parts[name] = rows_of(dir.path / "s5" / (std::string{name} + ".csv"));
    all.insert(parts[name].begin(), parts[name].end());
  }
  BOOST_TEST(all.size() == rows_of(source).size()); // every row in one split
  auto trained = run(axon_command + " train " + write_config(dir.path, "split-run", "") +
                     " --data.train= --data.dev= --data.test= --data.path=" + source +
                     " --data.split=0.6,0.2,0.2 --data.split-seed=5 --train.max-steps=1");
  BOOST_TEST_INFO(trained.output);
  BOOST_REQUIRE(trained.status == 0);
  const auto report = "split (seed 5, stratified): train " + std::to_string(parts["train"].size()) +
                      ", dev " + std::to_string(parts["dev"].size()) + ", test " +
                      std::to_string(parts["test"].size());
  BOOST_TEST(trained.output.find(report) != std::string::npos, report);
  // The label shares are kept (stratified): each split holds each label within one row.
  auto share = [](const std::vector<std::string>& rows, const std::string& label) {
    double n = 0;
    for (const auto& row : rows)
      n += row.ends_with("\"" + label + "\"");
    return n / double(rows.size());
  };
  for (auto label : {"negative", "neutral", "positive"})
    BOOST_TEST(std::abs(share(parts["test"], label) - share(parts["train"], label)) <
               2.0 / double(parts["test"].size()), label);
  BOOST_REQUIRE(split("again", "5").status == 0);
  BOOST_TEST(rows_of(dir.path / "again/test.csv") == parts["test"]);
  BOOST_REQUIRE(split("s6", "6").status == 0);
  BOOST_TEST(rows_of(dir.path / "s6/test.csv") != parts["test"]);
  // Bad input: exit 2 naming the problem, nothing written.
  auto bad = dir.path / "bad.csv";
  std::ofstream{bad} << "text,label\n\"fine\",positive\n\"unterminated,negative\n";
  auto refused = run(axon_command + " data split " + bad.string() + " " + (dir.path / "none").string());
  BOOST_TEST_INFO(refused.output);
  BOOST_TEST(refused.status == 2);
  BOOST_TEST(refused.output.find("bad.csv") != std::string::npos);
  BOOST_TEST(!fs::exists(dir.path / "none" / "test.csv"));
  BOOST_TEST(split("ratios", "5 --split 0.5,0.5").status == 2);
}

// `axon data split --split` takes what data.split takes, and a file is refused as `axon
// train` refuses it, exit 2 and nothing written: 0.1,0.1,0.1 used to be rescaled, 1,0,0 and
// 0,0,1 to write empty splits, and 10 rows over 2 labels an empty test.csv.
BOOST_AUTO_TEST_CASE(data_split_refuses_what_train_refuses) {
  temp_dir dir;
  auto write_rows = [&](const std::string& name, int rows) {
    std::ofstream out{dir.path / name};
    out << "text\tlabel\n";
    for (int i = 0; i < rows; ++i)
      out << "row " << i << '\t' << (i % 2 ? "y" : "x") << '\n';
    return (dir.path / name).string();
  };
  const auto forty = write_rows("forty.tsv", 40), ten = write_rows("ten.tsv", 10);
  const auto out = dir.path / "out";
  for (auto [ratios, says] : {std::pair{"0.1,0.1,0.1", "summing to 1, got 3 summing to 0.3"},
                              {"1,0,0", "out of range; allowed: a list of real numbers, each "
                                        "in (0, 1)"},
                              {"0,0,1", "out of range"}}) {
    auto r = run(axon_command + " data split " + forty + " " + out.string() + " --split " + ratios);
    BOOST_TEST(r.status == 2, ratios << ": " << r.output);
    BOOST_TEST(r.output.find("--split " + std::string{ratios} + ": ") != std::string::npos);
    BOOST_TEST(r.output.find(says) != std::string::npos, ratios << ": " << r.output);
    BOOST_TEST(!fs::exists(out), ratios);
  }
  BOOST_REQUIRE(run(axon_command + " data split " + forty + " " + out.string()).status == 0);
  fs::remove_all(out);

  auto split = run(axon_command + " data split " + ten + " " + out.string());
  BOOST_TEST(split.status == 2, split.output);
  BOOST_TEST(!fs::exists(out));
  auto config = dir.path / "ten.ini";
  std::ofstream{config} << "[data]\npath = \"" << ten << "\"\n[train]\nrun-dir = \""
                        << (dir.path / "run").string() << "\"\n";
  auto trained = run(axon_command + " train " + config.string());
  BOOST_TEST(trained.status == 2, trained.output);
  // The same message: FILE: data.split gives the test split no rows: ... (to the line's end).
  auto refusal = [&](const std::string& output) {
    auto at = output.find(ten + ": data.split gives the test split no rows");
    return at == std::string::npos ? std::string{"none in: "} + output
                                   : output.substr(at, output.find('\n', at) - at);
  };
  BOOST_TEST(refusal(split.output) == refusal(trained.output));
  BOOST_TEST(refusal(split.output).find("10 rows over 2 labels") != std::string::npos);
}

// `axon kg link` reads stdin as `axon predict` does: a CRLF line's "text" has no '\r', and
// a line longer than 1 MiB is cut to its first 1 MiB, stderr saying so, so memory stays
// bounded (it grew with the line, about 100 bytes a byte: 16 MiB took over 1.5 GB).
BOOST_FIXTURE_TEST_CASE(kg_link_strips_crlf_and_cuts_lines_at_1_mib, generated_data) {
  const auto kg_dir = dir.path / "data/kg";
  const auto link = axon_command + " kg link --triples " + (kg_dir / "triples.tsv").string() +
                    " --aliases " + (kg_dir / "aliases.tsv").string();
  auto crlf = run("printf 'airline up\\r\\nNokia rose\\r\\n' | " + link);
  BOOST_TEST_INFO(crlf.output);
  BOOST_REQUIRE(crlf.status == 0);
  std::istringstream lines{crlf.output};
  std::string line;
  for (auto text : {"airline up", "Nokia rose"}) {
    BOOST_REQUIRE(std::getline(lines, line));
    BOOST_TEST(nlohmann::json::parse(line)["text"] == text);
  }

  const auto input = dir.path / "long.txt";
  {
    std::ofstream out{input};
    for (int i = 0; i < (16 << 20) / 8; ++i) // 16 MiB of words the KG links
      out << "airline ";
    out << "\nairline up\n";
  }
  auto cut = run_measured(link + " < " + input.string(), dir.path / "long.out");
  BOOST_REQUIRE_MESSAGE(cut.result.status == 0, cut.result.output.substr(0, 2000));
  std::istringstream answers{cut.result.output};
  BOOST_REQUIRE(std::getline(answers, line));
  const auto first = nlohmann::json::parse(line);
  BOOST_TEST(first["text"].get<std::string>().size() == std::size_t{1} << 20);
  BOOST_TEST(first["mentions"].size() == (std::size_t{1} << 20) / 8);
  BOOST_REQUIRE(std::getline(answers, line));
  BOOST_TEST(nlohmann::json::parse(line)["text"] == "airline up");
  BOOST_TEST(cut.result.output.find("1 line(s) longer than 1 MiB were cut") != std::string::npos);
  BOOST_TEST(cut.max_rss_kib < 400 * 1024, cut.max_rss_kib << " KiB");
}

// `axon data synth-longdocs` writes the same files for the same seed and other ones for
// another; bad options exit 2 and write nothing.
BOOST_AUTO_TEST_CASE(data_synth_longdocs_is_deterministic_and_checks_its_options) {
  temp_dir dir;
  auto write = [&](const std::string& out, const std::string& flags) {
    return run(axon_command + " data synth-longdocs " + (dir.path / out).string() +
               " --docs 30 " + flags);
  };
  auto slurp = [](const fs::path& file) {
    std::ifstream in{file};
    return std::string{std::istreambuf_iterator<char>{in}, {}};
  };
  auto r = write("a", "--seed 5");
  BOOST_TEST_INFO(r.output);
  BOOST_REQUIRE(r.status == 0);
  BOOST_TEST(r.output.find("24 train, 3 dev, 3 test documents") != std::string::npos);
  BOOST_REQUIRE(write("b", "--seed 5").status == 0);
  BOOST_REQUIRE(write("c", "--seed 6").status == 0);
  for (auto name : {"train.csv", "dev.csv", "test.csv"})
    BOOST_TEST(slurp(dir.path / "a" / name) == slurp(dir.path / "b" / name), name);
  BOOST_TEST(slurp(dir.path / "a/test.csv") != slurp(dir.path / "c/test.csv"));
  BOOST_TEST(slurp(dir.path / "a/train.csv").starts_with("text,label,depth,words,deciding_word\n"));
  for (auto flags : {"--max-words 100", "--docs 3", "--label-noise 2", "--seed -1"}) {
    auto refused = write("bad", flags);
    BOOST_TEST(refused.status == 2, flags << ": " << refused.output);
    BOOST_TEST(!fs::exists(dir.path / "bad" / "train.csv"), flags);
  }
}

BOOST_AUTO_TEST_SUITE_END()
