// Knowledge-graph input and entity linking: triples/aliases/benchmark loading and their
// errors (file:line), longest-match linking on tricky strings (overlaps, case,
// punctuation, accents, multi-word aliases), and entity ids aligned to WordPiece tokens.
#include "runtime/data/tokenized_examples.hpp"
#include "runtime/kg/entity_linker.hpp"
#include "runtime/kg/fusion_kg.hpp"
#include "runtime/kg/knowledge_graph.hpp"
#include "test/data/error_of.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

using namespace axon;
using namespace axon::kg;
using axon::test::error_of;

namespace {

const std::string fixtures = std::string{AXON_TEST_DIR} + "/kg/fixtures/";

std::string temp_file(const std::string& name, const std::string& text) {
  auto path = (std::filesystem::temp_directory_path() / ("axon_kg_test_" + name)).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

entity_linker linker_of(const std::vector<std::pair<std::string, std::int32_t>>& aliases) {
  entity_linker linker;
  for (const auto& [surface, entity] : aliases)
    linker.add_alias(surface, entity);
  return linker;
}

} // namespace

BOOST_AUTO_TEST_CASE(triples_and_aliases_load_with_dense_ids) {
  knowledge_graph kg;
  auto file = temp_file("good.tsv", "a\tr1\tb\r\nb\tr2\tc\n\nc\tr1\ta\n");
  read_triples(file, kg, kg.triples);
  BOOST_TEST(kg.triples.size() == 3u);
  BOOST_TEST(kg.entities.size() == 3);
  BOOST_TEST(kg.relations.size() == 2);
  BOOST_TEST((kg.triples[1] == triple{1, 1, 2}));
  BOOST_TEST(kg.entities.find("c") == 2);
  BOOST_TEST(kg.entities.find("zzz") == -1);
  auto aliases = read_aliases(temp_file("aliases.tsv", "b\tBee Corp\nd\tDee\n"), kg);
  BOOST_TEST(aliases.size() == 2u);
  BOOST_TEST(aliases[1].entity == 3); // an alias may name a new entity
  BOOST_TEST(aliases[0].surface == "Bee Corp");
}

BOOST_AUTO_TEST_CASE(bad_lines_name_file_and_line) {
  knowledge_graph kg;
  BOOST_TEST(error_of([&] { read_triples(fixtures + "short_line.tsv", kg, kg.triples); })
             == fixtures + "short_line.tsv:2: 2 tab-separated fields, expected 3 "
                           "(head<TAB>relation<TAB>tail)");
  BOOST_TEST(error_of([&] { read_triples(fixtures + "empty_field.tsv", kg, kg.triples); })
             == fixtures + "empty_field.tsv:3: field 1 is empty (head<TAB>relation<TAB>tail)");
  BOOST_TEST(error_of([&] { read_aliases(fixtures + "bad_alias.tsv", kg); })
             == fixtures + "bad_alias.tsv:2: 1 tab-separated fields, expected 2 "
                           "(entity<TAB>surface form)");
  BOOST_TEST(error_of([&] { read_triples(fixtures + "missing.tsv", kg, kg.triples); })
             == fixtures + "missing.tsv: cannot open (missing or unreadable)");
  auto message = error_of([&] { read_benchmark(fixtures); });
  BOOST_TEST(message.find("no train.txt or train.tsv") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(empty_files_directories_and_invalid_utf8_are_refused) {
  knowledge_graph kg;
  BOOST_TEST(error_of([&] { read_triples(temp_file("empty.tsv", "\n\n"), kg, kg.triples); })
               .find("no triples") != std::string::npos);
  const auto folder = std::filesystem::temp_directory_path().string();
  BOOST_TEST(error_of([&] { read_triples(folder, kg, kg.triples); }).find("is a directory")
             != std::string::npos);
  auto bad = error_of([&] { read_triples(temp_file("latin1.tsv", "a\tr\tb\nCaf\xe9\tr\tb\n"),
                                         kg, kg.triples); });
  BOOST_TEST(bad.find("latin1.tsv:2: invalid UTF-8 at byte 4") != std::string::npos, bad);
}

BOOST_AUTO_TEST_CASE(longest_match_wins_over_overlapping_aliases) {
  auto linker = linker_of({{"New York", 0}, {"New York Times", 1}, {"York Times Square", 2},
                           {"Times", 3}});
  BOOST_TEST((linker.link_text("the new york times said") == std::vector<mention>{{1, 4, 1}}));
  // "new york" then "times" (the longer "york times square" starts inside a mention).
  BOOST_TEST((linker.link_text("New York times square") ==
              std::vector<mention>{{0, 3, 1}}));
  BOOST_TEST((linker.link_text("New York stock") == std::vector<mention>{{0, 2, 0}}));
  // A prefix of an alias that is not itself an alias links nothing, and the scan
  // restarts at the next word.
  BOOST_TEST((linker.link_text("york times") == std::vector<mention>{{1, 2, 3}}));
  BOOST_TEST(linker.link_text("new").empty());
}

BOOST_AUTO_TEST_CASE(case_punctuation_and_accents_are_normalised) {
  auto linker = linker_of({{"Jordal Corp", 0}, {"JRDL", 0}, {"AT&T", 1}, {"Société Générale", 2},
                           {"Brent crude", 3}});
  BOOST_TEST(linker.alias_count() == 5u);
  // "Jordal Corp." -> words jordal corp . ; the full stop is no part of the mention.
  BOOST_TEST((linker.link_text("Jordal Corp. rose") == std::vector<mention>{{0, 2, 0}}));
  BOOST_TEST((linker.link_text("jrdl and JRDL") ==
              std::vector<mention>{{0, 1, 0}, {2, 3, 0}}));
  // at & t ' s
  BOOST_TEST((linker.link_text("AT&T's network") == std::vector<mention>{{0, 3, 1}}));
  BOOST_TEST((linker.link_text("SOCIETE GENERALE") == std::vector<mention>{{0, 2, 2}}));
  BOOST_TEST((linker.link_text("(Brent crude)") == std::vector<mention>{{1, 3, 3}}));
  BOOST_TEST(linker.link_text("Brentcrude Jordalcorp").empty());
}

BOOST_AUTO_TEST_CASE(first_entity_keeps_a_shared_alias) {
  entity_linker linker;
  BOOST_TEST(linker.add_alias("Apex", 4));
  BOOST_TEST(!linker.add_alias("apex", 9));
  BOOST_TEST(!linker.add_alias("   ", 9));            // no word at all
  BOOST_TEST((linker.link_text("Apex") == std::vector<mention>{{0, 1, 4}}));
  BOOST_TEST((linker.entity_per_word({"x", "apex", "y"}) == std::vector<std::int32_t>{-1, 4, -1}));
}

BOOST_AUTO_TEST_CASE(every_piece_of_a_linked_word_carries_its_entity) {
  auto vocab = data::vocabulary::from_tokens(
    {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "jor", "##dal", "corp", "rises", "."}, "test");
  data::wordpiece_tokenizer tokenizer{vocab, true};
  auto kg = load_fusion_kg(temp_file("t.tsv", "company:jordal\tin_sector\tsector:steel\n"),
                           temp_file("a.tsv", "company:jordal\tJordal Corp\n"));
  BOOST_TEST(kg.entities.size() == 2);
  auto linked = [&](const data::wordpiece_tokenizer& t, const char* text, std::size_t max_len,
                    bool normalised) {
    auto example = data::encode_example(t, text, max_len, true);
    example.entities = data::entities_of_tokens(example, kg.entity_per_word(example.words, normalised));
    return example;
  };
  auto example = linked(tokenizer, "Jordal Corp rises.", 16, true);
  BOOST_TEST((example.ids == std::vector<std::int32_t>{2, 4, 5, 6, 7, 8, 3}));
  BOOST_TEST((example.words == std::vector<std::string>{"jordal", "corp", "rises", "."}));
  BOOST_TEST((example.token_words == std::vector<std::int32_t>{-1, 0, 0, 1, 2, 3, -1}));
  BOOST_TEST((example.entities == std::vector<std::int32_t>{-1, 0, 0, 0, -1, -1, -1}));
  // Truncation keeps ids and entities aligned; the whole text is linked, so a mention cut
  // by max_len still marks the pieces that are left of it.
  auto short_example = linked(tokenizer, "Jordal Corp rises.", 4, true);
  BOOST_TEST((short_example.ids == std::vector<std::int32_t>{2, 4, 5, 3}));
  BOOST_TEST((short_example.entities == std::vector<std::int32_t>{-1, 0, 0, -1}));
  // A cased tokenizer's words are normalised before linking.
  data::wordpiece_tokenizer cased{vocab, false};
  auto cased_example = linked(cased, "JORDAL CORP", 16, false);
  BOOST_TEST((cased_example.entities == std::vector<std::int32_t>{-1, 0, 0, -1}));
  // One entity id per word, or the text is refused.
  BOOST_CHECK_THROW(data::entities_of_tokens(example, {0, 0}), data::data_error);
}

BOOST_AUTO_TEST_CASE(a_saved_fusion_kg_links_identically) {
  auto kg = load_fusion_kg(temp_file("t2.tsv", "a\tr\tb\n"),
                           temp_file("a2.tsv", "b\tBee\nc\tSea Corp\n"));
  auto folder = (std::filesystem::temp_directory_path() / "axon_kg_test_saved").string();
  kg.save(folder);
  auto back = load_saved_fusion_kg(folder);
  BOOST_TEST(back.entities.names() == kg.entities.names());
  BOOST_TEST(back.fingerprint == kg.fingerprint);
  BOOST_TEST((back.linker.link_text("sea corp bee") == kg.linker.link_text("sea corp bee")));
  std::filesystem::remove_all(folder);
}
