// Damage and impossible sizes found at start, with nothing written: threads the process
// cannot start, a model larger than the address space, model.init weights that give the model nothing, a resumed run whose best
// checkpoint is damaged, and run files (labels.txt, vocab.txt) changed after training,
// which resume, eval, predict and export refuse. Each case ran to an abort, a silent
// success or a failure after the last step before.
#include "runtime/safetensors.hpp"
#include "test/support/process.hpp"
#include "test/system/small_job.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

using namespace axon::test;

namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in{file, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

std::string test_csv(const generated_data& data) {
  return (data.dir.path / "data/test.csv").string();
}

// A finished small run in dir/NAME; `extra` are more flags.
fs::path trained_run(const generated_data& data, const std::string& name, const std::string& extra) {
  auto config = write_config(data.dir.path, name, "");
  auto r = run(axon_command + " train " + config + " --train.epochs=2 " + extra);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
  return data.dir.path / name;
}

} // namespace

BOOST_AUTO_TEST_SUITE(damage_cli)

// 1024 compute threads and as many scheduler threads need more address space than
// `ulimit -v` gives: the job used to abort (std::system_error) after writing its run
// directory. (Not run under AddressSanitizer, which reserves terabytes of address space.)
BOOST_FIXTURE_TEST_CASE(threads_that_cannot_start_are_refused_before_anything_is_written,
                        generated_data) {
  auto config = write_config(dir.path, "threads", "");
  auto r = run("ulimit -v 3000000; " + axon_command + " train " + config
               + " --train.threads=1024");
  BOOST_TEST_CONTEXT(r.output) {
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("train.threads = 1024") != std::string::npos);
    BOOST_TEST(!fs::exists(dir.path / "threads"));
  }
}

// A BERT-large-sized model (about 6 GiB with its gradients and Adam moments) fits many
// machines, but not 3 GB of address space: the size check counts `ulimit -v` as well, for
// axon train and axon pretrain (the job used to start, write its run directory and fail).
BOOST_FIXTURE_TEST_CASE(a_model_larger_than_ulimit_v_is_refused_before_anything_is_written,
                        generated_data) {
  const std::string large = " --model.hidden=1024 --model.layers=24 --model.heads=16"
                            " --model.intermediate=4096 --model.max-positions=512";
  auto config = write_config(dir.path, "large", "");
  for (const auto& command :
       {" train " + config + large,
        " pretrain " + config + large + " --pretrain.corpus='[\"" + test_csv(*this) + "\"]'"}) {
    auto r = run("ulimit -v 3000000; " + axon_command + command);
    BOOST_TEST_CONTEXT("axon" << command << ": " << r.output) {
      BOOST_TEST(r.status == 2);
      BOOST_TEST(r.output.find("the job needs about") != std::string::npos);
      BOOST_TEST(r.output.find("model.layers = 24") != std::string::npos);
      BOOST_TEST(!fs::exists(dir.path / "large"));
    }
  }
}

// axon kg train's estimate (tables, Adam moments, B x K scores) counts `ulimit -v` too:
// 3.5 GiB fits the machine but not 2 GB of address space (it used to end in bad_alloc).
BOOST_FIXTURE_TEST_CASE(kg_train_sizes_larger_than_ulimit_v_are_refused, generated_data) {
  auto kg_config = dir.path / "kg-large.ini";
  std::ofstream{kg_config} << "[graph]\ntriples = \"" << (dir.path / "data/kg/triples.tsv").string()
                           << "\"\nout = \"" << (dir.path / "kg-large").string()
                           << "\"\n[transe]\ndim = 4096\nbatch-size = 8192\nnegatives = 8192\n"
                              "epochs = 1\n";
  auto r = run("ulimit -v 2000000; " + axon_command + " kg train " + kg_config.string());
  BOOST_TEST_CONTEXT(r.output) {
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("transe.negatives = 8192") != std::string::npos);
    BOOST_TEST(!fs::exists(dir.path / "kg-large"));
  }
}

BOOST_FIXTURE_TEST_CASE(model_init_that_gives_the_model_nothing_is_refused_at_start,
                        generated_data) {
  auto config = write_config(dir.path, "init", "");
  const auto empty_file = dir.path / "empty.safetensors";
  std::ofstream{empty_file}.flush();
  const auto no_tensor = dir.path / "no-tensor.safetensors";
  axon::write_safetensors(no_tensor.string(), {});
  const auto unknown = dir.path / "unknown.safetensors";
  axon::write_safetensors(unknown.string(),
                          {{"encoder.layer.0.weight", axon::tensor::zeros({4, 4})}});
  for (auto [file, says] : {std::pair{empty_file, "cannot read its weights"},
                            std::pair{no_tensor, "holds no tensor"},
                            std::pair{unknown, "encoder.layer.0.weight"}}) {
    auto r = run(axon_command + " train " + config + " --model.init=" + file.string());
    BOOST_TEST_CONTEXT(file.filename() << ": " << r.output) {
      BOOST_TEST(r.status == 2);
      BOOST_TEST(r.output.find(says) != std::string::npos);
      BOOST_TEST(!fs::exists(dir.path / "init"));
    }
  }
}

// The best checkpoint is loaded at the end of a run, for its test report: a damaged one
// is refused when resuming, before any step (it used to fail after the last one).
BOOST_FIXTURE_TEST_CASE(resume_refuses_a_damaged_best_checkpoint_before_training,
                        generated_data) {
  // lr 1e-9 cannot improve on the first evaluation: best is step 10, newer ones follow.
  auto run_dir = trained_run(*this, "damaged",
                             "--train.lr=1e-9 --train.checkpoint-every-steps=10");
  std::ifstream best_txt{run_dir / "checkpoints/best.txt"};
  std::string best;
  best_txt >> best;
  BOOST_REQUIRE(best == "step-10");
  BOOST_REQUIRE(std::distance(fs::directory_iterator{run_dir / "checkpoints"},
                              fs::directory_iterator{}) > 2); // best.txt, step-10, newer
  const auto weights = run_dir / "checkpoints/step-10/model.safetensors";
  {
    std::fstream file{weights, std::ios::in | std::ios::out | std::ios::binary};
    file.seekp(-4, std::ios::end);
    file.write("\x7f\x7f\x7f\x7f", 4);
  }
  const auto metrics = read_text(run_dir / "metrics.jsonl");
  auto r = run(axon_command + " train --resume " + run_dir.string());
  BOOST_TEST_CONTEXT(r.output) {
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("best checkpoint (step 10") != std::string::npos);
    BOOST_TEST(r.output.find("SHA-256") != std::string::npos);
    BOOST_TEST(read_text(run_dir / "metrics.jsonl") == metrics);
  }
}

// labels.txt and vocab.txt are under the checkpoints' checksums: a permuted labels.txt
// used to flip every prediction of eval, predict and export without a word.
BOOST_FIXTURE_TEST_CASE(changed_run_files_are_refused_by_resume_eval_predict_and_export,
                        generated_data) {
  auto run_dir = trained_run(*this, "permuted", "");
  const auto test_csv = ::test_csv(*this);
  auto eval = run(axon_command + " eval --run " + run_dir.string() + " --data " + test_csv);
  BOOST_REQUIRE_MESSAGE(eval.status == 0, eval.output);

  for (const char* file : {"labels.txt", "vocab.txt"}) {
    const auto path = run_dir / file, saved = dir.path / "saved.txt";
    fs::copy_file(path, saved, fs::copy_options::overwrite_existing);
    std::vector<std::string> lines;
    {
      std::ifstream in{path};
      for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    }
    std::swap(lines[lines.size() - 1], lines[lines.size() - 2]); // same size, other order
    {
      std::ofstream out{path};
      for (const auto& line : lines)
        out << line << '\n';
    }
    for (const auto& command :
         {" eval --run " + run_dir.string() + " --data " + test_csv,
          " predict --run " + run_dir.string() + " < " + test_csv,
          " export --run " + run_dir.string() + " " + (dir.path / "exported").string(),
          " train --resume " + run_dir.string()}) {
      auto r = run(axon_command + command);
      BOOST_TEST_CONTEXT(file << ", axon" << command << ": " << r.output) {
        BOOST_TEST(r.status == 2);
        BOOST_TEST(r.output.find(std::string{file} + " has changed") != std::string::npos);
      }
    }
    BOOST_TEST(!fs::exists(dir.path / "exported"));
    fs::copy_file(saved, path, fs::copy_options::overwrite_existing);
  }
  auto again = run(axon_command + " eval --run " + run_dir.string() + " --data " + test_csv);
  BOOST_TEST_INFO(again.output);
  BOOST_TEST(again.status == 0); // the original files are accepted again
}

BOOST_AUTO_TEST_SUITE_END()
