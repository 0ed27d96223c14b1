// job_config: config keys -> settings structs.
#include "apps/axon/job_config.hpp"

#include "graphs/bert/bert_params.hpp"
#include "ops/compute.hpp"
#include "runtime/checkpoint/init_source.hpp"
#include "runtime/config/cluster_settings.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/fnv1a.hpp"

#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace axon::app {

bool chunks_documents(const config::resolved_config& cfg) {
  return cfg.get_string("data.long-text") == "chunk";
}

std::optional<data::window_settings> window_settings_of(const config::resolved_config& cfg) {
  if (!chunks_documents(cfg))
    return std::nullopt;
  return data::window_settings{static_cast<std::size_t>(cfg.get_int("data.chunk-len")),
                               static_cast<std::size_t>(cfg.get_int("data.chunk-stride")),
                               static_cast<std::size_t>(cfg.get_int("data.max-chunks"))};
}

data::data_settings data_settings_of(const config::resolved_config& cfg,
                                     const std::filesystem::path& run_dir) {
  data::data_settings s;
  s.path = cfg.get_string("data.path");
  s.train = cfg.get_string("data.train");
  s.dev = cfg.get_string("data.dev");
  s.test = cfg.get_string("data.test");
  s.format = cfg.get_string("data.format");
  s.text_column = cfg.get_string("data.text-column");
  s.label_column = cfg.get_string("data.label-column");
  s.encoding = cfg.get_string("data.encoding");
  s.skip_bad_lines = cfg.get_string("data.on-error") == "skip";
  const auto& split = cfg.get_reals("data.split");
  s.split = {split.at(0), split.at(1), split.at(2)};
  s.split_seed = static_cast<std::uint64_t>(cfg.get_int("data.split-seed"));
  s.vocab = cfg.get_string("data.vocab");
  s.vocab_size = static_cast<std::size_t>(cfg.get_int("data.vocab-size"));
  s.cased = cfg.get_bool("data.cased");
  s.max_len = static_cast<std::size_t>(cfg.get_int("data.max-len"));
  if (chunks_documents(cfg)) // whole documents: windows cut them at batch time
    s.max_len = std::numeric_limits<std::size_t>::max();
  if (cfg.get_bool("data.cache"))
    s.cache_dir = run_dir.string();
  return s;
}

bert::bert_config model_config_of(const config::resolved_config& cfg, std::size_t vocab_size,
                                  std::size_t classes, std::int32_t entities) {
  bert::bert_config m;
  m.vocab_size = static_cast<int>(vocab_size);
  m.max_positions = static_cast<int>(cfg.get_int("model.max-positions"));
  m.type_vocab_size = static_cast<int>(cfg.get_int("model.type-vocab-size"));
  m.hidden = static_cast<int>(cfg.get_int("model.hidden"));
  m.layers = static_cast<int>(cfg.get_int("model.layers"));
  m.heads = static_cast<int>(cfg.get_int("model.heads"));
  m.intermediate = static_cast<int>(cfg.get_int("model.intermediate"));
  m.classes = static_cast<int>(classes);
  m.pooler = cfg.get_bool("model.pooler");
  m.layer_norm_eps = static_cast<float>(cfg.get_real("model.layer-norm-eps"));
  m.hidden_dropout = static_cast<float>(cfg.get_real("model.dropout"));
  m.attention_dropout = static_cast<float>(cfg.get_real("model.attention-dropout"));
  m.entities = entities;
  m.entity_dim = entities > 0 ? static_cast<int>(cfg.get_int("kg.dim")) : 0;
  m.entity_finetune = entities > 0 && cfg.get_bool("kg.finetune");
  m.documents = chunks_documents(cfg);
  m.attention_pooling = m.documents && cfg.get_string("model.window-pooling") == "attention";
  m.validate();
  return m;
}

void check_model_init(const config::resolved_config& cfg, const bert::bert_config& model) {
  checkpoint::check_init_weights(checkpoint::init_weights_file(cfg.get_string("model.init")),
                                 bert::param_specs(model));
}

namespace {

// The canonical text's lines as key -> value.
std::map<std::string, std::string> key_values(const config::resolved_config& cfg) {
  std::map<std::string, std::string> out;
  std::istringstream lines{cfg.canonical_text()};
  for (std::string line; std::getline(lines, line);)
    if (auto eq = line.find('='); eq != std::string::npos)
      out.emplace(line.substr(0, eq), line.substr(eq + 1));
  return out;
}

// Keys that are not the job at all: a moved run directory, another monitoring port or
// serving settings are the same job.
bool outside_the_job(std::string_view key) {
  return key == "train.run-dir" || key.starts_with("monitor.") || key.starts_with("serve.");
}

// A truncating job (data.long-text = truncate) does not read the chunking keys: they do not
// change it, and runs made before the keys existed keep their hash.
bool unused_chunk_key(const config::resolved_config& cfg, std::string_view key) {
  return cfg.get_string("data.long-text") == "truncate"
         && (key == "data.long-text" || key.starts_with("data.chunk-")
             || key == "data.max-chunks" || key == "model.window-pooling"
             || key == "train.micro-windows");
}

// FNV-1a over the canonical lines whose key `counts` and that the job reads.
template <class Counts>
std::string hash_of(const config::resolved_config& cfg, Counts counts) {
  fnv1a64 h;
  std::istringstream lines{cfg.canonical_text()};
  for (std::string line; std::getline(lines, line);)
    if (const auto key = std::string_view{line}.substr(0, line.find('='));
        !unused_chunk_key(cfg, key) && counts(key))
      h.add(line).add("\n");
  return h.hex();
}

} // namespace

bool is_placement_key(std::string_view key) {
  return key.starts_with("placement.") || key.starts_with("cluster.")
         || key == "train.micro-batches" || key == "train.credit-window"
         || key == "train.micro-windows" || key == "train.threads";
}

std::string job_hash(const config::resolved_config& cfg) {
  return hash_of(cfg, [](std::string_view key) {
    return !outside_the_job(key) && !is_placement_key(key);
  });
}

std::string legacy_job_hash(const config::resolved_config& cfg) {
  return hash_of(cfg, [](std::string_view key) { return !outside_the_job(key); });
}

std::string changed_job_key(const config::resolved_config& saved,
                            const config::resolved_config& now) {
  const auto before = key_values(saved);
  for (const auto& [key, value] : key_values(now)) {
    if (outside_the_job(key) || is_placement_key(key)
        || (unused_chunk_key(now, key) && unused_chunk_key(saved, key)))
      continue;
    auto it = before.find(key);
    const std::string old = it == before.end() ? "(unset)" : it->second;
    if (old != value)
      return key + " = " + value + " differs from the run's " + key + " = " + old
             + ": it changes the model, the data or the optimisation, which the run's "
               "checkpoints cannot continue (on resume only placement.*, cluster.*, "
               "train.micro-batches, train.credit-window, train.micro-windows, train.threads, "
               "monitor.* and "
               "serve.* may change)";
  }
  return "";
}

std::vector<std::string> changed_placement_keys(const config::resolved_config& saved,
                                                const config::resolved_config& now) {
  const auto before = key_values(saved);
  std::vector<std::string> out;
  for (const auto& [key, value] : key_values(now)) {
    auto it = before.find(key);
    if (is_placement_key(key) && it != before.end() && it->second != value)
      out.push_back(key + " = " + value + " (was " + it->second + ")");
  }
  return out;
}

std::unique_ptr<kg::fusion_kg> fusion_kg_of(const config::resolved_config& cfg,
                                            const std::filesystem::path& run_dir) {
  if (cfg.get_string("kg.triples").empty())
    return nullptr;
  if (!run_dir.empty() && std::filesystem::exists(run_dir / "kg" / "entities.txt"))
    return std::make_unique<kg::fusion_kg>(kg::load_saved_fusion_kg((run_dir / "kg").string()));
  return std::make_unique<kg::fusion_kg>(
    kg::load_fusion_kg(cfg.get_string("kg.triples"), cfg.get_string("kg.aliases")));
}

std::optional<kg::entity_table> entity_table_of(const config::resolved_config& cfg,
                                                const kg::fusion_kg& kg) {
  if (cfg.get_string("kg.embeddings").empty())
    return std::nullopt;
  return kg::load_entity_table(cfg.get_string("kg.embeddings"), kg.entities,
                               cfg.get_int("kg.dim"),
                               static_cast<std::uint64_t>(cfg.get_int("train.seed")));
}

bert::job_layout job_layout_of(const config::resolved_config& cfg,
                               const bert::bert_config& model) {
  bert::job_layout job;
  job.model = model;
  job.stages = static_cast<int>(cfg.get_int("placement.stages"));
  job.shards = static_cast<int>(cfg.get_int("placement.shards"));
  job.optimizer_slices = static_cast<int>(cfg.get_int("placement.optimizer-slices"));
  job.micro_batches = static_cast<int>(cfg.get_int("train.micro-batches"));
  job.credit_window = static_cast<int>(cfg.get_int("train.credit-window"));
  job.micro_windows = static_cast<int>(cfg.get_int("train.micro-windows"));
  job.adamw.lr = static_cast<float>(cfg.get_real("train.lr"));
  job.adamw.beta1 = static_cast<float>(cfg.get_real("train.beta1"));
  job.adamw.beta2 = static_cast<float>(cfg.get_real("train.beta2"));
  job.adamw.eps = static_cast<float>(cfg.get_real("train.adam-eps"));
  job.adamw.weight_decay = static_cast<float>(cfg.get_real("train.weight-decay"));
  job.max_grad_norm = static_cast<float>(cfg.get_real("train.max-grad-norm"));
  job.seed = static_cast<std::uint64_t>(cfg.get_int("train.seed"));
  job.devices = config::device_rules_of(cfg);
  job.precision = config::gemm_precision_of(cfg);
  job.attention = *ops::parse_attention_kernel(cfg.get_string("compute.attention"));
  if (job.stages > job.model.layers + 1)
    throw std::invalid_argument("placement.stages = " + std::to_string(job.stages)
                                + " exceeds model.layers + 1 = "
                                + std::to_string(job.model.layers + 1));
  // make_graph throws naming what does not fit (e.g. more slices than tensors).
  const auto graph = bert::make_graph(job);
  // Actors of this process need their device here (a node process checks its own when it
  // spawns them): one clear error now rather than a graph that cannot start.
  const auto cluster = cluster::cluster_settings_of(cfg);
  for (const auto& node : graph.nodes())
    if (cluster.node_of(node.name) == cluster::local_node)
      ops::check_device(bert::device_of(job, node.name)); // "cannot use cuda:N: ..."
  return job;
}

void fill_run_plan(run_plan& plan, const config::resolved_config& cfg,
                   const bert::bert_config& model) {
  plan.run_dir = cfg.get_string("train.run-dir");
  plan.layout = job_layout_of(cfg, model);
  plan.schedule = *train::lr_schedule_kind_from_name(cfg.get_string("train.schedule"));
  plan.warmup_ratio = cfg.get_real("train.warmup-ratio");
  plan.warmup_steps = cfg.get_int("train.warmup-steps");
  plan.log_every = cfg.get_int("train.log-every-steps");
  plan.checkpoint_every = cfg.get_int("train.checkpoint-every-steps");
  plan.keep_checkpoints = static_cast<int>(cfg.get_int("train.keep-checkpoints"));
  plan.config_hash = job_hash(cfg);
  plan.legacy_config_hash = legacy_job_hash(cfg);
  plan.init_weights = checkpoint::init_weights_file(cfg.get_string("model.init"));
  plan.recovery_attempts = static_cast<int>(cfg.get_int("train.recovery-attempts"));
  plan.max_shards = static_cast<int>(cfg.get_int("placement.max-shards"));
  plan.start_paused = cfg.get_bool("monitor.start-paused");
  plan.global_batch = cfg.get_int("train.batch-size");
  plan.elastic = cfg.get_bool("placement.elastic");
  plan.rejoin_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
    cfg.get_timespan("cluster.rejoin-timeout"));
}

void fill_plan(supervisor_plan& plan, const config::resolved_config& cfg,
               const data::prepared_data& prepared, const kg::fusion_kg* kg) {
  fill_run_plan(plan, cfg,
                model_config_of(cfg, prepared.vocab.size(), prepared.label_names.size(),
                                kg != nullptr ? kg->entities.size() : 0));
  plan.label_names = prepared.label_names;
  using examples = supervisor_plan::examples;
  plan.train = std::make_shared<const examples>(prepared.train);
  plan.dev = std::make_shared<const examples>(prepared.dev);
  plan.test = std::make_shared<const examples>(prepared.test);
  plan.batch_size = static_cast<std::size_t>(cfg.get_int("train.batch-size"));
  plan.eval_batch_size = static_cast<std::size_t>(cfg.get_int("eval.batch-size"));
  plan.shuffle = cfg.get_bool("train.shuffle");
  plan.pad_id = prepared.vocab.pad_id();
  plan.epochs = static_cast<int>(cfg.get_int("train.epochs"));
  plan.max_steps = cfg.get_int("train.max-steps");
  plan.eval_every = cfg.get_int("eval.every-steps");
  plan.metric = cfg.get_string("eval.metric");
  plan.stopping.mode = *train::metric_mode_from_name(cfg.get_string("eval.mode"));
  plan.stopping.patience = static_cast<int>(cfg.get_int("eval.patience"));
  plan.stopping.min_delta = cfg.get_real("eval.min-delta");
  plan.early_stop = plan.stopping.patience > 0;
  plan.windows = window_settings_of(cfg);
  plan.cls_id = prepared.vocab.cls_id();
  plan.sep_id = prepared.vocab.sep_id();
}

} // namespace axon::app
