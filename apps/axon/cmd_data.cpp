// `axon data ...`: dataset tools. `axon data synth-finsent DIR` writes the generated
// financial-news dataset with its knowledge graph (docs/synth-finsent.md).
#include "apps/axon/commands.hpp"
#include "apps/axon/flags.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/synth_finsent.hpp"

#include <iostream>

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
  if (size < 0 || companies < 0)
    return usage_error("--size and --companies must not be negative");
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

} // namespace axon::app
