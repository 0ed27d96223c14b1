// synth-finsent generator: deterministic, sizes and shares as documented, every company
// of a KG-dependent sentence has its sector in the KG, train's KG-dependent sentences and
// dev/test's name disjoint companies, files readable by read_csv.
#include "runtime/data/readers.hpp"
#include "runtime/data/synth_finsent.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <set>

using namespace axon::data;

BOOST_AUTO_TEST_SUITE(synth_finsent)

BOOST_AUTO_TEST_CASE(deterministic_sizes_and_shares) {
  synth_finsent_options options;
  auto a = generate_synth_finsent(options);
  auto b = generate_synth_finsent(options);
  BOOST_TEST(a.train.size() == 4000u);
  BOOST_TEST(a.dev.size() == 500u);
  BOOST_TEST(a.test.size() == 500u);
  for (std::size_t i = 0; i < a.train.size(); ++i)
    BOOST_TEST_REQUIRE(a.train[i].text == b.train[i].text);
  BOOST_TEST(a.triples == b.triples);
  options.seed = 43;
  BOOST_TEST(generate_synth_finsent(options).train[0].text != a.train[0].text);

  std::map<std::string, std::size_t> labels;
  std::map<sentence_kind, std::size_t> kinds;
  for (const auto& s : a.train) {
    ++labels[s.label];
    ++kinds[s.kind];
  }
  BOOST_TEST(labels.size() == 3u);
  BOOST_TEST(labels["neutral"] > 600u); // every class well represented
  const double share = double(a.train.size() - kinds[sentence_kind::text]) / a.train.size();
  BOOST_TEST(share > 0.26); // default 0.3
  BOOST_TEST(share < 0.34);
  const double move = double(kinds[sentence_kind::move]) / (a.train.size() * share);
  BOOST_TEST(move > 0.28); // default 1/3
  BOOST_TEST(move < 0.38);
}

// A company named by a KG-dependent sentence of train is never named by one of dev or
// test, so its label cannot be learned from its name.
BOOST_AUTO_TEST_CASE(train_and_evaluation_name_disjoint_companies) {
  auto data = generate_synth_finsent({});
  std::map<std::string, std::string> entity_of_alias;
  for (const auto& [entity, surface] : data.aliases)
    if (entity.starts_with("company:"))
      entity_of_alias[surface] = entity;
  // Whole words: a ticker (VLMN) may end with another (LMN).
  auto companies_named = [&](const std::vector<synth_sentence>& rows) {
    std::set<std::string> named;
    for (const auto& s : rows)
      if (s.kg_dependent())
        for (const auto& [surface, entity] : entity_of_alias)
          if ((" " + s.text + " ").find(" " + surface + " ") != std::string::npos)
            named.insert(entity);
    return named;
  };
  auto train = companies_named(data.train), test = companies_named(data.test);
  BOOST_TEST(train.size() > 40u);
  BOOST_TEST(test.size() > 10u);
  for (const auto& entity : test)
    BOOST_TEST(!train.count(entity), entity);
}

BOOST_AUTO_TEST_CASE(kg_knows_every_company) {
  auto data = generate_synth_finsent({});
  std::set<std::string> with_sector;
  for (const auto& [head, relation, tail] : data.triples)
    if (relation == "in_sector")
      with_sector.insert(head);
  BOOST_TEST(with_sector.size() == 120u);
  std::map<std::string, std::string> entity_of_alias;
  for (const auto& [entity, surface] : data.aliases)
    entity_of_alias[surface] = entity;
  // Every KG-dependent sentence names a company that the aliases link to a known entity.
  for (const auto& s : data.test) {
    if (!s.kg_dependent())
      continue;
    bool linked = false;
    for (const auto& [surface, entity] : entity_of_alias)
      if (entity.starts_with("company:") && s.text.find(surface) != std::string::npos &&
          with_sector.count(entity))
        linked = true;
    BOOST_TEST(linked, s.text);
  }
}

BOOST_AUTO_TEST_CASE(files_round_trip_through_the_csv_reader) {
  synth_finsent_options options;
  options.size = 200;
  auto data = generate_synth_finsent(options);
  const auto dir = std::filesystem::temp_directory_path() / "axon_synth_finsent_test";
  std::filesystem::remove_all(dir);
  write_synth_finsent(data, dir.string());
  auto train = read_csv((dir / "train.csv").string());
  BOOST_TEST(train.texts.size() == 160u);
  BOOST_TEST(train.texts[0] == data.train[0].text);
  BOOST_TEST(train.label_names == (std::vector<std::string>{"negative", "neutral", "positive"}));
  BOOST_TEST(std::filesystem::exists(dir / "kg" / "triples.tsv"));
  BOOST_TEST(std::filesystem::exists(dir / "kg" / "aliases.tsv"));
  BOOST_TEST(!std::filesystem::exists(dir / "train.csv.tmp"));
  std::filesystem::remove_all(dir);
  options.size = 5;
  BOOST_CHECK_THROW(generate_synth_finsent(options), data_error);
}

BOOST_AUTO_TEST_SUITE_END()
