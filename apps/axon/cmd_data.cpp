// `axon data ...`: dataset tools. `axon data synth-finsent DIR` writes the generated
// financial-news dataset with its knowledge graph (docs/synth-finsent.md), `axon data
// synth-longdocs DIR` the generated long documents (docs/synth-longdocs.md); `axon data
// split FILE DIR` writes the seeded stratified split that `axon train` makes of FILE.
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "runtime/config/train_schema.hpp"
#include "runtime/config/values.hpp"
#include "runtime/data/csv_writer.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/prepare.hpp"
#include "runtime/data/split.hpp"
#include "runtime/data/synth_finsent.hpp"
#include "runtime/data/synth_longdocs.hpp"

#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

namespace axon::app {

int data_synth_finsent(args words) {
  data::synth_finsent_options options;
  std::int64_t seed = static_cast<std::int64_t>(options.seed);
  std::int64_t size = static_cast<std::int64_t>(options.size);
  std::int64_t companies = static_cast<std::int64_t>(options.companies);
  flag_parser flags("axon data synth-finsent DIR [FLAGS]");
  flags.add("seed", &seed, "random seed; the same seed gives the same files everywhere");
  flags.add("size", &size, "sentences in all (80% train, 10% dev, 10% test)");
  flags.add("kg-share", &options.kg_share, "share of sentences whose label needs the KG");
  flags.add("move-share", &options.move_share,
            "share of those whose label is the KG fact XOR the move's direction (the others: "
            "the fact, the factor rising)");
  flags.add("label-noise", &options.label_noise, "share of labels replaced by a wrong one");
  flags.add("companies", &companies, "fictional companies in the knowledge graph");
  std::vector<std::string> positional;
  if (auto status = flags.parse(words, &positional))
    return *status;
  auto usage_error = [](const std::string& message) {
    std::cerr << "axon data synth-finsent: " << message << " (see --help)\n";
    return 2;
  };
  if (positional.size() != 1)
    return usage_error("expected one output directory, got " + std::to_string(positional.size()));
  if (size < 0 || companies < 0 || seed < 0)
    return usage_error("--seed, --size and --companies must not be negative");
  for (double share : {options.kg_share, options.move_share, options.label_noise})
    if (share < 0 || share > 1)
      return usage_error("--kg-share, --move-share and --label-noise must lie in [0, 1]");
  options.seed = static_cast<std::uint64_t>(seed);
  options.size = static_cast<std::size_t>(size);
  options.companies = static_cast<std::size_t>(companies);
  try {
    auto generated = data::generate_synth_finsent(options);
    data::write_synth_finsent(generated, positional[0]);
    std::cout << "wrote " << positional[0] << ": " << generated.train.size() << " train, "
              << generated.dev.size() << " dev, " << generated.test.size() << " test sentences, "
              << generated.triples.size() << " triples, " << generated.aliases.size()
              << " aliases\n";
  } catch (const data::data_error& e) {
    std::cerr << "axon data synth-finsent: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

int data_synth_longdocs(args words) {
  data::synth_longdocs_options options;
  std::int64_t seed = static_cast<std::int64_t>(options.seed);
  std::int64_t docs = static_cast<std::int64_t>(options.docs);
  std::int64_t min_words = static_cast<std::int64_t>(options.min_words);
  std::int64_t max_words = static_cast<std::int64_t>(options.max_words);
  std::int64_t companies = static_cast<std::int64_t>(options.companies);
  flag_parser flags("axon data synth-longdocs DIR [FLAGS]\n"
                    "Long financial documents whose label one sentence at a random depth "
                    "decides\n(docs/synth-longdocs.md).");
  flags.add("seed", &seed, "random seed; the same seed gives the same files everywhere");
  flags.add("docs", &docs, "documents in all (80% train, 10% dev, 10% test)");
  flags.add("min-words", &min_words, "shortest document, in words");
  flags.add("max-words", &max_words, "longest document, in words (lengths log-uniform)");
  flags.add("distractor-share", &options.distractor_share,
            "share of the other sentences that are polar distractors (rivals, the market)");
  flags.add("label-noise", &options.label_noise, "share of labels flipped");
  flags.add("companies", &companies, "fictional companies documents are about");
  std::vector<std::string> positional;
  if (auto status = flags.parse(words, &positional))
    return *status;
  auto usage_error = [](const std::string& message) {
    std::cerr << "axon data synth-longdocs: " << message << " (see --help)\n";
    return 2;
  };
  if (positional.size() != 1)
    return usage_error("expected one output directory, got " + std::to_string(positional.size()));
  for (auto value : {seed, docs, min_words, max_words, companies})
    if (value < 0)
      return usage_error("--seed, --docs, --min-words, --max-words and --companies must not "
                         "be negative");
  options.seed = static_cast<std::uint64_t>(seed);
  options.docs = static_cast<std::size_t>(docs);
  options.min_words = static_cast<std::size_t>(min_words);
  options.max_words = static_cast<std::size_t>(max_words);
  options.companies = static_cast<std::size_t>(companies);
  try {
    auto generated = data::generate_synth_longdocs(options);
    data::write_synth_longdocs(generated, positional[0]);
    std::size_t total_words = 0;
    for (const auto* part : {&generated.train, &generated.dev, &generated.test})
      for (const auto& doc : *part)
        total_words += doc.words;
    std::cout << "wrote " << positional[0] << ": " << generated.train.size() << " train, "
              << generated.dev.size() << " dev, " << generated.test.size() << " test documents, "
              << total_words << " words\n";
  } catch (const data::data_error& e) {
    std::cerr << "axon data synth-longdocs: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

namespace {

/// "A,B,C" -> three ratios; nothing when the text is not three numbers.
std::optional<std::vector<double>> parse_ratios(const std::string& text) {
  std::istringstream in{text};
  std::vector<double> r(3);
  char comma1 = 0, comma2 = 0;
  if (!(in >> r[0] >> comma1 >> r[1] >> comma2 >> r[2]) || comma1 != ',' || comma2 != ',' ||
      !(in >> std::ws).eof())
    return std::nullopt;
  return r;
}

/// What data.split would say of these ratios, "" when it takes them: --split is that key's
/// value, so it is checked by the key's range (train_schema.cpp) and its rule.
std::string data_split_problem(const std::vector<double>& ratios) {
  const auto& schema = config::train_schema();
  const auto& key = schema.keys()[*schema.find("data.split")];
  if (!config::is_allowed(key, ratios))
    return "out of range; allowed: " + config::describe_allowed(key);
  return data::split_ratios_problem(ratios);
}

} // namespace

int data_split(args words) {
  data::data_settings settings;
  std::string ratios = "0.8,0.1,0.1";
  std::int64_t seed = static_cast<std::int64_t>(settings.split_seed);
  flag_parser flags("axon data split FILE DIR [FLAGS]\n"
                    "Writes DIR/train.csv, dev.csv and test.csv (text,label): the seeded "
                    "stratified split\nthat `axon train` makes of FILE with data.path = FILE, "
                    "data.split and data.split-seed.");
  flags.add("split", &ratios, "train,dev,test fractions, each in (0, 1), summing to 1 "
                             "(data.split)");
  flags.add("seed", &seed, "split seed (data.split-seed)");
  flags.add("format", &settings.format, "auto, csv, tsv, jsonl or fpb (data.format)");
  flags.add("encoding", &settings.encoding, "auto, utf-8 or latin-1 (data.encoding)");
  flags.add("text-column", &settings.text_column, "text column of csv/tsv/jsonl files");
  flags.add("label-column", &settings.label_column, "label column of csv/tsv/jsonl files");
  std::vector<std::string> positional;
  if (auto status = flags.parse(words, &positional))
    return *status;
  auto usage_error = [](const std::string& message) {
    std::cerr << "axon data split: " << message << " (see --help)\n";
    return 2;
  };
  if (positional.size() != 2)
    return usage_error("expected FILE and DIR, got " + std::to_string(positional.size()) +
                       " arguments");
  if (seed < 0)
    return usage_error("--seed must not be negative, got " + std::to_string(seed));
  auto parsed = parse_ratios(ratios);
  if (!parsed)
    return usage_error("--split " + ratios + ": expected three numbers A,B,C");
  if (auto problem = data_split_problem(*parsed); !problem.empty())
    return usage_error("--split " + ratios + ": " + problem);
  const data::split_ratios shares{(*parsed)[0], (*parsed)[1], (*parsed)[2]};
  try {
    const auto all = data::read_labelled(positional[0], settings);
    const auto rows = data::stratified_split(all.labels, shares, static_cast<std::uint64_t>(seed));
    data::require_rows_in_every_part(rows, shares, positional[0], all.texts.size(),
                                     all.label_names.size()); // as `axon train` would
    const std::filesystem::path dir{positional[1]};
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw data::data_error(dir.string() + ": cannot create the directory (" + ec.message() + ")");
    data::file_set files;
    for (const auto& [name, indices] : {std::pair{"train.csv", &rows.train},
                                        std::pair{"dev.csv", &rows.dev},
                                        std::pair{"test.csv", &rows.test}})
      files.write(dir / name, [&](std::ostream& out) {
        data::write_labelled_csv(out, data::select_rows(all, *indices));
      });
    files.commit();
    std::cout << "wrote " << dir.string() << ": " << rows.train.size() << " train, "
              << rows.dev.size() << " dev, " << rows.test.size() << " test rows (seed " << seed
              << ")\n";
  } catch (const data::data_error& e) {
    std::cerr << "axon data split: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

} // namespace axon::app
