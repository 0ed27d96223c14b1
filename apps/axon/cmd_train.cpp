// `axon train CONFIG [--group.key=value ...]` and `axon train --resume RUN_DIR`: validates
// the config (exit 2 naming the key), prepares the data (exit 2 naming file and line),
// writes the run directory (config.ini, labels.txt, vocab.txt, splits/), starts the inspection
// endpoint ([monitor] keys), then runs the supervisor actor and waits for it. Exit 1 when
// training fails, with the failing actor's message.
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/job_config.hpp"
#include "apps/axon/run_invocation.hpp"
#include "apps/axon/job_monitor.hpp"


#include "runtime/config/compute_threads.hpp"
#include "runtime/graph/error.hpp"
#include "actors/cluster/cluster_connection.hpp"
#include "actors/kg/kg_service_actor.hpp"
#include "actors/jobs/supervisor_actor.hpp"
#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "actors/cluster/tls_roles.hpp"
#include "actors/cluster/tls_check.hpp"
#include "graphs/bert/bert_params.hpp"
#include "runtime/compute_pool.hpp"
#include "runtime/data/csv_writer.hpp"
#include "runtime/data/document_batches.hpp"

#include <caf/all.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace axon::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* usage =
  "axon train CONFIG [--group.key=value ...]\n"
  "       axon train --resume RUN_DIR [--group.key=value ...]\n"
  "Trains the BERT classifier that CONFIG describes (docs/config.md lists every key).";

void write_lines(const fs::path& file, const std::vector<std::string>& lines) {
  std::ofstream out{file};
  for (const auto& line : lines)
    out << line << '\n';
  if (!out)
    throw std::runtime_error("cannot write " + file.string());
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in{file};
  if (!in)
    throw std::runtime_error("cannot read " + file.string());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

// RUN_DIR/splits/dev.csv and test.csv: the rows the run evaluates on, as read (after the
// split of data.path, if any), so that `axon eval --split` scores them whatever becomes of
// the source files.
void write_splits(const fs::path& dir, const data::prepared_data& prepared) {
  fs::create_directories(dir);
  data::file_set files;
  for (const auto& [name, rows] : {std::pair{"dev.csv", &prepared.dev_rows},
                                   std::pair{"test.csv", &prepared.test_rows}})
    if (!rows->texts.empty())
      files.write(dir / name, [&](std::ostream& out) { data::write_labelled_csv(out, *rows); });
  files.commit();
}

} // namespace

int train(args words) {
  auto invocation = parse_run_invocation(words, "train", usage);
  if (!invocation.config)
    return invocation.exit_status;
  const auto& cfg = *invocation.config;
  const auto& resume_dir = invocation.resume_dir;
  const fs::path run_dir = cfg.get_string("train.run-dir");
  if (!choose_cpu_kernels("axon train", kernel_log::summary))
    return 2;
  std::optional<run_dir_lock> lock; // held until the process ends
  auto plan = std::make_shared<supervisor_plan>();
  try {
    auto settings = data_settings_of(cfg, run_dir);
    if (!resume_dir.empty()) { // the saved run's label ids and vocabulary
      settings.label_names = read_lines(run_dir / "labels.txt");
      settings.vocab = (run_dir / "vocab.txt").string();
    }
    // A resumed run links with its saved entities and aliases (RUN_DIR/kg).
    auto kg = fusion_kg_of(cfg, resume_dir.empty() ? fs::path{} : run_dir);
    std::optional<kg::entity_table> entity_table;
    if (kg) {
      settings.keep_words = true; // the KG service links each batch's words
      entity_table = entity_table_of(cfg, *kg);
    }
    // model.init by name (the data decides the sizes, so they are provisional here): it
    // is read before the token cache below writes the first file of the run directory.
    if (resume_dir.empty())
      check_model_init(cfg, model_config_of(cfg, 1, 2, kg ? std::int32_t(kg->entities.size()) : 0));
    // Every input is read and checked before anything is written (the token cache is
    // written only once all splits have been read).
    auto prepared = data::prepare_classification(settings);
    std::cerr << prepared.report;
    if (const auto windows = window_settings_of(cfg)) // data.long-text = chunk
      std::cerr << "windows: train split: "
                << data::tally_windows(prepared.train, *windows).describe(*windows) << '\n';
    fill_plan(*plan, cfg, prepared, kg.get());
    if (kg) {
      plan->layout.kg = std::make_shared<const kg_service_setup>(kg_service_setup_of(
        *kg, !settings.cased, entity_table ? entity_table->table : tensor{}));
      std::cerr << "kg: " << kg->entities.size() << " entities, " << kg->linker.alias_count()
                << " aliases, served by the KG service actor";
      if (entity_table)
        std::cerr << "; kg.embeddings: " << entity_table->found << " of " << kg->entities.size()
                  << " entities from " << cfg.get_string("kg.embeddings");
      std::cerr << '\n';
    }
    plan->resume = !resume_dir.empty();
    if (plan->resume) // the run's checkpoints may carry the hash older versions wrote
      plan->legacy_config_hash = invocation.legacy_config_hash;
    lock.emplace(hold_run_dir(run_dir, plan->resume, "train"));
    if (plan->resume) // what the run depends on, checked before its first step
      check_resumable(run_dir, {plan->config_hash, bert::param_specs(plan->layout.model),
                                plan->legacy_config_hash});
    if (!plan->resume) {
      std::ofstream{run_dir / "config.ini"} << cfg.to_ini();
      write_lines(run_dir / "labels.txt", prepared.label_names);
      prepared.vocab.save((run_dir / "vocab.txt").string());
      write_splits(run_dir / "splits", prepared);
      if (kg)
        kg->save((run_dir / "kg").string());
    }
  } catch (const std::exception& e) {
    std::cerr << "axon train: " << e.what() << '\n';
    return 2;
  }
  auto cluster = cluster::cluster_settings_of(cfg);
  cluster.elastic = plan->elastic;
  // Elastic: nodes may join later, so a rule may name shards the job does not start with.
  const bool connect_nodes =
    cluster.distributed() || (cluster.elastic && !cluster.nodes.empty());
  if (cluster.distributed()) {
    std::vector<std::string> actors;
    auto largest = plan->layout;
    if (cluster.elastic)
      largest.shards = plan->max_shards;
    const auto graph = bert::make_graph(largest);
    for (const auto& node : graph.nodes())
      actors.push_back(node.name);
    auto problem = cluster::check_placement(cluster, actors);
    if (problem.empty())
      problem = prepare_tls(cluster.tls, tls_role::coordinator);
    if (!problem.empty()) {
      std::cerr << "axon train: " << problem << '\n';
      return 2;
    }
  }
  std::unique_ptr<monitor::endpoint> job_monitor;
  try {
    job_monitor = start_job_monitor(cfg, run_dir);
  } catch (const std::exception& e) {
    std::cerr << "axon train: " << e.what() << '\n';
    return 2;
  }
  const int threads = config::compute_threads(cfg);
  set_process_compute_threads(threads);
  const auto modules = axon_modules();
  system_config sys_cfg{modules, threads, &cluster};
  caf::actor_system sys{sys_cfg};
  std::shared_ptr<cluster_connection> connection;
  if (connect_nodes) {
    auto opened = cluster_connection::open(sys, cluster, modules);
    if (!opened) {
      std::cerr << "axon train: " << error_text(opened.error()) << '\n';
      return 2;
    }
    connection = *opened;
    plan->cluster = connection;
  }
  caf::scoped_actor self{sys};
  auto supervisor = spawn_supervisor(sys, plan);
  if (connection) // a node leaving on SIGTERM asks the supervisor to retire its actors
    connection->set_control(supervisor);
  connection.reset();
  const int status = wait_for_supervisor(self, supervisor, "train", job_monitor.get());
  plan->cluster.reset(); // ends the session on the nodes while the actor system still runs
  job_monitor.reset(); // its control requests use the actor system: stop it first
  return status;
}

} // namespace axon::app
