// From a validated config to what the commands need: data settings, the model's
// architecture, and the supervisor's plan. One place reads each config key.
#pragma once

#include "actors/supervisor_actor.hpp"
#include "runtime/config/resolved_config.hpp"
#include "runtime/data/prepare.hpp"

#include <filesystem>

namespace axon::app {

/// data.* keys; the token cache goes to RUN_DIR when data.cache is on.
data::data_settings data_settings_of(const config::resolved_config& cfg,
                                     const std::filesystem::path& run_dir);

/// model.* keys plus what the data decides (vocabulary size, classes).
bert::bert_config model_config_of(const config::resolved_config& cfg, std::size_t vocab_size,
                                  std::size_t classes);

/// A hash of every key but train.run-dir: checkpoints are refused by a different job.
std::string job_hash(const config::resolved_config& cfg);

/// train.threads, 0 meaning every core.
int compute_threads(const config::resolved_config& cfg);

/// Everything else the supervisor needs (train.*, eval.*, placement.*).
void fill_plan(supervisor_plan& plan, const config::resolved_config& cfg,
               const data::prepared_data& prepared);

} // namespace axon::app
