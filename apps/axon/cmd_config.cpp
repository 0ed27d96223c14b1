// `axon config docs` prints the config reference (docs/config.md) rendered from the schema;
// `axon config check FILE [--group.key=value ...]` checks a config and prints it resolved
// (every key, defaults included, and its hash), or prints every error and exits with 2.
#include "apps/axon/commands.hpp"
#include "apps/axon/run_invocation.hpp"
#include "runtime/config/docs.hpp"
#include "runtime/config/load.hpp"

#include <iostream>

namespace axon::app {

namespace {

bool asks_help(args words) {
  return !words.empty() && (words[0] == "--help" || words[0] == "-h");
}

} // namespace

int config_docs(args words) {
  if (!words.empty()) {
    (asks_help(words) ? std::cout : std::cerr)
      << "usage: axon config docs\n\nPrints the config reference (docs/config.md) in Markdown.\n";
    return asks_help(words) ? 0 : 2;
  }
  std::cout << config::render_docs(config::train_schema());
  return 0;
}

int config_check(args words) {
  if (words.empty() || asks_help(words)) {
    (words.empty() ? std::cerr : std::cout)
      << "usage: axon config check FILE [--group.key=value ...]\n\n"
         "Checks a training config with its overrides and prints it resolved: every key,\n"
         "defaults included, headed by its hash. `axon config docs` lists the keys.\n";
    return words.empty() ? 2 : 0;
  }
  config::load_result result;
  try {
    result = load_job_config(words[0], words.subspan(1));
  } catch (const std::exception& e) {
    std::cerr << "axon config check: " << e.what() << '\n';
    return 2;
  }
  if (!result.resolved) {
    std::cerr << result.error_text();
    return 2;
  }
  std::cout << result.resolved->to_ini();
  return 0;
}

} // namespace axon::app
