// WordPiece tokenization compatible with BERT's vocab.txt: basic tokenization, then
// greedy longest-match-first pieces ("##" marks a continuation), [UNK] for words with no
// match or longer than 100 characters; [CLS] A [SEP] (B [SEP]) with token types,
// truncation, padding and attention mask.
#pragma once

#include "runtime/data/basic_tokenizer.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace axon::data {

/// Token <-> id. Ids are line numbers of vocab.txt (from 0).
class vocabulary {
public:
  /// Reads vocab.txt (one token per line); throws data_error when the file is missing,
  /// empty, or lacks [PAD], [UNK], [CLS] or [SEP].
  static vocabulary load(const std::string& file);
  /// From tokens in id order (the same checks as load).
  static vocabulary from_tokens(std::vector<std::string> tokens, const std::string& origin);
  /// Writes one token per line.
  void save(const std::string& file) const;

  /// The id of `token`, or -1.
  std::int32_t find(std::string_view token) const;
  const std::string& token(std::int32_t id) const { return tokens_.at(id); }
  std::size_t size() const { return tokens_.size(); }
  const std::vector<std::string>& tokens() const { return tokens_; }

  std::int32_t pad_id() const { return pad_id_; }
  std::int32_t unk_id() const { return unk_id_; }
  std::int32_t cls_id() const { return cls_id_; }
  std::int32_t sep_id() const { return sep_id_; }

private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int32_t, string_hash, std::equal_to<>> ids_;
  std::int32_t pad_id_ = 0, unk_id_ = 0, cls_id_ = 0, sep_id_ = 0;
};

/// One encoded example: all three have the same length.
struct encoding {
  std::vector<std::int32_t> ids;            // [CLS] A [SEP] (B [SEP]) [PAD]...
  std::vector<std::int32_t> token_types;    // 0 for [CLS] A [SEP], 1 for B [SEP], 0 padding
  std::vector<std::int32_t> attention_mask; // 1 for tokens, 0 for padding
};

class wordpiece_tokenizer {
public:
  static constexpr std::size_t max_word_chars = 100; // longer words become [UNK]

  wordpiece_tokenizer(vocabulary vocab, bool lower_case);

  /// Piece ids of `text`, no special tokens, appended to `ids`. Throws data_error when
  /// `text` is not valid UTF-8.
  void tokenize(std::string_view text, std::vector<std::int32_t>& ids) const;
  /// The basic-tokenized words of `text`, in this tokenizer's casing; throws data_error
  /// when `text` is not valid UTF-8. tokenize(text) == the pieces of each word in turn.
  std::vector<std::string> words(std::string_view text) const;
  /// Appends the pieces of one word from words().
  void add_word_pieces(const std::string& word, std::vector<std::int32_t>& ids) const;
  /// The pieces as strings (for tests and debugging).
  std::vector<std::string> pieces(std::string_view text) const;

  /// [CLS] text [SEP], truncated to `max_len` tokens (specials included); padded to
  /// `max_len` when `pad` is set. Throws std::invalid_argument when max_len < 2.
  encoding encode(std::string_view text, std::size_t max_len = 512, bool pad = false) const;
  /// [CLS] first [SEP] second [SEP]. Truncation takes tokens off the end of the longer
  /// sequence one at a time (the second when equal), like transformers' longest_first.
  /// Throws std::invalid_argument when max_len < 3 (the three special tokens).
  encoding encode_pair(std::string_view first, std::string_view second,
                       std::size_t max_len = 512, bool pad = false) const;

  const vocabulary& vocab() const { return vocab_; }

private:
  encoding assemble(std::vector<std::int32_t> first, const std::vector<std::int32_t>* second,
                    std::size_t max_len, bool pad) const;

  vocabulary vocab_;
  basic_tokenizer basic_;
};

} // namespace axon::data
