// WordPiece vocabulary builder: special tokens first, every character kept, frequent
// words become single pieces, deterministic output, usable by the tokenizer.
#include "runtime/data/vocab_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

using namespace axon::data;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> texts;
  for (int i = 0; i < 50; ++i) {
    texts.push_back("Profit rose sharply, profits rising.");
    texts.push_back("The loss widened; losses widening again.");
  }
  texts.push_back("Café Zürich");
  return texts;
}

bool has(const vocabulary& vocab, const std::string& token) {
  return vocab.find(token) >= 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vocab_builder)

BOOST_AUTO_TEST_CASE(specials_characters_and_frequent_words) {
  vocab_builder_options options;
  options.vocab_size = 200;
  auto vocab = build_wordpiece_vocab(corpus(), options);
  BOOST_TEST(vocab.token(0) == "[PAD]");
  BOOST_TEST(vocab.token(1) == "[UNK]");
  BOOST_TEST(vocab.token(2) == "[CLS]");
  BOOST_TEST(vocab.token(3) == "[SEP]");
  BOOST_TEST(vocab.token(4) == "[MASK]");
  BOOST_TEST(vocab.size() <= 200u);
  // Characters, in both word-initial and continuation form; accents stripped (uncased).
  BOOST_TEST(has(vocab, "c"));
  BOOST_TEST(has(vocab, "##e"));
  BOOST_TEST(!has(vocab, "##é"));
  BOOST_TEST(has(vocab, ","));
  // Frequent words end up whole, so they tokenize to one piece.
  wordpiece_tokenizer tokenizer(vocab, true);
  BOOST_TEST(tokenizer.pieces("profit") == (std::vector<std::string>{"profit"}));
  BOOST_TEST(tokenizer.pieces("widened") == (std::vector<std::string>{"widened"}));
  // Unseen words still tokenize (into pieces), never [UNK] when their characters were seen.
  auto pieces = tokenizer.pieces("profitless");
  BOOST_TEST(pieces.size() > 1u);
  BOOST_TEST(std::count(pieces.begin(), pieces.end(), "[UNK]") == 0);
}

BOOST_AUTO_TEST_CASE(size_limits_and_determinism) {
  vocab_builder_options small;
  small.vocab_size = 40;
  auto a = build_wordpiece_vocab(corpus(), small);
  auto b = build_wordpiece_vocab(corpus(), small);
  BOOST_TEST(a.tokens() == b.tokens());
  // Never below specials + characters: 5 + the characters seen.
  BOOST_TEST(a.size() >= 5u + 20u);
  vocab_builder_options large;
  large.vocab_size = 100000;
  auto all = build_wordpiece_vocab(corpus(), large); // stops when no pair repeats
  BOOST_TEST(all.size() < 100000u);
  BOOST_TEST(all.size() > a.size());
}

BOOST_AUTO_TEST_CASE(save_and_load_round_trip) {
  auto built = build_wordpiece_vocab(corpus(), {});
  const auto file = std::filesystem::temp_directory_path() / "axon_vocab_builder_test.txt";
  built.save(file.string());
  auto loaded = vocabulary::load(file.string());
  BOOST_TEST(loaded.tokens() == built.tokens());
  BOOST_TEST(loaded.pad_id() == 0);
  BOOST_TEST(loaded.unk_id() == 1);
  std::filesystem::remove(file);
}

BOOST_AUTO_TEST_SUITE_END()
