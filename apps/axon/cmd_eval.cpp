// `axon eval --run RUN_DIR (--data FILE | --split dev|test)`: the classification report
// (scikit-learn layout, confusion matrix) of the run's best checkpoint on a labelled file
// with the run's label set; the last line is `accuracy=A macro_f1=F`. --split scores the
// rows the run itself evaluated on (RUN_DIR/splits/). A label the run never saw is a bad
// line (exit 2, file:line).
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "apps/axon/job_config.hpp"
#include "apps/axon/trained_run.hpp"
#include "runtime/data/prepare.hpp"
#include "runtime/data/readers.hpp"
#include "runtime/train/classification_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

namespace axon::app {

namespace {

/// `file`'s format under the name `format` ("auto": from the extension); nothing when
/// neither tells.
std::optional<data::data_format> format_of(const std::string& file, const std::string& format) {
  try {
    return format == "auto" ? data::format_from_path(file) : data::parse_data_format(format);
  } catch (const data::data_error&) {
    return std::nullopt;
  }
}

/// How eval reads FILE: with --format when given, else as its extension says, else as the
/// run's data.format. A file in the run's own format is read with the run's columns and
/// encoding; one in another format (the text,label CSV of `axon data split` beside an FPB
/// run, say) with that format's defaults. --encoding overrides either.
data::data_settings eval_file_settings(const data::data_settings& run, const std::string& file,
                                       const std::string& format, const std::string& encoding) {
  data::data_settings s;
  if (!format.empty())
    s.format = format;
  else if (!format_of(file, "auto"))
    s.format = run.format; // no extension that names a format: the run's
  if (format_of(file, s.format) == format_of(run.path.empty() ? run.train : run.path, run.format)) {
    s.text_column = run.text_column;
    s.label_column = run.label_column;
    s.encoding = run.encoding;
  }
  if (!encoding.empty())
    s.encoding = encoding;
  return s;
}

} // namespace

int eval(args words) {
  std::string run_dir, data_file, split, format, encoding, text_column, label_column;
  int batch = 64;
  flag_parser flags{"axon eval --run RUN_DIR (--data FILE | --split dev|test) [FLAGS]"};
  flags.add("run", &run_dir, "run directory written by `axon train`");
  flags.add("data", &data_file, "labelled file to score");
  flags.add("split", &split, "dev or test: the rows the run evaluated on (RUN_DIR/splits/)");
  flags.add("format", &format,
            "csv, tsv, jsonl or fpb [from FILE's extension, else the run's data.format]");
  flags.add("encoding", &encoding,
            "auto, utf-8 or latin-1 [the run's data.encoding for a file in its format]");
  flags.add("text-column", &text_column, "text column of a csv/tsv/jsonl file");
  flags.add("label-column", &label_column, "label column of a csv/tsv/jsonl file");
  flags.add("batch", &batch, "sentences per forward pass");
  if (auto status = flags.parse(words))
    return *status;
  auto usage_error = [](const std::string& message) {
    std::cerr << "axon eval: " << message << " (see --help)\n";
    return 2;
  };
  if (run_dir.empty() || data_file.empty() == split.empty())
    return usage_error("--run and one of --data or --split are required");
  if (!split.empty() && split != "dev" && split != "test")
    return usage_error("--split " + split + ": expected dev or test");
  if (!split.empty() && !(format.empty() && encoding.empty() && text_column.empty()
                          && label_column.empty()))
    return usage_error("--split reads the run's own CSV: --format, --encoding and the column "
                       "flags apply to --data only");
  if (batch < 1)
    return usage_error("--batch must be >= 1");
  try {
    auto run = trained_run::load(run_dir);
    data::data_settings settings;
    if (!split.empty()) {
      data_file = (std::filesystem::path{run_dir} / "splits" / (split + ".csv")).string();
      if (!std::filesystem::exists(data_file))
        throw std::runtime_error(data_file + " is missing: the run had no " + split
                                 + " split (or was trained before runs kept their splits; "
                                   "use --data)");
    } else {
      settings = eval_file_settings(data_settings_of(*run.config, run_dir), data_file, format,
                                    encoding);
      if (!text_column.empty())
        settings.text_column = text_column;
      if (!label_column.empty())
        settings.label_column = label_column;
    }
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
