// Fuzz target: the WordPiece tokenizer (basic tokenization, accents, CJK, pieces, pairs,
// truncation and padding). The first byte picks casing, max_len and whether the input is
// a vocab.txt (then a fixed text is tokenized with it) or text for a fixed vocabulary.
// data_error (invalid UTF-8, a vocabulary without its specials) is a refusal.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <sstream>
#include <stdexcept>

using namespace axon::data;

namespace {

vocabulary fixed_vocabulary() {
  return vocabulary::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "bank",
                                  "profit", "rose", "##s", "##ing", "un", "##able", "a", "##b",
                                  "é", "ö", "中", ",", ".", "!", "1", "##0", "€"},
                                 "fuzz vocabulary");
}

// What encode promises: three sequences of one length, within max_len, ids in the vocabulary.
void check(const encoding& enc, std::size_t max_len, bool pad, std::size_t vocab_size) {
  if (enc.ids.size() != enc.token_types.size() || enc.ids.size() != enc.attention_mask.size())
    __builtin_trap();
  if (enc.ids.size() > max_len || (pad && enc.ids.size() != max_len))
    __builtin_trap();
  for (auto id : enc.ids)
    if (id < 0 || std::size_t(id) >= vocab_size)
      __builtin_trap();
}

void tokenize_all(const wordpiece_tokenizer& tokenizer, std::string_view text, std::size_t max_len,
                  bool pad) {
  std::vector<std::int32_t> ids;
  tokenizer.tokenize(text, ids);
  check(tokenizer.encode(text, max_len, pad), max_len, pad, tokenizer.vocab().size());
  const auto tab = text.find('\t');
  if (tab == std::string_view::npos)
    return;
  try { // found by this target: a pair used to come back longer than a max_len under 3
    check(tokenizer.encode_pair(text.substr(0, tab), text.substr(tab + 1), max_len, pad), max_len,
          pad, tokenizer.vocab().size());
    if (max_len < 3)
      __builtin_trap();
  } catch (const std::invalid_argument&) {
    if (max_len >= 3)
      __builtin_trap();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::uint8_t mode = data[0];
  const bool lower_case = mode & 1, pad = mode & 2;
  const std::size_t max_len = 2 + (mode >> 3); // 2..33: truncation is exercised
  const auto text = axon::fuzz::as_text(data + 1, size - 1);
  try {
    if (mode & 4) {
      std::vector<std::string> tokens;
      std::istringstream lines{std::string{text}};
      for (std::string line; std::getline(lines, line);)
        tokens.push_back(line);
      wordpiece_tokenizer tokenizer{vocabulary::from_tokens(std::move(tokens), "fuzz input"),
                                    lower_case};
      tokenize_all(tokenizer, "The banks' profits rose\tunable, 100 €", max_len, pad);
    } else {
      static const wordpiece_tokenizer cased{fixed_vocabulary(), false};
      static const wordpiece_tokenizer uncased{fixed_vocabulary(), true};
      tokenize_all(lower_case ? uncased : cased, text, max_len, pad);
    }
  } catch (const data_error&) {
    // invalid UTF-8 or an unusable vocabulary: a refusal
  }
  return 0;
}
