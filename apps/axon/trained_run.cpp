// trained_run: loading a run directory and batched inference with the loop model.
#include "apps/axon/trained_run.hpp"

#include "apps/axon/job_config.hpp"
#include "ops/cpu/cpu_kernels.hpp"
#include "ops/cpu/softmax.hpp"
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/checkpoint/run_files.hpp"
#include "runtime/checkpoint/hf_weights.hpp"
#include "runtime/config/load.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/data/document_batches.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace axon::app {

namespace fs = std::filesystem;

trained_run trained_run::load(const std::string& run_dir, const std::string& checkpoint_folder) {
  trained_run run;
  const fs::path dir{run_dir};
  auto loaded = config::load_config_file((dir / "config.ini").string(), {});
  if (!loaded.resolved)
    throw std::runtime_error(run_dir + " is not an Axon run directory: " + loaded.error_text());
  run.config = std::make_unique<config::resolved_config>(*loaded.resolved);
  std::ifstream labels{dir / "labels.txt"};
  for (std::string line; std::getline(labels, line);)
    if (!line.empty())
      run.labels.push_back(line);
  if (run.labels.empty())
    throw std::runtime_error((dir / "labels.txt").string() + " is missing or empty");
  auto vocab = data::vocabulary::load((dir / "vocab.txt").string());
  const auto vocab_size = vocab.size();
  run.tokenizer = std::make_unique<data::wordpiece_tokenizer>(std::move(vocab),
                                                              !run.config->get_bool("data.cased"));
  run.max_len = static_cast<std::size_t>(run.config->get_int("data.max-len"));
  run.windows = window_settings_of(*run.config);
  if (!run.config->get_string("kg.triples").empty()) {
    if (!fs::exists(dir / "kg" / "entities.txt"))
      throw std::runtime_error((dir / "kg").string()
                               + " is missing: the run fuses a KG but its entities were not saved");
    run.kg = std::make_unique<kg::fusion_kg>(kg::load_saved_fusion_kg((dir / "kg").string()));
  }
  auto model_cfg = model_config_of(*run.config, vocab_size, run.labels.size(),
                                   run.kg ? run.kg->entities.size() : 0);
  run.model = std::make_unique<bert::bert_classifier>(model_cfg, ops::compute{},
                                                      false); // inference: no gradients
  checkpoint::expected_layout expect{job_hash(*run.config), run.model->params().specs(),
                                     legacy_job_hash(*run.config)};
  std::optional<checkpoint::loaded_checkpoint> chosen;
  const auto weights = checkpoint::checkpoint_part::weights; // inference: no optimizer state
  if (!checkpoint_folder.empty()) {
    chosen = checkpoint::load_checkpoint(checkpoint_folder, expect, weights);
  } else if (auto best = checkpoint::best_checkpoint(dir)) {
    chosen = checkpoint::load_checkpoint(dir / "checkpoints" / ("step-" + std::to_string(*best)),
                                         expect, weights);
  } else {
    auto found = checkpoint::load_latest_valid(dir, expect, weights);
    if (!found.checkpoint)
      throw std::runtime_error("no valid checkpoint in " + (dir / "checkpoints").string());
    chosen = std::move(found.checkpoint);
  }
  // A run file changed since (a permuted labels.txt would flip every prediction).
  checkpoint::verify_run_files(dir, chosen->info, chosen->folder);
  auto report = checkpoint::load_weights(chosen->model, run.model->params());
  if (!report.missing.empty())
    throw std::runtime_error(chosen->folder.string() + " lacks " + report.missing.front());
  run.checkpoint = chosen->folder.string();
  return run;
}

trained_run trained_run::replica(const ops::compute& on) const {
  trained_run copy;
  copy.config = config;
  copy.labels = labels;
  copy.tokenizer = tokenizer;
  copy.kg = kg;
  copy.checkpoint = checkpoint;
  copy.max_len = max_len;
  copy.windows = windows;
  copy.model = std::make_unique<bert::bert_classifier>(model->config(), on, false);
  if (on.where() == model->compute().where())
    copy.model->share_weights_of(*model);
  else
    copy.model->params().flat().copy_(model->params().flat());
  return copy;
}

std::size_t trained_run::max_tokens() const {
  if (!windows)
    return max_len;
  return windows->content() + (windows->max_chunks - 1) * windows->step() + 2;
}

data::tokenized_example trained_run::encode(std::string_view text,
                                            std::vector<kg::linked_entity>* linked) const {
  auto example = tokenize(text);
  if (kg) // linked here, in this process, with the run's saved KG: what its KG service linked
    link(example, kg->link(example.words, !config->get_bool("data.cased")), linked);
  return example;
}

data::tokenized_example trained_run::tokenize(std::string_view text) const {
  return data::encode_example(*tokenizer, text, max_tokens(), kg != nullptr);
}

void trained_run::link(data::tokenized_example& example, const std::vector<kg::mention>& mentions,
                       std::vector<kg::linked_entity>* linked) const {
  example.entities = data::entities_of_tokens(example,
                                              kg::entity_per_word(mentions, example.words.size()));
  if (linked)
    *linked = kg->named(mentions, example.words);
}

tensor trained_run::probabilities(const std::vector<data::tokenized_example>& examples,
                                  std::size_t batch_size) {
  const auto k = static_cast<std::int64_t>(labels.size());
  auto out = tensor::empty({static_cast<std::int64_t>(examples.size()), k});
  if (examples.empty())
    return out;
  if (!pool) {
    ops::cpu_kernels(); // GEMM core, own loops, single-threaded BLAS
    pool = std::make_shared<compute_pool>(core_count());
  }
  compute_pool::scope use_pool{pool.get()};
  const data::batcher_options options{batch_size, 0, false, false, tokenizer->vocab().pad_id()};
  std::int64_t row = 0;
  // Documents: their windows encoded at most train.micro-windows at a time.
  const auto micro_windows = windows ? config->get_int("train.micro-windows") : 0;
  auto classify = [&](auto&& batches) { // rows or documents: one row of `out` each
    for (std::size_t b = 0; b < batches.batches_per_epoch(); ++b) {
      auto batch = batches.next();
      const bert::batch in{batch.ids,      batch.token_types, batch.attention_mask, {},
                           batch.entities, batch.offsets};
      if (windows)
        model->classify_documents(in, micro_windows);
      else
        model->forward(in, {});
      const auto rows = model->logits().size(0);
      ops::softmax_forward(out.slice(row, row + rows), model->logits());
      row += rows;
    }
  };
  if (windows)
    classify(data::document_batcher{
      std::make_shared<const std::vector<data::tokenized_example>>(examples),
      {options, *windows, tokenizer->vocab().cls_id(), tokenizer->vocab().sep_id()}});
  else
    classify(data::batcher{examples, options});
  return out;
}

} // namespace axon::app
