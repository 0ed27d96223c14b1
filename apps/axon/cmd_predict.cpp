// `axon predict --run RUN_DIR [--json] [--batch N]`: reads sentences on stdin, one per
// line, and writes `label<TAB>probability` per line (--json: one JSON object per line with
// every class's probability), using the run's best checkpoint. Output comes after all
// input is read, so invalid input (a line that is not UTF-8) exits 2 with nothing written.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/trained_run.hpp"
#include "runtime/data/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace axon::app {

int predict(args words) {
  std::string run_dir;
  bool json = false;
  int batch = 64;
  flag_parser flags{"axon predict --run RUN_DIR [FLAGS] < sentences.txt"};
  flags.add("run", &run_dir, "run directory written by `axon train`");
  flags.add("json", &json, "one JSON object per line, with every class's probability");
  flags.add("batch", &batch, "sentences per forward pass");
  if (auto status = flags.parse(words))
    return *status;
  if (run_dir.empty() || batch < 1) {
    std::cerr << "axon predict: --run RUN_DIR is required and --batch must be >= 1\n";
    return 2;
  }
  std::vector<std::string> lines;
  std::vector<data::tokenized_example> examples;
  try {
    auto run = trained_run::load(run_dir);
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      if (auto bad = data::find_invalid_utf8(line); bad != std::string::npos) {
        std::cerr << "axon predict: stdin:" << lines.size() + 1 << ": invalid UTF-8 at byte "
                  << bad + 1 << '\n';
        return 2;
      }
      examples.push_back(run.encode(line));
      lines.push_back(std::move(line));
    }
    auto probs = run.probabilities(examples, static_cast<std::size_t>(batch));
    const auto k = static_cast<std::int64_t>(run.labels.size());
    for (std::size_t r = 0; r < lines.size(); ++r) {
      const float* p = probs.data<float>() + r * k;
      auto best = std::max_element(p, p + k) - p;
      if (json) {
        nlohmann::json out{{"text", lines[r]}, {"label", run.labels[best]}, {"probability", p[best]}};
        for (std::int64_t c = 0; c < k; ++c)
          out["probabilities"][run.labels[c]] = p[c];
        std::cout << out.dump() << '\n';
      } else {
        std::printf("%s\t%.4f\n", run.labels[best].c_str(), p[best]);
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "axon predict: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

} // namespace axon::app
