// synth-longdocs generator: deterministic for a seed; lengths within the bounds; exactly
// one deciding sentence per document, at the recorded word and at depths spread over the
// whole document; filler without polar words; distractors independent of the label; files
// readable by read_csv with the depth columns beside.
#include "runtime/data/readers.hpp"
#include "runtime/data/synth_longdocs.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace axon::data;

namespace {

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in{text};
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

std::string sentence_text(const synth_document& doc, const doc_sentence& s) {
  auto words = words_of(doc.text);
  std::string out;
  for (std::size_t i = s.first_word; i < s.first_word + s.words; ++i)
    out += (out.empty() ? "" : " ") + words[i];
  return out;
}

std::vector<const synth_document*> all_docs(const synth_longdocs_data& data) {
  std::vector<const synth_document*> docs;
  for (const auto* part : {&data.train, &data.dev, &data.test})
    for (const auto& doc : *part)
      docs.push_back(&doc);
  return docs;
}

synth_longdocs_options small_options() {
  synth_longdocs_options options;
  options.docs = 300;
  return options;
}

} // namespace

BOOST_AUTO_TEST_SUITE(synth_longdocs)

BOOST_AUTO_TEST_CASE(deterministic_for_a_seed_with_80_10_10_splits) {
  auto options = small_options();
  auto a = generate_synth_longdocs(options);
  auto b = generate_synth_longdocs(options);
  BOOST_TEST(a.train.size() == 240u);
  BOOST_TEST(a.dev.size() == 30u);
  BOOST_TEST(a.test.size() == 30u);
  for (std::size_t i = 0; i < a.train.size(); ++i) {
    BOOST_TEST_REQUIRE(a.train[i].text == b.train[i].text);
    BOOST_TEST_REQUIRE(a.train[i].deciding_word == b.train[i].deciding_word);
  }
  BOOST_TEST(a.test.back().text == b.test.back().text);
  options.seed = 43;
  BOOST_TEST(generate_synth_longdocs(options).train[0].text != a.train[0].text);
}

// Words counted as the text's whitespace-separated words, within [min, max]; lengths cover
// the range (log-uniform: short documents are common, long ones occur).
BOOST_AUTO_TEST_CASE(lengths_lie_within_the_bounds) {
  auto data = generate_synth_longdocs(small_options());
  std::size_t shortest = 1u << 30, longest = 0, under_400 = 0, over_1500 = 0;
  for (const auto* doc : all_docs(data)) {
    BOOST_TEST_REQUIRE(words_of(doc->text).size() == doc->words);
    BOOST_TEST(doc->words >= 200u);
    BOOST_TEST(doc->words <= 3000u);
    shortest = std::min(shortest, doc->words);
    longest = std::max(longest, doc->words);
    under_400 += doc->words < 400;
    over_1500 += doc->words > 1500;
  }
  BOOST_TEST(shortest < 260u);
  BOOST_TEST(longest > 2600u);
  BOOST_TEST(under_400 > 40u);  // log-uniform: ~26% below 400 words
  BOOST_TEST(over_1500 > 40u);  // and ~26% above 1500
  synth_longdocs_options narrow = small_options();
  narrow.min_words = 100;
  narrow.max_words = 160;
  const auto narrow_data = generate_synth_longdocs(narrow);
  for (const auto* doc : all_docs(narrow_data)) {
    BOOST_TEST(doc->words >= 100u);
    BOOST_TEST(doc->words <= 160u);
  }
}

// One title first, exactly one deciding sentence, found at deciding_word; its depth is
// spread over the document (each fifth holds a fair share of the documents).
BOOST_AUTO_TEST_CASE(one_deciding_sentence_at_the_recorded_depth) {
  auto data = generate_synth_longdocs(small_options());
  std::map<int, std::size_t> fifths;
  std::map<std::string, std::size_t> labels;
  for (const auto* doc : all_docs(data)) {
    BOOST_TEST_REQUIRE(!doc->sentences.empty());
    BOOST_TEST((doc->sentences[0].kind == doc_sentence_kind::title));
    std::size_t deciding = 0, next_word = 0;
    for (const auto& s : doc->sentences) {
      BOOST_TEST_REQUIRE(s.first_word == next_word); // the sentences tile the text
      next_word += s.words;
      if (s.kind == doc_sentence_kind::deciding) {
        ++deciding;
        BOOST_TEST(s.first_word == doc->deciding_word);
        BOOST_TEST(sentence_text(*doc, s).ends_with(" ."));
      }
    }
    BOOST_TEST(next_word == doc->words);
    BOOST_TEST(deciding == 1u);
    BOOST_TEST(doc->depth() > 0.0);
    BOOST_TEST(doc->depth() < 1.0);
    ++fifths[static_cast<int>(doc->depth() * 5)];
    ++labels[doc->label];
  }
  BOOST_TEST(fifths.size() == 5u);
  for (const auto& [fifth, count] : fifths)
    BOOST_TEST(count > 35u, "fifth " << fifth << ": " << count << " of 300"); // ~60 each
  BOOST_TEST(labels.size() == 2u);
  BOOST_TEST(labels["positive"] > 120u);
  BOOST_TEST(labels["negative"] > 120u);
}

// The label is in the deciding sentence only: filler has no polar word, distractors are
// polar but as often against the label as with it.
BOOST_AUTO_TEST_CASE(filler_is_neutral_and_distractors_are_independent_of_the_label) {
  const std::vector<std::string> polar{
    "record", "profit", "loss", "losses", "outlook", "guidance", "dividend", "expectations",
    "strong", "weak", "growth", "rose", "fell", "surged", "collapsed", "rallied", "slumped",
    "contracted", "expanded", "cuts", "cutting", "raises", "lifts", "jump", "fall"};
  auto data = generate_synth_longdocs(small_options());
  std::size_t distractors = 0, agreeing = 0, sentences = 0;
  for (const auto* doc : all_docs(data)) {
    for (const auto& s : doc->sentences) {
      ++sentences;
      const auto text = sentence_text(*doc, s);
      if (s.kind == doc_sentence_kind::filler || s.kind == doc_sentence_kind::title) {
        for (const auto& word : words_of(text))
          for (const auto& p : polar)
            BOOST_TEST_REQUIRE(word != p, "polar word '" << p << "' in filler: " << text);
      }
      if (s.kind == doc_sentence_kind::distractor) {
        ++distractors;
        bool up = false;
        for (const auto& word : {"higher", "won", "upgraded", "raised", "climb", "rose",
                                 "expanded", "rallied", "surged"})
          up = up || (" " + text + " ").find(std::string{" "} + word + " ") != std::string::npos;
        agreeing += up == (doc->label == "positive");
      }
    }
  }
  const double share = double(distractors) / double(sentences);
  BOOST_TEST(share > 0.10); // 15% of the non-title, non-deciding sentences
  BOOST_TEST(share < 0.20);
  const double agree = double(agreeing) / double(distractors);
  BOOST_TEST(agree > 0.45); // as often with the label as against it
  BOOST_TEST(agree < 0.55);
}

BOOST_AUTO_TEST_CASE(files_round_trip_through_the_csv_reader) {
  synth_longdocs_options options;
  options.docs = 40;
  auto data = generate_synth_longdocs(options);
  const auto dir = std::filesystem::temp_directory_path() / "axon_synth_longdocs_test";
  std::filesystem::remove_all(dir);
  write_synth_longdocs(data, dir.string());
  auto train = read_csv((dir / "train.csv").string());
  BOOST_TEST(train.texts.size() == 32u);
  BOOST_TEST(train.texts[0] == data.train[0].text);
  BOOST_TEST(train.label_names == (std::vector<std::string>{"negative", "positive"}));
  read_options depth_column;
  depth_column.text_column = "words";
  depth_column.label_column = "depth";
  auto depths = read_csv((dir / "test.csv").string(), depth_column);
  BOOST_TEST_REQUIRE(depths.texts.size() == 4u);
  BOOST_TEST(depths.texts[1] == std::to_string(data.test[1].words));
  char depth[16];
  std::snprintf(depth, sizeof depth, "%.4f", data.test[1].depth());
  BOOST_TEST(depths.label_names[static_cast<std::size_t>(depths.labels[1])] == depth);
  std::ifstream in{dir / "dev.csv"};
  std::string header;
  std::getline(in, header);
  BOOST_TEST(header == "text,label,depth,words,deciding_word");
  BOOST_TEST(!std::filesystem::exists(dir / "train.csv.tmp"));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused) {
  auto refused = [](auto change) {
    synth_longdocs_options options;
    change(options);
    BOOST_CHECK_THROW(generate_synth_longdocs(options), data_error);
  };
  refused([](auto& o) { o.docs = 5; });
  refused([](auto& o) { o.min_words = 20; });
  refused([](auto& o) { o.max_words = o.min_words + 10; });
  refused([](auto& o) { o.companies = 1; });
  refused([](auto& o) { o.distractor_share = 1.5; });
  refused([](auto& o) { o.label_noise = -0.1; });
}

BOOST_AUTO_TEST_SUITE_END()
