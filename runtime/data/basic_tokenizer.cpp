// BERT basic tokenization (see basic_tokenizer.hpp). Character classes follow
// transformers' tokenization_bert.py (_is_whitespace, _is_control, _is_punctuation,
// _is_chinese_char); the categories and decompositions come from utf8proc.
#include "runtime/data/basic_tokenizer.hpp"

#include "runtime/data/utf8.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace axon::data {

namespace {

utf8proc_category_t category_of(char32_t code_point) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(code_point));
}

bool is_ascii(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80)
      return false;
  return true;
}

/// NFC of a valid UTF-8 token (transformers normalises to NFC before splitting).
std::string nfc(std::string_view token) {
  std::string copy{token}; // utf8proc_NFC needs a NUL-terminated string
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> composed(
    utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(copy.c_str())), &std::free);
  return composed ? std::string{reinterpret_cast<const char*>(composed.get())} : copy;
}

} // namespace

bool is_dropped(char32_t cp) {
  return cp == 0 || cp == 0xFFFD || is_bert_control(cp);
}

bool is_word_break(char32_t cp) {
  // U+2028/U+2029 are not BERT whitespace, but Python's str.split() cuts at them.
  return is_bert_whitespace(cp) || cp == 0x2028 || cp == 0x2029;
}

bool has_no_words(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();)
    if (auto cp = next_code_point(text, pos); !is_dropped(cp) && !is_word_break(cp))
      return false;
  return true;
}

bool is_bert_whitespace(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r')
    return true;
  return cp >= 0x80 && category_of(cp) == UTF8PROC_CATEGORY_ZS;
}

bool is_bert_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r')
    return false;
  switch (category_of(cp)) {
  case UTF8PROC_CATEGORY_CC:
  case UTF8PROC_CATEGORY_CF:
  case UTF8PROC_CATEGORY_CN:
  case UTF8PROC_CATEGORY_CO:
  case UTF8PROC_CATEGORY_CS:
    return true;
  default:
    return false;
  }
}

bool is_bert_punctuation(char32_t cp) {
  // BERT treats all non-letter/number ASCII as punctuation ("$", "^", "`" included).
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126))
    return true;
  if (cp < 0x80)
    return false;
  auto category = category_of(cp);
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool is_cjk_ideograph(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void basic_tokenizer::split(std::string_view text, std::vector<std::string>& words) const {
  // Pass 1: drop NUL, U+FFFD and control characters, cut at whitespace and around CJK
  // ideographs; each cut-out token is normalised and split at punctuation.
  std::string token;
  auto flush = [&] {
    if (!token.empty())
      split_token(token, words);
    token.clear();
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    char32_t cp = next_code_point(text, pos);
    if (is_dropped(cp))
      continue;
    if (is_word_break(cp)) {
      flush();
    } else if (is_cjk_ideograph(cp)) {
      flush();
      words.emplace_back(text.substr(start, pos - start));
    } else {
      token.append(text.substr(start, pos - start));
    }
  }
  flush();
}

void basic_tokenizer::split_token(std::string_view token, std::vector<std::string>& words) const {
  std::string normalised;
  if (is_ascii(token)) {
    normalised = token;
    if (lower_case_)
      for (char& c : normalised)
        if (c >= 'A' && c <= 'Z')
          c = static_cast<char>(c - 'A' + 'a');
  } else if (!lower_case_) {
    normalised = nfc(token);
  } else {
    // Lower-case, decompose (NFD) and drop nonspacing marks: "Héllo" -> "hello".
    normalised.reserve(token.size());
    std::size_t pos = 0;
    utf8proc_int32_t decomposed[8];
    while (pos < token.size()) {
      auto lower = utf8proc_tolower(static_cast<utf8proc_int32_t>(next_code_point(token, pos)));
      int last_boundary = 0;
      auto count = utf8proc_decompose_char(lower, decomposed, 8, UTF8PROC_DECOMPOSE,
                                           &last_boundary);
      for (utf8proc_ssize_t k = 0; k < count && k < 8; ++k)
        if (category_of(decomposed[k]) != UTF8PROC_CATEGORY_MN)
          append_utf8(normalised, static_cast<char32_t>(decomposed[k]));
    }
  }
  // Each punctuation character is a word of its own; the runs between them are words.
  std::string word;
  std::size_t pos = 0;
  while (pos < normalised.size()) {
    std::size_t start = pos;
    char32_t cp = next_code_point(normalised, pos);
    if (is_bert_punctuation(cp)) {
      if (!word.empty())
        words.push_back(std::move(word));
      word.clear();
      words.emplace_back(normalised.substr(start, pos - start));
    } else {
      word.append(normalised, start, pos - start);
    }
  }
  if (!word.empty())
    words.push_back(std::move(word));
}

} // namespace axon::data
