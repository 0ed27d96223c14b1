// `axon pretrain` end to end: bad input (invalid UTF-8, corrupt gzip, empty corpus, missing
// vocabulary, a pipeline of 2 stages) exits 2 naming the problem and writes nothing; on a
// tiny corpus the held-out MLM loss falls well below its starting value, and 2 shards x 2
// micro-batches give the same losses up to rounding; a run cut after a
// checkpoint and resumed equals the uninterrupted run bitwise; a classifier fine-tunes from
// the pretraining run through model.init (bert.* loaded, cls.predictions.* unused).
#include "test/support/process.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

using namespace axon::test;

namespace {

// Template sentences: their words are predictable from context, so a tiny model learns.
void write_corpus(const fs::path& file, int lines) {
  static const char* who[] = {"the company", "the bank", "the group", "the retailer"};
  static const char* what[] = {"profit", "sales", "revenue", "net income"};
  static const char* how[] = {"rose", "fell", "increased", "decreased"};
  std::ofstream out{file};
  for (int i = 0; i < lines; ++i)
    out << who[i % 4] << " said its " << what[(i / 4) % 4] << " " << how[(i / 16) % 4] << " by "
        << (i % 9 + 1) << " percent in the " << (i % 2 ? "first" : "second")
        << " quarter of the year .\n";
}

std::string write_config(const fs::path& dir, const std::string& name, const std::string& extra) {
  auto file = dir / (name + ".ini");
  std::ofstream out{file};
  out << "[data]\nvocab-size = 200\n"
      << "[model]\nhidden = 32\nlayers = 2\nheads = 2\nintermediate = 64\nmax-positions = 32\n"
      << "max-seq = 32\ndropout = 0.0\nattention-dropout = 0.0\n"
      << "[train]\nrun-dir = \"" << (dir / name).string() << "\"\nbatch-size = 16\n"
      << "lr = 3e-3\nwarmup-steps = 5\nlog-every-steps = 1\nthreads = 2\nkeep-checkpoints = 10\n"
      << "[pretrain]\ncorpus = [\"" << (dir / "corpus.txt").string() << "\"]\n"
      << "heldout-fraction = 0.05\neval-sequences = 64\neval-every-steps = 50\nmax-steps = 200\n"
      << extra;
  return file.string();
}

struct tiny_corpus {
  temp_dir dir;
  tiny_corpus() { write_corpus(dir.path / "corpus.txt", 1500); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(pretrain_cli)

BOOST_FIXTURE_TEST_CASE(bad_input_exits_2_and_writes_nothing, tiny_corpus) {
  auto check = [&](const std::string& flags, const std::string& message) {
    auto r = run(axon_command + " pretrain " + write_config(dir.path, "bad", "") + " " + flags);
    BOOST_TEST_INFO(flags << ": " << r.output);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find(message) != std::string::npos);
    BOOST_TEST(!fs::exists(dir.path / "bad"));
  };
  std::ofstream{dir.path / "latin.txt"} << "fine\ncaf\xe9\n";
  check("--pretrain.corpus=" + (dir.path / "latin.txt").string(), "latin.txt:2: invalid UTF-8");
  std::ofstream{dir.path / "bad.gz"} << std::string{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10}
                                    << "garbage that is not deflate data";
  check("--pretrain.corpus=" + (dir.path / "bad.gz").string(), "bad.gz: corrupt gzip data");
  std::ofstream{dir.path / "empty.txt"} << "\n\n";
  check("--pretrain.corpus=" + (dir.path / "empty.txt").string(), "no training document");
  check("--data.vocab=" + (dir.path / "missing.txt").string(), "missing.txt");
  check("--placement.stages=2", "pretraining needs 1 stage");
  check("--pretrain.max-steps=0", "needs a budget");
}

BOOST_FIXTURE_TEST_CASE(loss_falls_resumes_exactly_and_fine_tunes, tiny_corpus) {
  auto whole = run(axon_command + " pretrain " + write_config(dir.path, "whole", "")
                   + " --train.checkpoint-every-steps=25");
  BOOST_TEST_INFO(whole.output);
  BOOST_REQUIRE(whole.status == 0);
  const auto run_dir = dir.path / "whole";
  for (auto file : {"config.ini", "vocab.txt", "metrics.jsonl", "checkpoints/step-200/model.safetensors"})
    BOOST_TEST(fs::exists(run_dir / file), file);
  auto evals = events(run_dir, "eval");
  BOOST_REQUIRE(evals.size() == 5u); // steps 0, 50, 100, 150, 200
  const double first = evals.front()["mlm_loss"], last = evals.back()["mlm_loss"];
  BOOST_TEST_MESSAGE("held-out MLM loss " << first << " -> " << last << ", accuracy "
                                          << evals.back()["mlm_accuracy"]);
  BOOST_TEST(last < 0.6 * first); // about 4.9 -> 2.7: the template's fixed words are learned
  BOOST_TEST(evals.back()["mlm_accuracy"].get<double>() > 0.15); // from about 0.01
  BOOST_TEST(whole.output.find("heldout mlm_loss=") != std::string::npos);

  // Another placement, 2 shards x 2 micro-batches: each micro-batch's loss weighs its
  // targets over the step's, so the losses are the same up to float rounding.
  auto sharded = run(axon_command + " pretrain " + write_config(dir.path, "sharded", "")
                     + " --placement.shards=2 --train.micro-batches=2");
  BOOST_TEST_INFO(sharded.output);
  BOOST_REQUIRE(sharded.status == 0);
  auto one = events(run_dir, "train"), two = events(dir.path / "sharded", "train");
  BOOST_REQUIRE(one.size() == two.size());
  for (std::size_t i = 0; i < 10; ++i) {
    const double a = one[i]["loss"], b = two[i]["loss"];
    BOOST_TEST_INFO("step " << i + 1 << ": " << a << " vs " << b);
    BOOST_TEST(std::fabs(a - b) <= 1e-4 * std::fabs(a));
  }
  const double sharded_last = events(dir.path / "sharded", "eval").back()["mlm_loss"];
  BOOST_TEST(std::fabs(sharded_last - last) <= 0.02 * last);

  // The same run cut after its step-125 checkpoint (later ones lost) and resumed.
  const auto cut = dir.path / "cut";
  fs::copy(run_dir, cut, fs::copy_options::recursive);
  for (int step : {150, 175, 200})
    fs::remove_all(cut / "checkpoints" / ("step-" + std::to_string(step)));
  auto resumed = run(axon_command + " pretrain --resume " + cut.string());
  BOOST_TEST_INFO(resumed.output);
  BOOST_REQUIRE(resumed.status == 0);
  BOOST_TEST(resumed.output.find("resumed from") != std::string::npos);
  auto a = events(run_dir, "train"), b = events(cut, "train");
  BOOST_REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    BOOST_TEST_INFO("step " << a[i]["step"]);
    BOOST_TEST(a[i]["loss"].get<double>() == b[i]["loss"].get<double>()); // bitwise
  }
  BOOST_TEST(events(cut, "eval").back()["mlm_loss"] == evals.back()["mlm_loss"]);

  // Fine-tuning: a classifier of the same encoder starts from the pretraining run.
  auto data = run(axon_command + " data synth-finsent " + (dir.path / "data").string()
                  + " --size 200");
  BOOST_REQUIRE_MESSAGE(data.status == 0, data.output);
  auto config = dir.path / "finetune.ini";
  std::ofstream{config} << "[data]\ntrain = \"" << (dir.path / "data/train.csv").string()
                        << "\"\ndev = \"" << (dir.path / "data/dev.csv").string() << "\"\n"
                        << "vocab = \"" << (run_dir / "vocab.txt").string() << "\"\nmax-len = 32\n"
                        << "[model]\nhidden = 32\nlayers = 2\nheads = 2\nintermediate = 64\n"
                        << "max-positions = 32\ninit = \"" << run_dir.string() << "\"\n"
                        << "[train]\nrun-dir = \"" << (dir.path / "ft").string()
                        << "\"\nepochs = 1\nbatch-size = 16\nthreads = 2\n";
  auto tuned = run(axon_command + " train " + config.string());
  BOOST_TEST_INFO(tuned.output);
  BOOST_REQUIRE(tuned.status == 0);
  // 5 embedding tensors and 16 per layer load; the pooler and classifier start fresh.
  BOOST_TEST(tuned.output.find("model.init: 37 tensors from " + (run_dir / "checkpoints/step-200").string())
             != std::string::npos);
  BOOST_TEST(tuned.output.find("cls.predictions.*") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
