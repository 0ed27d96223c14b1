// BERT's basic tokenization, before WordPiece: drop control characters, split at
// whitespace, put each CJK ideograph in a word of its own, lower-case and strip accents
// (NFD, drop Mn marks) when uncased, and split off every punctuation character.
// Matches transformers' BasicTokenizer (Unicode tables from utf8proc, not Python).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace axon::data {

class basic_tokenizer {
public:
  explicit basic_tokenizer(bool lower_case) : lower_case_(lower_case) {}

  /// Appends the words of `text` (valid UTF-8) to `words`.
  void split(std::string_view text, std::vector<std::string>& words) const;

private:
  /// Normalises one whitespace-separated token and appends its pieces (split at
  /// punctuation) to `words`.
  void split_token(std::string_view token, std::vector<std::string>& words) const;

  bool lower_case_;
};

/// Whether the tokenizer finds no word in `text` (valid UTF-8): every character is
/// whitespace, a control or format character, NUL or U+FFFD (spaces of every kind,
/// zero-width spaces, a BOM). Such a text is blank: `axon predict` does not label it and
/// `axon serve` refuses it.
bool has_no_words(std::string_view text);

/// What the tokenizer drops (NUL, U+FFFD, control and format characters) and where it
/// cuts words (whitespace, U+2028, U+2029).
bool is_dropped(char32_t code_point);
bool is_word_break(char32_t code_point);

// BERT's character classes, exposed for tests.
bool is_bert_whitespace(char32_t code_point); // space, \t \n \r, Zs
bool is_bert_control(char32_t code_point);    // C* categories except \t \n \r
bool is_bert_punctuation(char32_t code_point); // ASCII symbol ranges and P* categories
bool is_cjk_ideograph(char32_t code_point);   // the CJK blocks BERT splits per character

} // namespace axon::data
