// `axon`: the command-line entry point. Finds the subcommand (one or two words) in the
// table below and runs it with the remaining words; an escaped exception ends it with a
// message and exit 1 (last_resort.hpp).
#include "apps/axon/commands.hpp"
#include "apps/axon/last_resort.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <optional>
#include <span>
#include <vector>

namespace {

using axon::app::command;

constexpr std::array commands{
  command{"train", "train a BERT classifier from a config (or --resume RUN_DIR)", axon::app::train},
  command{"pretrain", "MLM-pretrain a BERT encoder on raw text (or --resume RUN_DIR)",
          axon::app::pretrain},
  command{"node", "run a node process that hosts actors of cluster jobs", axon::app::node},
  command{"predict", "label sentences on stdin with a trained run's best model",
          axon::app::predict},
  command{"serve", "a trained run's best model as an HTTP JSON service (docs/serving.md)",
          axon::app::serve},
  command{"eval", "classification report of a trained run on a labelled file", axon::app::eval},
  command{"export", "a trained run as a Hugging Face model folder (transformers loads it)",
          axon::app::export_run},
  command{"report", "a run's training curves and confusion matrix as one HTML file",
          axon::app::report},
  command{"console", "inspect and steer a running job (HOST:PORT or --run RUN_DIR)",
          axon::app::console},
  command{"bench gemm", "sgemm GFLOP/s at a BERT step's shapes and the peak (JSON on stdout)",
          axon::app::bench_gemm},
  command{"bench train", "time BERT classifier training and inference (JSON on stdout)",
          axon::app::bench_train},
  command{"bench wire", "time tensors crossing to a node process (JSON on stdout)",
          axon::app::bench_wire},
  command{"tokenize", "print WordPiece token ids of each line on stdin", axon::app::tokenize},
  command{"data synth-finsent", "write the generated financial sentiment dataset and its KG",
          axon::app::data_synth_finsent},
  command{"data synth-longdocs", "write generated long documents decided by one sentence",
          axon::app::data_synth_longdocs},
  command{"data split", "write the seeded stratified train/dev/test split of a labelled file",
          axon::app::data_split},
  command{"config docs", "print the config reference (docs/config.md) from the schema",
          axon::app::config_docs},
  command{"config check", "check a training config and print it resolved (every key)",
          axon::app::config_check},
  command{"kg train", "train TransE entity embeddings (filtered MRR, Hits@k on a benchmark)",
          axon::app::kg_train},
  command{"kg eval", "filtered link-prediction metrics of saved entity embeddings",
          axon::app::kg_eval},
  command{"kg link", "print the KG entity mentions of each line on stdin", axon::app::kg_link},
  command{"kg docs", "print the `axon kg train` config reference (docs/kg-config.md)",
          axon::app::kg_docs},
};

// The commands whose name starts with `prefix` ("" for all, "bench " for a group).
void print_commands(std::ostream& out, std::string_view prefix) {
  for (const auto& c : commands)
    if (c.name.starts_with(prefix))
      out << "  " << c.name << std::string(24 - std::min<std::size_t>(c.name.size(), 22), ' ')
          << c.summary << '\n';
}

void print_help(std::ostream& out) {
  out << "usage: axon COMMAND [ARGS...]\n\ncommands:\n";
  print_commands(out, "");
  out << "\n`axon COMMAND --help` describes a command's flags; `axon --version` prints the "
         "version.\n";
}

// `axon GROUP` alone, `axon GROUP --help` and `axon GROUP WRONG` for a group of two-word
// commands (bench, data, config, kg): the group's commands. Nothing when `group` names none.
std::optional<int> group_help(std::span<const std::string> words) {
  const auto prefix = words[0] + " ";
  if (std::none_of(commands.begin(), commands.end(),
                   [&](const command& c) { return c.name.starts_with(prefix); }))
    return std::nullopt;
  const bool asked = words.size() == 2 && (words[1] == "--help" || words[1] == "-h");
  auto& out = asked ? std::cout : std::cerr;
  if (words.size() > 1 && !asked)
    out << "axon: unknown command '" << words[0] << ' ' << words[1] << "'\n\n";
  out << "usage: axon " << words[0] << " COMMAND [ARGS...]\n\ncommands:\n";
  print_commands(out, prefix);
  out << "\n`axon " << words[0] << " COMMAND --help` describes a command's flags.\n";
  return asked ? 0 : 2;
}

} // namespace

int main(int argc, char** argv) {
  axon::app::install_terminate_handler();
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
    print_help(words.empty() ? std::cerr : std::cout);
    return words.empty() ? 2 : 0;
  }
  if (words[0] == "--version") {
    std::cout << "axon " << AXON_VERSION << '\n';
    return 0;
  }
  for (const auto& c : commands) {
    // A command name is one or two words; match them against the first words given.
    std::size_t used = 0, pos = 0;
    bool match = true;
    while (pos < c.name.size()) {
      auto space = c.name.find(' ', pos);
      auto word = c.name.substr(pos, space == std::string_view::npos ? c.name.size() - pos
                                                                     : space - pos);
      if (used >= words.size() || words[used] != word) {
        match = false;
        break;
      }
      ++used;
      pos = space == std::string_view::npos ? c.name.size() : space + 1;
    }
    if (match)
      return axon::app::run_guarded(c.name, [&] { return c.run(axon::app::args{words}.subspan(used)); });
  }
  if (auto status = group_help(words))
    return *status;
  std::cerr << "axon: unknown command '" << words[0] << "'\n\n";
  print_help(std::cerr);
  return 2;
}
