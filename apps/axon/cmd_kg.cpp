// `axon kg ...`: knowledge-graph tools.
//   kg train CONFIG   trains TransE entity embeddings (docs/kg-config.md), then refines
//                     them with R-GCN layers when rgcn.layers > 0; on a benchmark it
//                     reports filtered MRR and Hits@1/3/10 on the test split
//   kg eval           filtered metrics of saved embeddings on a benchmark split
//   kg link           entity mentions of each stdin line (JSON); a line is cut at 1 MiB
//   kg docs           the `axon kg train` config reference (docs/kg-config.md)
#include "apps/axon/commands.hpp"
#include "apps/axon/cpu_kernels_log.hpp"
#include "apps/axon/entities_json.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/line_batches.hpp"

#include "actors/cluster/system_config.hpp"
#include "actors/modules.hpp"
#include "graphs/kg/link_prediction.hpp"
#include "graphs/kg/rgcn.hpp"
#include "graphs/kg/transe_graph.hpp"
#include "graphs/kg/transe_trainer.hpp"
#include "ops/cpu/cpu_kernels.hpp"
#include "runtime/config/docs.hpp"
#include "runtime/config/kg_train_schema.hpp"
#include "runtime/config/load.hpp"
#include "runtime/data/seeded_random.hpp"
#include "runtime/data/utf8.hpp"
#include "runtime/kg/fusion_kg.hpp"
#include "runtime/memory_limit.hpp"
#include "runtime/safetensors.hpp"

#include <caf/actor_system.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

namespace axon::app {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

void save_embeddings(const fs::path& out, const kg::knowledge_graph& graph,
                     const param_arena& params, const std::string& method) {
  fs::create_directories(out);
  kg::write_names((out / "entities.txt").string(), graph.entities.names());
  kg::write_names((out / "relations.txt").string(), graph.relations.names());
  write_safetensors((out / "embeddings.safetensors").string(),
                    {{kg::entity_embeddings_name, params[kg::entity_embeddings_name]},
                     {kg::relation_embeddings_name, params[kg::relation_embeddings_name]}},
                    {{"method", method}});
}

// `count` triples of `all`, a seeded sample (all of them when count >= size).
std::vector<kg::triple> sample(const std::vector<kg::triple>& all, std::size_t count,
                               std::uint64_t seed) {
  if (count >= all.size())
    return all;
  auto shuffled = all;
  std::mt19937_64 rng(seed);
  data::seeded_shuffle(shuffled, rng);
  shuffled.resize(count);
  return shuffled;
}

} // namespace

int kg_train(args words) {
  if (words.empty() || words[0] == "--help" || words[0] == "-h") {
    (words.empty() ? std::cerr : std::cout)
      << "usage: axon kg train CONFIG [--group.key=value ...]\n"
         "Trains TransE entity embeddings as CONFIG says (docs/kg-config.md lists every key),\n"
         "refines them with R-GCN layers when rgcn.layers > 0, and writes\n"
         "graph.out/{entities.txt,relations.txt,embeddings.safetensors}.\n";
    return words.empty() ? 2 : 0;
  }
  auto loaded = config::load_config_file(words[0], words.subspan(1), config::kg_train_schema());
  if (!loaded.resolved) {
    std::cerr << loaded.error_text();
    return 2;
  }
  const auto& cfg = *loaded.resolved;
  kg::benchmark data;
  const bool is_benchmark = !cfg.get_string("graph.benchmark").empty();
  try {
    if (is_benchmark) {
      data = kg::read_benchmark(cfg.get_string("graph.benchmark"));
    } else {
      kg::read_triples(cfg.get_string("graph.triples"), data.graph, data.train);
      data.graph.triples = data.train;
    }
  } catch (const std::exception& e) {
    std::cerr << "axon kg train: " << e.what() << '\n';
    return 2;
  }
  std::cerr << "kg: " << data.graph.entities.size() << " entities, " << data.graph.relations.size()
            << " relations; train " << data.train.size() << ", valid " << data.valid.size()
            << ", test " << data.test.size() << " triples\n";
  kg::transe_settings settings;
  settings.dim = cfg.get_int("transe.dim");
  settings.batch_size = cfg.get_int("transe.batch-size");
  settings.negatives = cfg.get_int("transe.negatives");
  settings.lr = static_cast<float>(cfg.get_real("transe.lr"));
  settings.seed = static_cast<std::uint64_t>(cfg.get_int("transe.seed"));
  const auto epochs = cfg.get_int("transe.epochs");
  const auto eval_every = cfg.get_int("transe.eval-every");
  const double budget = cfg.get_real("transe.time-budget");
  const double needs = kg::transe_memory_bytes(std::int64_t(data.graph.entities.size()),
                                               std::int64_t(data.graph.relations.size()),
                                               settings);
  if (const double limit = double(memory_limit_bytes()); needs > limit) {
    std::cerr << "axon kg train: transe.dim = " << settings.dim << ", transe.batch-size = "
              << settings.batch_size << " and transe.negatives = " << settings.negatives
              << " need about " << bytes_text(needs) << " for " << data.graph.entities.size()
              << " entities; this process may use " << bytes_text(limit)
              << ": lower them\n";
    return 2;
  }
  if (!choose_cpu_kernels("axon kg train", kernel_log::warnings_only))
    return 2;
  // The entity-shard actor graph, or with transe.shards = 0 the single loop.
  const auto shards = static_cast<int>(cfg.get_int("transe.shards"));
  const auto entities = data.graph.entities.size(), relations = data.graph.relations.size();
  std::optional<kg::transe_trainer> loop;
  std::unique_ptr<system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<kg::transe_graph> graph;
  if (shards == 0) {
    loop.emplace(entities, relations, settings);
  } else {
    sys_cfg = std::make_unique<system_config>(axon_modules(), 2);
    sys = std::make_unique<caf::actor_system>(*sys_cfg);
    graph = std::make_unique<kg::transe_graph>(*sys, entities, relations, settings, shards);
  }
  auto train_epoch = [&] {
    return loop ? loop->train_epoch(data.train) : graph->train_epoch(data.train);
  };
  auto current = [&] { return loop ? loop->params().clone() : graph->gather(); };
  auto steps = [&] { return loop ? loop->steps() : graph->steps(); };
  const auto valid_sample = sample(data.valid, std::size_t(cfg.get_int("transe.eval-sample")),
                                   settings.seed);
  param_arena best;
  double best_mrr = -1;
  // Ranks the validation sample with `candidate`; keeps it when its MRR is the best yet.
  auto validate = [&](const param_arena& candidate) {
    auto m = kg::evaluate_transe(candidate, valid_sample, data.graph.triples);
    std::cerr << " | valid sample " << m.to_text();
    if (m.mrr <= best_mrr)
      return false;
    best_mrr = m.mrr;
    best = candidate;
    return true;
  };
  std::int64_t best_epoch = 0;
  const auto start = clock_type::now();
  double train_seconds = 0;
  for (std::int64_t epoch = 1; epoch <= epochs; ++epoch) {
    const auto epoch_start = clock_type::now();
    const double loss = train_epoch();
    train_seconds += seconds_since(epoch_start);
    const bool last = epoch == epochs || (budget > 0 && train_seconds >= budget);
    std::cerr << "epoch " << epoch << " loss " << loss << " train " << int(train_seconds) << "s";
    if (is_benchmark && (epoch % eval_every == 0 || last) && validate(current()))
      best_epoch = epoch;
    std::cerr << '\n';
    if (last)
      break;
  }
  const auto transe_params = is_benchmark ? best : current();
  // R-GCN refinement of the TransE model; on a benchmark the best valid epoch is kept, and
  // kept only when it beats TransE's best.
  const auto layers = cfg.get_int("rgcn.layers");
  auto final_params = transe_params;
  std::optional<kg::link_metrics> transe_test;
  std::int64_t best_rgcn_epoch = 0; // 0: TransE's best is kept
  if (layers > 0) {
    if (is_benchmark)
      transe_test = kg::evaluate_transe(transe_params, data.test, data.graph.triples);
    auto rgcn_settings = settings;
    rgcn_settings.lr = static_cast<float>(cfg.get_real("rgcn.lr"));
    kg::rgcn_trainer refiner{transe_params, data.train, layers, rgcn_settings};
    const auto rgcn_epochs = cfg.get_int("rgcn.epochs");
    const auto rgcn_start = clock_type::now();
    for (std::int64_t epoch = 1; epoch <= rgcn_epochs; ++epoch) {
      const double loss = refiner.train_epoch(data.train);
      std::cerr << "rgcn epoch " << epoch << " loss " << loss << " train "
                << int(seconds_since(rgcn_start)) << "s";
      if (is_benchmark && (epoch % eval_every == 0 || epoch == rgcn_epochs) &&
          validate(refiner.refined()))
        best_rgcn_epoch = epoch;
      std::cerr << '\n';
    }
    final_params = is_benchmark ? best : refiner.refined();
    train_seconds += seconds_since(rgcn_start);
  }
  const fs::path out = cfg.get_string("graph.out");
  try {
    save_embeddings(out, data.graph, final_params, layers > 0 ? "transe-l2+rgcn" : "transe-l2");
  } catch (const std::exception& e) {
    std::cerr << "axon kg train: " << e.what() << '\n';
    return 1;
  }
  nlohmann::json summary{{"entities", data.graph.entities.size()},
                         {"relations", data.graph.relations.size()},
                         {"train_seconds", train_seconds},
                         {"steps", steps()},
                         {"entity_shards", shards},
                         {"rgcn_layers", layers}};
  if (transe_test) {
    summary.update({{"transe_test_mrr", transe_test->mrr}, {"rgcn_best_epoch", best_rgcn_epoch}});
    std::cout << "TransE alone, test (filtered, both directions): " << transe_test->to_text()
              << '\n';
  }
  if (is_benchmark) {
    auto test = kg::evaluate_transe(final_params, data.test, data.graph.triples);
    summary.update({{"best_epoch", best_epoch},
                    {"test_mrr", test.mrr},
                    {"test_mean_rank", test.mean_rank},
                    {"test_hits1", test.hits1},
                    {"test_hits3", test.hits3},
                    {"test_hits10", test.hits10}});
    std::cout << "test (filtered, both directions, best valid epoch " << best_epoch
              << (best_rgcn_epoch > 0 ? " + R-GCN epoch " + std::to_string(best_rgcn_epoch) : "")
              << "): " << test.to_text() << '\n';
  }
  std::ofstream{out / "summary.json"} << summary.dump() << '\n';
  std::cerr << "embeddings written to " << out.string() << " (" << int(seconds_since(start))
            << "s)\n";
  return 0;
}

int kg_eval(args words) {
  std::string embeddings, benchmark_dir, split = "test";
  flag_parser flags{"axon kg eval --embeddings DIR --benchmark DIR [--split test|valid]"};
  flags.add("embeddings", &embeddings, "folder written by `axon kg train`");
  flags.add("benchmark", &benchmark_dir, "folder with train/valid/test splits");
  flags.add("split", &split, "split to rank (test or valid)");
  if (auto status = flags.parse(words))
    return *status;
  if (embeddings.empty() || benchmark_dir.empty() || (split != "test" && split != "valid")) {
    std::cerr << "axon kg eval: --embeddings and --benchmark are required; --split is test "
                 "or valid\n";
    return 2;
  }
  try {
    auto data = kg::read_benchmark(benchmark_dir);
    auto file = read_safetensors((fs::path{embeddings} / "embeddings.safetensors").string());
    const auto& ent = file.at(kg::entity_embeddings_name);
    const auto& rel = file.at(kg::relation_embeddings_name);
    param_arena params{kg::transe_specs(data.graph.entities.size(), data.graph.relations.size(),
                                        ent.size(1))};
    // Rows by name: the benchmark's ids need not be the saved order.
    auto copy_rows = [&](const tensor& saved, const std::vector<std::string>& saved_names,
                         const kg::name_index& names, const tensor& into, const char* what) {
      const auto d = saved.size(1);
      std::int64_t found = 0;
      for (std::size_t row = 0; row < saved_names.size(); ++row)
        if (auto id = names.find(saved_names[row]); id >= 0) {
          std::memcpy(into.data<float>() + id * d, saved.data<float>() + row * d, d * sizeof(float));
          ++found;
        }
      if (found != names.size())
        throw std::runtime_error(embeddings + " lacks " + std::to_string(names.size() - found)
                                 + " of the benchmark's " + what);
    };
    copy_rows(ent, kg::read_names((fs::path{embeddings} / "entities.txt").string()),
              data.graph.entities, params[kg::entity_embeddings_name], "entities");
    copy_rows(rel, kg::read_names((fs::path{embeddings} / "relations.txt").string()),
              data.graph.relations, params[kg::relation_embeddings_name], "relations");
    ops::cpu_kernels();
    auto m = kg::evaluate_transe(params, split == "test" ? data.test : data.valid,
                                 data.graph.triples);
    std::cout << split << " (filtered, both directions): " << m.to_text() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "axon kg eval: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

int kg_link(args words) {
  std::string triples, aliases;
  flag_parser flags{"axon kg link --triples FILE --aliases FILE < text\n"
                    "Prints per stdin line a JSON object with the entity mentions found; a line "
                    "longer\nthan 1 MiB is cut to its first 1 MiB (stderr counts the lines cut)."};
  flags.add("triples", &triples, "KG triples (their entities are the ids)");
  flags.add("aliases", &aliases, "entity<TAB>surface form lines");
  if (auto status = flags.parse(words))
    return *status;
  if (triples.empty() || aliases.empty()) {
    std::cerr << "axon kg link: --triples and --aliases are required\n";
    return 2;
  }
  try {
    auto kg = kg::load_fusion_kg(triples, aliases);
    // Linking a line holds about 100 bytes per byte of it (its words, mentions and JSON),
    // so a line is cut at 1 MiB: memory stays bounded whatever the input.
    constexpr std::size_t max_line_bytes = std::size_t{1} << 20;
    line_batches input{0, 64, max_line_bytes};
    std::size_t number = 0;
    for (auto lines = input.next(); !lines.empty(); lines = input.next()) {
      for (const auto& line : lines) {
        ++number;
        if (auto bad = data::find_invalid_utf8(line); bad != std::string::npos)
          throw data::data_error("stdin:" + std::to_string(number) + ": invalid UTF-8 at byte "
                                 + std::to_string(bad + 1) + " (the lines before it are linked)");
        const auto words_of_line = kg.linker.normalise(line);
        const auto mentions = kg.named(kg.linker.link_words(words_of_line), words_of_line);
        std::cout << nlohmann::json{{"text", line}, {"mentions", entities_json(mentions)}}.dump()
                  << '\n';
      }
      std::cout.flush(); // a line typed on a terminal is answered before the next is read
    }
    if (input.truncated() > 0)
      std::cerr << "axon kg link: " << input.truncated() << " line(s) longer than 1 MiB were "
                   "cut: only their first 1 MiB was linked (their \"text\" shows it)\n";
  } catch (const std::exception& e) {
    std::cerr << "axon kg link: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

int kg_docs(args words) {
  if (!words.empty()) {
    std::cerr << "usage: axon kg docs\n\nPrints the `axon kg train` config reference "
                 "(docs/kg-config.md) in Markdown.\n";
    return words[0] == "--help" || words[0] == "-h" ? 0 : 2;
  }
  std::cout << config::render_docs(config::kg_train_schema(), config::kg_train_docs_introduction);
  return 0;
}

} // namespace axon::app
