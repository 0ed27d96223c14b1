// mlm_stream: pretraining batches from a corpus. Documents of one slice (train or
// held-out) are tokenized in turn, each followed by [SEP], and packed into sequences
// [CLS] + up to seq_len - 2 tokens + [SEP] (documents run across sequence boundaries, so
// every sequence but the last of a pass is full); each sequence is masked
// (mlm_masking) with a seed drawn from (seed, its number in the stream). At the corpus's
// end a new pass starts (train) or the stream ends (held-out).
// The cursor is the whole state: restore() in a new process yields exactly the batches
// the old stream would have produced.
#pragma once

#include "runtime/data/corpus_reader.hpp"
#include "runtime/data/mlm_masking.hpp"
#include "runtime/data/wordpiece.hpp"
#include "runtime/tensor.hpp"

#include <memory>

namespace axon::data {

struct mlm_stream_options {
  std::size_t seq_len = 128;  // T, [CLS] and [SEP] included
  std::size_t batch_size = 32;
  bool heldout = false;       // the held-out slice (one pass) instead of the train slice
  mlm_masking_options masking;
  std::uint64_t seed = 0;     // masking
};

struct mlm_cursor {
  std::uint64_t pass = 0;        // passes over the corpus completed
  corpus_cursor document;        // the document the next sequence starts in
  std::uint64_t skip_tokens = 0; // its tokens already packed (its [SEP] included)
  std::uint64_t sequence = 0;    // sequences produced so far: the masking stream
};

struct mlm_batch {
  tensor ids;    // (B,T) i32 masked ids, padded with [PAD]
  tensor mask;   // (B,T) i32 1 = token
  tensor labels; // (B,T) i32 original id at targets, -100 elsewhere
  std::int64_t tokens = 0; // real (non-padding) tokens
  std::uint64_t pass = 0;  // the pass its first sequence came from
};

class mlm_stream {
public:
  mlm_stream(corpus_reader reader, std::shared_ptr<const wordpiece_tokenizer> tokenizer,
             mlm_stream_options options);

  /// The next batch; an undefined ids tensor when a held-out stream is exhausted (a short
  /// last batch comes first; a slice without documents is exhausted at once). Throws
  /// data_error when the training slice has no document at all.
  mlm_batch next_batch();
  mlm_cursor cursor() const;
  void restore(const mlm_cursor& at);

private:
  bool next_sequence(std::vector<std::int32_t>& ids); // false: end of a held-out stream
  bool load_document();                              // false: end of the corpus

  corpus_reader reader_;
  std::shared_ptr<const wordpiece_tokenizer> tokenizer_;
  mlm_vocab vocab_;
  mlm_stream_options options_;
  std::uint64_t pass_ = 0, sequence_ = 0;
  corpus_cursor document_;               // start of the document in pending_
  std::vector<std::int32_t> pending_;    // its tokens and [SEP]
  std::size_t used_ = 0;                 // of pending_
  bool pass_had_document_ = false;
};

} // namespace axon::data
