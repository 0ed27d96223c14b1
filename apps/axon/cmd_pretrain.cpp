// `axon pretrain CONFIG [--group.key=value ...]` and `axon pretrain --resume RUN_DIR`: MLM
// pretraining of a BERT encoder on raw text. Validates the config (exit 2 naming the key),
// reads the whole corpus once to check it (bad UTF-8, corrupt gzip, no document: exit 2
// naming the file and line, nothing written) and, without data.vocab, to train a WordPiece
// vocabulary on its first pretrain.vocab-sample-mb MiB; writes RUN_DIR (config.ini,
// vocab.txt), starts the inspection endpoint ([monitor] keys; `axon console` can pause,
// resume, checkpoint, set train.lr, stop or kill an actor), then runs the pretraining
// supervisor actor and waits for it.
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/job_config.hpp"
#include "apps/axon/job_monitor.hpp"
#include "apps/axon/run_invocation.hpp"

#include "actors/jobs/pretrain_supervisor_actor.hpp"
#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "runtime/config/compute_threads.hpp"
#include "runtime/checkpoint/init_source.hpp"
#include "graphs/bert/bert_params.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/data/vocab_builder.hpp"

#include <caf/all.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace axon::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* usage =
  "axon pretrain CONFIG [--group.key=value ...]\n"
  "       axon pretrain --resume RUN_DIR [--group.key=value ...]\n"
  "MLM-pretrains the BERT encoder that CONFIG describes on the text of pretrain.corpus\n"
  "(docs/pretraining.md).";

data::corpus_options corpus_options_of(const config::resolved_config& cfg) {
  data::corpus_options c;
  c.paths = cfg.get_strings("pretrain.corpus");
  c.layout = data::parse_corpus_layout(cfg.get_string("pretrain.layout"));
  c.encoding = cfg.get_string("pretrain.encoding") == "latin-1" ? data::text_encoding::latin1
                                                                  : data::text_encoding::utf8;
  c.dedup = cfg.get_bool("pretrain.dedup");
  c.heldout_fraction = cfg.get_real("pretrain.heldout-fraction");
  c.heldout_seed = static_cast<std::uint64_t>(cfg.get_int("train.seed"));
  return c;
}

// One pass over the corpus: every document is checked (the reader throws data_error at the
// first bad one) and counted; the first `sample_bytes` of training text are kept.
struct corpus_scan {
  std::size_t documents = 0, heldout = 0, bytes = 0;
  std::vector<std::string> sample;
};
corpus_scan scan_corpus(const data::corpus_options& options, std::size_t sample_bytes) {
  corpus_scan scan;
  data::corpus_reader reader{options};
  std::size_t sampled = 0;
  while (auto doc = reader.next()) {
    ++scan.documents;
    scan.bytes += doc->text.size();
    if (doc->heldout) {
      ++scan.heldout;
    } else if (sampled < sample_bytes) {
      sampled += doc->text.size();
      scan.sample.push_back(std::move(doc->text));
    }
  }
  if (scan.documents == scan.heldout)
    throw data::data_error("pretrain.corpus: no training document in "
                           + std::to_string(reader.files().size()) + " files ("
                           + std::to_string(scan.documents) + " documents, all held out or none)");
  std::cerr << "corpus: " << reader.files().size() << " files, " << scan.documents
            << " documents (" << scan.heldout << " held out), " << scan.bytes / (1 << 20)
            << " MiB of text\n";
  if (scan.heldout == 0 && options.heldout_fraction > 0)
    std::cerr << "warning: no document fell in the held-out slice: no MLM evaluation (raise "
                 "pretrain.heldout-fraction, or add documents)\n";
  return scan;
}

data::vocabulary vocabulary_of(const config::resolved_config& cfg, const corpus_scan& scan,
                               const std::string& saved) {
  if (!saved.empty())
    return data::vocabulary::load(saved);
  if (!cfg.get_string("data.vocab").empty())
    return data::vocabulary::load(cfg.get_string("data.vocab"));
  data::vocab_builder_options options;
  options.vocab_size = static_cast<std::size_t>(cfg.get_int("data.vocab-size"));
  options.lower_case = !cfg.get_bool("data.cased");
  auto vocab = data::build_wordpiece_vocab(scan.sample, options);
  std::cerr << "vocabulary: " << vocab.size() << " WordPiece tokens trained on "
            << scan.sample.size() << " documents\n";
  return vocab;
}

void fill_pretrain_plan(pretrain_plan& plan, const config::resolved_config& cfg,
                        const data::vocabulary& vocab) {
  auto model = model_config_of(cfg, vocab.size(), 2, 0);
  model.mlm = true;
  model.pooler = false; // BertForMaskedLM has none; fine-tuning initialises it fresh
  fill_run_plan(plan, cfg, model); // the layout throws for placement.stages > 1
  data::mlm_vocab::of(vocab); // throws when it has no [MASK]
  plan.corpus = corpus_options_of(cfg);
  plan.tokenizer = std::make_shared<const data::wordpiece_tokenizer>(vocab, !cfg.get_bool("data.cased"));
  plan.stream.seq_len = static_cast<std::size_t>(cfg.get_int("model.max-seq"));
  plan.stream.batch_size = static_cast<std::size_t>(cfg.get_int("train.batch-size"));
  plan.stream.masking.select = cfg.get_real("pretrain.mask-prob");
  plan.stream.masking.whole_word = cfg.get_bool("pretrain.whole-word");
  plan.stream.seed = plan.layout.seed;
  plan.eval_sequences = static_cast<std::size_t>(cfg.get_int("pretrain.eval-sequences"));
  plan.eval_every = cfg.get_int("pretrain.eval-every-steps");
  plan.max_steps = cfg.get_int("pretrain.max-steps");
  plan.max_minutes = cfg.get_real("pretrain.max-minutes");
}

} // namespace

int pretrain(args words) {
  auto invocation = parse_run_invocation(words, "pretrain", usage);
  if (!invocation.config)
    return invocation.exit_status;
  const auto& cfg = *invocation.config;
  const auto& resume_dir = invocation.resume_dir;
  const fs::path run_dir = cfg.get_string("train.run-dir");
  if (!choose_cpu_kernels("axon pretrain", kernel_log::summary))
    return 2;
  std::optional<run_dir_lock> lock; // held until the process ends
  auto plan = std::make_shared<pretrain_plan>();
  try {
    if (cfg.get_strings("pretrain.corpus").empty())
      throw std::invalid_argument("pretrain.corpus is empty: name the text files or folders "
                                  "to pretrain on");
    const auto scan = scan_corpus(
      corpus_options_of(cfg),
      static_cast<std::size_t>(cfg.get_int("pretrain.vocab-sample-mb")) << 20);
    auto vocab = vocabulary_of(cfg, scan,
                               resume_dir.empty() ? "" : (run_dir / "vocab.txt").string());
    fill_pretrain_plan(*plan, cfg, vocab);
    plan->resume = !resume_dir.empty();
    if (plan->resume) // the run's checkpoints may carry the hash older versions wrote
      plan->legacy_config_hash = invocation.legacy_config_hash;
    if (!plan->resume)
      check_model_init(cfg, plan->layout.model);
    lock.emplace(hold_run_dir(run_dir, plan->resume, "pretrain"));
    if (plan->resume) // what the run depends on, checked before its first step
      check_resumable(run_dir, {plan->config_hash, bert::param_specs(plan->layout.model),
                                plan->legacy_config_hash});
    if (!plan->resume) {
      std::ofstream{run_dir / "config.ini"} << cfg.to_ini();
      vocab.save((run_dir / "vocab.txt").string());
    }
  } catch (const std::exception& e) {
    std::cerr << "axon pretrain: " << e.what() << '\n';
    return 2;
  }
  std::unique_ptr<monitor::endpoint> job_monitor; // `axon console --run RUN_DIR`
  try {
    job_monitor = start_job_monitor(cfg, run_dir);
  } catch (const std::exception& e) {
    std::cerr << "axon pretrain: " << e.what() << '\n';
    return 2;
  }
  const int threads = config::compute_threads(cfg);
  set_process_compute_threads(threads);
  system_config sys_cfg{axon_modules(), threads};
  caf::actor_system sys{sys_cfg};
  caf::scoped_actor self{sys};
  auto supervisor = spawn_pretrain_supervisor(sys, plan);
  const int status = wait_for_supervisor(self, supervisor, "pretrain", job_monitor.get());
  job_monitor.reset(); // its control requests use the actor system: stop it first
  return status;
}

} // namespace axon::app
