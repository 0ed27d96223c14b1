// Tokenized examples (what the batcher and the loader consume) and their optional
// pre-tokenized cache: a msgpack file with a magic string, a version and a fingerprint of
// what produced it, read back with bounded unpack limits.
#pragma once

#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace axon::data {

struct tokenized_example {
  std::vector<std::int32_t> ids;         // [CLS] ... [SEP], no padding
  std::vector<std::int32_t> token_types; // same length as ids
  std::int32_t label = 0;
  std::vector<std::int32_t> entities;    // KG entity id per token, -1 none; empty: no KG
};

/// The KG entity id of each word of a text (the tokenizer's basic words), -1 for none.
using word_linker = std::function<std::vector<std::int32_t>(const std::vector<std::string>& words)>;

/// [CLS] text [SEP] (at most `max_len` tokens) with label 0; with `link`, every piece of a
/// linked word carries the word's entity id ([CLS], [SEP] and unlinked words: -1).
tokenized_example encode_example(const wordpiece_tokenizer& tokenizer, std::string_view text,
                                 std::size_t max_len, const word_linker& link = {});

/// Encodes every text of `data` with encode_example and its label.
std::vector<tokenized_example> tokenize_dataset(const wordpiece_tokenizer& tokenizer,
                                                const labelled_dataset& data,
                                                std::size_t max_len, const word_linker& link = {});

/// Writes the cache (to a temporary name, then renamed). `fingerprint` says what made
/// it (vocabulary, casing, max_len, source file) so that a stale cache is refused.
void write_token_cache(const std::string& file, const std::string& fingerprint,
                       const std::vector<tokenized_example>& examples);

/// Reads a cache; throws data_error if the file is not one, is truncated or corrupt, exceeds
/// the size limits, or was written with another fingerprint.
std::vector<tokenized_example> read_token_cache(const std::string& file,
                                                const std::string& expected_fingerprint);

} // namespace axon::data
