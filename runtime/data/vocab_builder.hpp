// Builds a WordPiece vocabulary from training texts, for training from scratch: BERT's
// special tokens, then every character seen (word-initial and "##" continuation forms),
// then pieces learned by merging the most frequent adjacent pair (BPE-style, as the
// Hugging Face WordPiece trainer does) until the vocabulary has the requested size.
#pragma once

#include "runtime/data/wordpiece.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace axon::data {

struct vocab_builder_options {
  std::size_t vocab_size = 8000; // upper bound; never below specials + characters seen
  std::size_t min_pair_count = 2; // pairs seen fewer times are not merged
  bool lower_case = true;         // the basic tokenization the vocabulary is built for
};

/// Tokens in id order: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4, characters (sorted),
/// then merged pieces in merge order. The same texts give the same vocabulary.
vocabulary build_wordpiece_vocab(const std::vector<std::string>& texts,
                                 const vocab_builder_options& options = {});

} // namespace axon::data
