// `axon export --run RUN_DIR OUT`: the run's best checkpoint as a Hugging Face
// BertForSequenceClassification folder (config.json, model.safetensors, vocab.txt,
// tokenizer settings) for `transformers`' from_pretrained. Runs whose model BERT cannot
// hold (KG fusion, no pooler) exit 2 naming why; OUT must be absent or empty.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/trained_run.hpp"
#include "runtime/checkpoint/hf_export.hpp"

#include <filesystem>
#include <iostream>

namespace axon::app {

int export_run(args words) {
  std::string run_dir;
  std::vector<std::string> positional;
  flag_parser flags{"axon export --run RUN_DIR OUT"};
  flags.add("run", &run_dir, "run directory written by `axon train`");
  if (auto status = flags.parse(words, &positional))
    return *status;
  if (run_dir.empty() || positional.size() != 1) {
    std::cerr << "axon export: --run RUN_DIR and one output folder are required (see --help)\n";
    return 2;
  }
  const std::filesystem::path out{positional[0]};
  std::error_code ec;
  if (std::filesystem::exists(out) && !std::filesystem::is_empty(out, ec)) {
    std::cerr << "axon export: " << out.string() << " exists and is not empty\n";
    return 2;
  }
  try {
    auto run = trained_run::load(run_dir);
    if (run.kg)
      throw std::runtime_error("Hugging Face's BertForSequenceClassification cannot express "
                               "Axon's KG fusion (the run has kg.triples)");
    if (run.windows)
      throw std::runtime_error("Hugging Face's BertForSequenceClassification classifies one "
                               "text, not a document pooled from its windows (the run has "
                               "data.long-text = chunk)");
    checkpoint::hf_export_settings settings{
      run.labels, (std::filesystem::path{run_dir} / "vocab.txt").string(),
      run.tokenizer->vocab().pad_id(), !run.config->get_bool("data.cased"), run.max_len};
    checkpoint::write_hf_folder(out.string(), run.model->config(), run.model->params(), settings);
    std::cout << "wrote " << out.string() << ": config.json, model.safetensors, vocab.txt, "
              << "tokenizer_config.json, special_tokens_map.json (weights from "
              << run.checkpoint << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "axon export: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

} // namespace axon::app
