// From a validated config to what the commands need: data settings, the model's
// architecture, and the supervisor's plan. One place reads each config key.
#pragma once

#include "actors/jobs/supervisor_actor.hpp"
#include "runtime/config/resolved_config.hpp"
#include "runtime/data/prepare.hpp"
#include "runtime/kg/fusion_kg.hpp"

#include <filesystem>
#include <optional>

namespace axon::app {

/// data.long-text = chunk: documents are read whole and classified from their windows.
bool chunks_documents(const config::resolved_config& cfg);
/// The data.chunk-* keys and data.max-chunks with data.long-text = chunk; else nullopt.
std::optional<data::window_settings> window_settings_of(const config::resolved_config& cfg);

/// data.* keys (with data.long-text = chunk, texts are not truncated); the token cache goes
/// to RUN_DIR when data.cache is on.
data::data_settings data_settings_of(const config::resolved_config& cfg,
                                     const std::filesystem::path& run_dir);

/// model.* and kg.* keys plus what the data decides (vocabulary size, classes) and the
/// KG's entity count (0: no fusion).
bert::bert_config model_config_of(const config::resolved_config& cfg, std::size_t vocab_size,
                                  std::size_t classes, std::int32_t entities);

/// The fused KG of a job: from RUN_DIR/kg when `run_dir` (a run being continued) saved one,
/// else from kg.triples and kg.aliases; none (nullptr) without kg.triples.
std::unique_ptr<kg::fusion_kg> fusion_kg_of(const config::resolved_config& cfg,
                                            const std::filesystem::path& run_dir);

/// The entity table from kg.embeddings for `kg`'s entities (width kg.dim), or none when
/// kg.embeddings is empty; throws data_error naming the file when it does not fit.
std::optional<kg::entity_table> entity_table_of(const config::resolved_config& cfg,
                                                const kg::fusion_kg& kg);

/// model.init read and matched by name against `model` (whose data-decided sizes may be
/// provisional) before a run writes anything: checkpoint::check_init_weights.
void check_model_init(const config::resolved_config& cfg, const bert::bert_config& model);

/// Keys that say how the job is cut into actors and where they run, not what it computes:
/// placement.*, cluster.*, train.micro-batches, train.credit-window and train.threads.
/// Results do not depend on them (dropout is keyed by the examples), so a run may be
/// resumed with other values of them.
bool is_placement_key(std::string_view key);

/// A hash of every key but train.run-dir, monitor.*, serve.* and the placement keys:
/// checkpoints are refused by a different job, not by another placement of the same job.
std::string job_hash(const config::resolved_config& cfg);
/// The hash that Axon wrote into checkpoints before placement keys were left out (every key
/// but train.run-dir, monitor.* and serve.*): accepted from a run's older checkpoints.
std::string legacy_job_hash(const config::resolved_config& cfg);

/// For `--resume`: the first key, other than train.run-dir, monitor.*, serve.* and the
/// placement keys, whose value in `now` (the run's config.ini with this invocation's
/// overrides) differs from `saved` (config.ini alone), as a message naming it and both
/// values; empty when there is none. Such a key changes the model, the data or the
/// optimisation, which the run's checkpoints cannot continue.
std::string changed_job_key(const config::resolved_config& saved,
                            const config::resolved_config& now);
/// For `--resume`: the placement keys whose value in `now` differs from `saved`, each as
/// "key = new (was old)".
std::vector<std::string> changed_placement_keys(const config::resolved_config& saved,
                                                const config::resolved_config& now);

/// The actor graph's layout around `model`: placement.*, the optimizer's train.* keys and
/// train.seed; throws std::invalid_argument naming what does not fit.
bert::job_layout job_layout_of(const config::resolved_config& cfg, const bert::bert_config& model);
/// What both supervisors take from a config (run_plan): train.run-dir, the layout around
/// `model`, the schedule, logging and checkpoint cadence, the job hash and model.init.
void fill_run_plan(run_plan& plan, const config::resolved_config& cfg,
                   const bert::bert_config& model);
/// Everything else the supervisor needs (train.*, eval.*, placement.*).
/// `kg` (may be null) decides the model's entity count.
void fill_plan(supervisor_plan& plan, const config::resolved_config& cfg,
               const data::prepared_data& prepared, const kg::fusion_kg* kg);

} // namespace axon::app
