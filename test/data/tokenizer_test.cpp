// WordPiece tokenizer: token ids for tricky sentences against the reference BERT
// tokenizer, special tokens, truncation, padding, sentence pairs, vocabulary errors.
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <optional>

using namespace axon::data;
using namespace std::string_view_literals;

namespace {

const std::string bert_vocab =
  std::string{AXON_SHARED_DATA} + "/bert_vocab/bert-base-uncased-vocab.txt";

/// The real bert-base-uncased vocabulary, or nothing (the test then skips).
std::optional<vocabulary> load_bert_vocab() {
  if (!std::filesystem::exists(bert_vocab))
    return std::nullopt;
  return vocabulary::load(bert_vocab);
}

const std::string long_word(101, 'a'); // over the 100-character limit: [UNK]

struct reference_case {
  std::string_view text;
  std::vector<std::int32_t> uncased_ids; // BertTokenizer(do_lower_case=True)
  std::vector<std::int32_t> cased_ids;   // BertTokenizer(do_lower_case=False), same vocab
};

// Produced with transformers 4.46.3 (Python 3.11.7), the slow reference implementation:
//   BertTokenizer(vocab_file="bert-base-uncased-vocab.txt", do_lower_case=True).encode(text)
// and with do_lower_case=False for cased_ids; BertTokenizerFast (tokenizers 0.20) gave the
// same uncased ids for every case.
const std::vector<reference_case> reference_cases{
  {"Hello, World!"sv,
   {101, 7592, 1010, 2088, 999, 102},
   {101, 100, 1010, 100, 999, 102}},
  {"Héllo Naïve café RÉSUMÉ Ångström"sv,
   {101, 7592, 15743, 7668, 13746, 17076, 15687, 102},
   {101, 100, 100, 100, 100, 100, 102}},
  {"Profit rose to EUR 10,000.50 (up 3.5%) in Q1/2024."sv,
   {101, 5618, 3123, 2000, 7327, 2099, 2184, 1010, 2199, 1012, 2753, 1006, 2039, 1017, 1012, 1019, 1003, 1007, 1999, 1053, 2487, 1013, 16798, 2549, 1012, 102},
   {101, 100, 3123, 2000, 100, 2184, 1010, 2199, 1012, 2753, 1006, 2039, 1017, 1012, 1019, 1003, 1007, 1999, 100, 1013, 16798, 2549, 1012, 102}},
  {"The company's shares - down $4.2bn - fell 12% on Monday..."sv,
   {101, 1996, 2194, 1005, 1055, 6661, 1011, 2091, 1002, 1018, 1012, 1016, 24700, 1011, 3062, 2260, 1003, 2006, 6928, 1012, 1012, 1012, 102},
   {101, 100, 2194, 1005, 1055, 6661, 1011, 2091, 1002, 1018, 1012, 1016, 24700, 1011, 3062, 2260, 1003, 2006, 100, 1012, 1012, 1012, 102}},
  {"我爱北京天安门 and 東京"sv,
   {101, 1855, 100, 1781, 1755, 1811, 1820, 100, 1998, 1879, 1755, 102},
   {101, 1855, 100, 1781, 1755, 1811, 1820, 100, 1998, 1879, 1755, 102}},
  {"supercalifragilisticexpialidocious antidisestablishmentarianism"sv,
   {101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 3424, 10521, 4355, 7875, 13602, 3672, 12199, 2964, 102},
   {101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 3424, 10521, 4355, 7875, 13602, 3672, 12199, 2964, 102}},
  {long_word,
   {101, 100, 102},
   {101, 100, 102}},
  {""sv,
   {101, 102},
   {101, 102}},
  {"   \t\n  "sv,
   {101, 102},
   {101, 102}},
  {"Great results 🚀🚀 today 😀!"sv,
   {101, 2307, 3463, 100, 2651, 100, 999, 102},
   {101, 100, 3463, 100, 2651, 100, 999, 102}},
  {"tab\there\x00" "nul\x07" "bell\u200bzero-width\ufeffbom"sv,
   {101, 21628, 2182, 11231, 20850, 5349, 6290, 2080, 1011, 9381, 5092, 2213, 102},
   {101, 21628, 2182, 11231, 20850, 5349, 6290, 2080, 1011, 9381, 5092, 2213, 102}},
  {"MiXeD CaSe WoRdS like iPhone and McDonald's"sv,
   {101, 3816, 2553, 2616, 2066, 18059, 1998, 9383, 1005, 1055, 102},
   {101, 100, 100, 100, 2066, 100, 1998, 100, 1005, 1055, 102}},
  {"don't won't can't \"quoted\" [brackets] {braces} <angle> a^b `tick` ~tilde | pipe"sv,
   {101, 2123, 1005, 1056, 2180, 1005, 1056, 2064, 1005, 1056, 1000, 9339, 1000, 1031, 19719, 1033, 1063, 17180, 2015, 1065, 1026, 6466, 1028, 1037, 1034, 1038, 1036, 16356, 1036, 1066, 18681, 3207, 1064, 8667, 102},
   {101, 2123, 1005, 1056, 2180, 1005, 1056, 2064, 1005, 1056, 1000, 9339, 1000, 1031, 19719, 1033, 1063, 17180, 2015, 1065, 1026, 6466, 1028, 1037, 1034, 1038, 1036, 16356, 1036, 1066, 18681, 3207, 1064, 8667, 102}},
  {"Ελληνικά Русский العربية हिन्दी 한국어"sv,
   {101, 1159, 29727, 29727, 24824, 16177, 18199, 29726, 14608, 1195, 29748, 29747, 29747, 23925, 15414, 1270, 23673, 29830, 17149, 29816, 14498, 19433, 1339, 29877, 29863, 29861, 29878, 1469, 30006, 30021, 29991, 30014, 30020, 29999, 30008, 102},
   {101, 100, 100, 1270, 23673, 29830, 17149, 29816, 14498, 19433, 100, 100, 102}},
  {"naïve – em—dash “smart quotes” ‘single’ … ellipsis"sv,
   {101, 15743, 1516, 7861, 1517, 11454, 1523, 6047, 16614, 1524, 1520, 2309, 1521, 1529, 3449, 15000, 6190, 102},
   {101, 100, 1516, 7861, 1517, 11454, 1523, 6047, 16614, 1524, 1520, 2309, 1521, 1529, 3449, 15000, 6190, 102}},
  {"x\u0301 decomposed e\u0301 and ﬁ ligature ½"sv,
   {101, 1060, 21933, 8737, 24768, 1041, 1998, 1984, 8018, 11244, 1092, 102},
   {101, 100, 21933, 8737, 24768, 100, 1998, 1984, 8018, 11244, 1092, 102}},
  {"Seppälä Oyj's net sales @ 5 EUR"sv,
   {101, 19802, 19636, 1051, 2100, 3501, 1005, 1055, 5658, 4341, 1030, 1019, 7327, 2099, 102},
   {101, 100, 100, 1005, 1055, 5658, 4341, 1030, 1019, 100, 102}},};

} // namespace

BOOST_AUTO_TEST_SUITE(tokenizer)

BOOST_AUTO_TEST_CASE(matches_reference_bert_tokenizer) {
  auto vocab = load_bert_vocab();
  if (!vocab) {
    BOOST_TEST_MESSAGE("skipped: " << bert_vocab << " not found");
    return;
  }
  wordpiece_tokenizer uncased(*vocab, true), cased(*vocab, false);
  for (const auto& c : reference_cases) {
    BOOST_TEST_CONTEXT("text: " << c.text) {
      BOOST_TEST(uncased.encode(c.text).ids == c.uncased_ids, boost::test_tools::per_element());
      BOOST_TEST(cased.encode(c.text).ids == c.cased_ids, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(pieces_and_special_tokens) {
  auto vocab = load_bert_vocab();
  if (!vocab) {
    BOOST_TEST_MESSAGE("skipped: " << bert_vocab << " not found");
    return;
  }
  wordpiece_tokenizer tokenizer(*vocab, true);
  BOOST_TEST(tokenizer.pieces("Ångström") == (std::vector<std::string>{"ang", "##strom"}));
  BOOST_TEST(vocab->pad_id() == 0);
  BOOST_TEST(vocab->unk_id() == 100);
  BOOST_TEST(vocab->cls_id() == 101);
  BOOST_TEST(vocab->sep_id() == 102);
  BOOST_CHECK_THROW(tokenizer.encode("bad \xff byte"), data_error);
}

BOOST_AUTO_TEST_CASE(truncation_padding_and_pairs) {
  auto vocab = load_bert_vocab();
  if (!vocab) {
    BOOST_TEST_MESSAGE("skipped: " << bert_vocab << " not found");
    return;
  }
  wordpiece_tokenizer tokenizer(*vocab, true);
  // Reference: BertTokenizer(...)("The quick brown fox jumps", "over the lazy dog near the
  // riverbank", max_length=16 or 12, truncation="longest_first", padding="max_length").
  auto pair = tokenizer.encode_pair("The quick brown fox jumps",
                                    "over the lazy dog near the riverbank", 16, true);
  BOOST_TEST(pair.ids == (std::vector<std::int32_t>{101, 1996, 4248, 2829, 4419, 14523, 102, 2058,
                                                    1996, 13971, 3899, 2379, 1996, 2314, 9299, 102}));
  BOOST_TEST(pair.token_types ==
             (std::vector<std::int32_t>{0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  auto truncated = tokenizer.encode_pair("The quick brown fox jumps",
                                         "over the lazy dog near the riverbank", 12);
  BOOST_TEST(truncated.ids == (std::vector<std::int32_t>{101, 1996, 4248, 2829, 4419, 14523, 102,
                                                         2058, 1996, 13971, 3899, 102}));
  auto padded = tokenizer.encode("Hello, World!", 8, true);
  BOOST_TEST(padded.ids == (std::vector<std::int32_t>{101, 7592, 1010, 2088, 999, 102, 0, 0}));
  BOOST_TEST(padded.attention_mask == (std::vector<std::int32_t>{1, 1, 1, 1, 1, 1, 0, 0}));
  BOOST_TEST(padded.token_types == (std::vector<std::int32_t>(8, 0)));
  auto cut = tokenizer.encode("Hello, World!", 4);
  BOOST_TEST(cut.ids == (std::vector<std::int32_t>{101, 7592, 1010, 102}));
}

BOOST_AUTO_TEST_CASE(character_classes) {
  BOOST_TEST(is_bert_punctuation(U'$'));
  BOOST_TEST(is_bert_punctuation(U'^'));
  BOOST_TEST(is_bert_punctuation(U'\u2014')); // em dash, Pd
  BOOST_TEST(!is_bert_punctuation(U'a'));
  BOOST_TEST(!is_bert_punctuation(U'\u00bd')); // ½ is No
  BOOST_TEST(is_bert_whitespace(U'\u00a0'));   // no-break space, Zs
  BOOST_TEST(is_bert_control(U'\u200b'));      // zero width space, Cf
  BOOST_TEST(!is_bert_control(U'\t'));
  BOOST_TEST(is_cjk_ideograph(U'\u4eac'));
  BOOST_TEST(!is_cjk_ideograph(U'\u3042')); // hiragana is not split per character
}

// A text is blank exactly when the tokenizer finds no word in it.
BOOST_AUTO_TEST_CASE(a_text_of_no_words_is_blank) {
  const basic_tokenizer uncased{true};
  const std::vector<std::string> texts{
    "", " \t", "\xC2\xA0\xE3\x80\x80", "\xE2\x80\x8B\xEF\xBB\xBF", std::string{"\0 \xEF\xBF\xBD", 6},
    "\xE2\x80\xA8", "a", " \xC2\xBD ", "\xE4\xBA\xAC"};
  for (const auto& text : texts) {
    std::vector<std::string> words;
    uncased.split(text, words);
    BOOST_TEST(has_no_words(text) == words.empty(), text);
  }
  BOOST_TEST(has_no_words("\xC2\xA0\xE2\x80\x8B"));
  BOOST_TEST(!has_no_words(" x "));
}

BOOST_AUTO_TEST_CASE(small_vocabulary_greedy_longest_match) {
  auto vocab = vocabulary::from_tokens(
    {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "unaff", "##aff", "##able", "##a", "##ble", "a"},
    "test");
  wordpiece_tokenizer tokenizer(vocab, true);
  BOOST_TEST(tokenizer.pieces("unaffable") == (std::vector<std::string>{"unaff", "##able"}));
  BOOST_TEST(tokenizer.pieces("unable xyz") ==
             (std::vector<std::string>{"un", "##able", "[UNK]"}));
}

BOOST_AUTO_TEST_CASE(vocabulary_errors) {
  BOOST_CHECK_THROW(vocabulary::load("/nonexistent/vocab.txt"), data_error);
  BOOST_CHECK_EXCEPTION(vocabulary::load("/tmp"), data_error, [](const data_error& e) {
    return std::string{e.what()} == "/tmp: the vocabulary file is a directory, expected a file";
  });
  try {
    vocabulary::from_tokens({"[PAD]", "[CLS]", "[SEP]"}, "v.txt");
    BOOST_FAIL("no error");
  } catch (const data_error& e) {
    BOOST_TEST(std::string{e.what()} == "v.txt: the vocabulary has no [UNK] token");
  }
}

BOOST_AUTO_TEST_SUITE_END()
