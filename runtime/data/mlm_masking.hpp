// BERT's masked-language-model corruption of one token sequence: of the tokens that are
// not special ([CLS], [SEP], [PAD]), max(1, round(select x n)) are chosen (whole words when
// whole_word: a word is a token and the "##" pieces after it); each chosen token becomes
// [MASK] with probability mask, a uniformly random vocabulary id with probability random,
// else stays; its label is the original id, every other label is ignore (-100).
// The draw is a pure function of the seed: a sequence is masked the same way wherever
// and whenever it is masked again (resume, evaluation).
#pragma once

#include "runtime/data/wordpiece.hpp"

#include <cstdint>
#include <vector>

namespace axon::data {

struct mlm_masking_options {
  double select = 0.15; // share of tokens chosen as targets
  double mask = 0.8;    // of those: replaced by [MASK]
  double random = 0.1;  // of those: replaced by a random id (the rest stay as they are)
  bool whole_word = false;
};

/// What the masking needs to know of a vocabulary.
struct mlm_vocab {
  std::int32_t mask_id = 0, size = 0;
  std::vector<bool> special;      // per id: never chosen
  std::vector<bool> continuation; // per id: a "##" piece (whole-word masking)
  /// Throws data_error when the vocabulary has no [MASK] token.
  static mlm_vocab of(const vocabulary& vocab);
};

/// Masks `ids` in place and returns the labels (same length: original id or -100).
std::vector<std::int32_t> mask_tokens(std::vector<std::int32_t>& ids, const mlm_vocab& vocab,
                                      const mlm_masking_options& options, std::uint64_t seed);

} // namespace axon::data
