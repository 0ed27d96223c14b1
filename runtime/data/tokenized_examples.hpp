// Tokenized examples (what the batcher and the loader consume) and their optional
// pre-tokenized cache: a msgpack file with a magic string, a version and a fingerprint of
// what produced it, read back with bounded unpack limits.
#pragma once

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace axon::data {

struct tokenized_example {
  std::vector<std::int32_t> ids;         // [CLS] ... [SEP], no padding
  std::vector<std::int32_t> token_types; // same length as ids
  std::int32_t label = 0;
  std::vector<std::int32_t> entities;    // KG entity id per token, -1 none; empty: not linked
  // What KG linking needs (kept when encoding with `keep_words`, else empty): the
  // tokenizer's basic words of the whole text (also those cut off by max_len, so that a
  // cut mention still links), and the word of each token (-1 for [CLS] and [SEP]).
  std::vector<std::string> words;
  std::vector<std::int32_t> token_words;
};

/// [CLS] text [SEP] (at most `max_len` tokens) with label 0; with `keep_words`, its words
/// and the word of each token too.
tokenized_example encode_example(const wordpiece_tokenizer& tokenizer, std::string_view text,
                                 std::size_t max_len, bool keep_words = false);

/// The entity id of each token of `example` (kept words) from the entity id of each of
/// its words (-1: none): every piece of a word carries the word's id; [CLS], [SEP]: -1.
/// Throws data_error when `entity_per_word` does not have one id per word.
std::vector<std::int32_t> entities_of_tokens(const tokenized_example& example,
                                             const std::vector<std::int32_t>& entity_per_word);

/// Encodes every text of `data` with encode_example and its label.
std::vector<tokenized_example> tokenize_dataset(const wordpiece_tokenizer& tokenizer,
                                                const labelled_dataset& data,
                                                std::size_t max_len, bool keep_words = false);

/// Writes the cache (to a temporary name, then renamed). `fingerprint` says what made
/// it (vocabulary, casing, max_len, source file) so that a stale cache is refused.
void write_token_cache(const std::string& file, const std::string& fingerprint,
                       const std::vector<tokenized_example>& examples);

/// Reads a cache; throws data_error if the file is not one, is truncated or corrupt, exceeds
/// the size limits, or was written with another fingerprint.
std::vector<tokenized_example> read_token_cache(const std::string& file,
                                                const std::string& expected_fingerprint);

} // namespace axon::data
