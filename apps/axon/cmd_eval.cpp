// `axon eval --run RUN_DIR --data FILE`: the classification report (scikit-learn layout,
// confusion matrix) of the run's best checkpoint on a labelled file read with the run's
// data settings (format, columns, encoding) and label set; the last line is
// `accuracy=A macro_f1=F`. A label the run never saw is a bad line (exit 2, file:line).
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/job_config.hpp"
#include "apps/axon/trained_run.hpp"
#include "runtime/data/prepare.hpp"
#include "runtime/train/classification_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace axon::app {

int eval(args words) {
  std::string run_dir, data_file;
  int batch = 64;
  flag_parser flags{"axon eval --run RUN_DIR --data FILE [FLAGS]"};
  flags.add("run", &run_dir, "run directory written by `axon train`");
  flags.add("data", &data_file, "labelled file (the run's data.format, or from its extension)");
  flags.add("batch", &batch, "sentences per forward pass");
  if (auto status = flags.parse(words))
    return *status;
  if (run_dir.empty() || data_file.empty() || batch < 1) {
    std::cerr << "axon eval: --run and --data are required and --batch must be >= 1\n";
    return 2;
  }
  try {
    auto run = trained_run::load(run_dir);
    auto settings = data_settings_of(*run.config, run_dir);
    settings.label_names = run.labels;
    auto labelled = data::read_labelled(data_file, settings);
    std::vector<data::tokenized_example> examples;
    for (std::size_t row = 0; row < labelled.texts.size(); ++row) {
      examples.push_back(run.encode(labelled.texts[row]));
      examples.back().label = labelled.labels[row];
    }
    auto probs = run.probabilities(examples, static_cast<std::size_t>(batch));
    train::classification_report report{run.labels};
    const auto k = static_cast<std::int64_t>(run.labels.size());
    double loss = 0;
    for (std::size_t r = 0; r < examples.size(); ++r) {
      const float* p = probs.data<float>() + r * k;
      auto predicted = static_cast<std::int32_t>(std::max_element(p, p + k) - p);
      report.add(examples[r].label, predicted);
      loss -= std::log(std::max(p[examples[r].label], 1e-30f));
    }
    report.add_loss(loss / double(std::max<std::size_t>(examples.size(), 1)),
                    static_cast<std::int64_t>(examples.size()));
    std::cerr << data_file << ": " << examples.size() << " rows; weights from " << run.checkpoint
              << '\n';
    std::cout << report.to_text() << '\n';
    std::printf("accuracy=%.4f macro_f1=%.4f\n", report.accuracy(), report.macro_average().f1);
  } catch (const std::exception& e) {
    std::cerr << "axon eval: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

} // namespace axon::app
