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
};

/// Encodes every text of `data` ([CLS] text [SEP], at most `max_len` tokens, no padding).
std::vector<tokenized_example> tokenize_dataset(const wordpiece_tokenizer& tokenizer,
                                                const labelled_dataset& data,
                                                std::size_t max_len);

/// Writes the cache (to a temporary name, then renamed). `fingerprint` says what made
/// it (vocabulary, casing, max_len, source file) so that a stale cache is refused.
void write_token_cache(const std::string& file, const std::string& fingerprint,
                       const std::vector<tokenized_example>& examples);

/// Reads a cache; throws data_error if the file is not one, is truncated or corrupt, exceeds
/// the size limits, or was written with another fingerprint.
std::vector<tokenized_example> read_token_cache(const std::string& file,
                                                const std::string& expected_fingerprint);

} // namespace axon::data
