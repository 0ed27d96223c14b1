// mlm_stream: see mlm_stream.hpp.
#include "runtime/data/mlm_stream.hpp"

#include "runtime/data/seeded_random.hpp"

#include <algorithm>
#include <cstring>

namespace axon::data {

mlm_stream::mlm_stream(corpus_reader reader, std::shared_ptr<const wordpiece_tokenizer> tokenizer,
                       mlm_stream_options options)
  : reader_(std::move(reader)), tokenizer_(std::move(tokenizer)),
    vocab_(mlm_vocab::of(tokenizer_->vocab())), options_(options) {
  if (options_.seq_len < 3)
    throw data_error("the sequence length must be >= 3 ([CLS], a token, [SEP])");
  if (options_.batch_size < 1)
    throw data_error("the batch size must be >= 1");
}

bool mlm_stream::load_document() {
  while (auto doc = reader_.next()) {
    if (doc->heldout != options_.heldout)
      continue;
    pass_had_document_ = true;
    document_ = doc->start;
    pending_.clear();
    used_ = 0;
    tokenizer_->tokenize(doc->text, pending_);
    pending_.push_back(tokenizer_->vocab().sep_id());
    return true;
  }
  return false;
}

bool mlm_stream::next_sequence(std::vector<std::int32_t>& ids) {
  const auto& vocab = tokenizer_->vocab();
  ids.assign(1, vocab.cls_id());
  const std::size_t room = options_.seq_len - 1; // the last place is the closing [SEP]
  while (ids.size() < room) {
    if (used_ == pending_.size() && !load_document()) {
      if (ids.size() > 1)
        break; // a short sequence ends the pass
      if (options_.heldout) // one pass, which may hold no document at all
        return false;
      if (!pass_had_document_)
        throw data_error("the corpus has no training document (empty corpus, or every "
                         "document held out)");
      ++pass_;
      pass_had_document_ = false;
      reader_.rewind();
      continue;
    }
    const auto take = std::min(room - ids.size(), pending_.size() - used_);
    ids.insert(ids.end(), pending_.begin() + std::ptrdiff_t(used_),
               pending_.begin() + std::ptrdiff_t(used_ + take));
    used_ += take;
  }
  ids.push_back(vocab.sep_id());
  return true;
}

mlm_batch mlm_stream::next_batch() {
  std::vector<std::vector<std::int32_t>> rows, labels;
  mlm_batch out;
  out.pass = pass_;
  std::vector<std::int32_t> ids;
  while (rows.size() < options_.batch_size && next_sequence(ids)) {
    labels.push_back(mask_tokens(ids, vocab_, options_.masking,
                                 derive_seed(options_.seed, sequence_++)));
    rows.push_back(ids);
  }
  if (rows.empty())
    return out;
  std::size_t width = 0;
  for (const auto& row : rows)
    width = std::max(width, row.size());
  const auto b = std::int64_t(rows.size()), t = std::int64_t(width);
  out.ids = tensor::empty({b, t}, dtype::i32);
  out.mask = tensor::zeros({b, t}, dtype::i32);
  out.labels = tensor::empty({b, t}, dtype::i32);
  std::fill_n(out.ids.data<std::int32_t>(), b * t, tokenizer_->vocab().pad_id());
  std::fill_n(out.labels.data<std::int32_t>(), b * t, -100);
  for (std::int64_t r = 0; r < b; ++r) {
    const auto n = rows[std::size_t(r)].size();
    std::memcpy(out.ids.data<std::int32_t>() + r * t, rows[std::size_t(r)].data(), n * 4);
    std::memcpy(out.labels.data<std::int32_t>() + r * t, labels[std::size_t(r)].data(), n * 4);
    std::fill_n(out.mask.data<std::int32_t>() + r * t, n, 1);
    out.tokens += std::int64_t(n);
  }
  return out;
}

mlm_cursor mlm_stream::cursor() const {
  if (used_ < pending_.size())
    return {pass_, document_, used_, sequence_};
  return {pass_, reader_.cursor(), 0, sequence_};
}

void mlm_stream::restore(const mlm_cursor& at) {
  reader_.seek(at.document);
  pass_ = at.pass;
  sequence_ = at.sequence;
  pending_.clear();
  used_ = 0;
  pass_had_document_ = at.sequence > 0; // sequences were made: the corpus is not empty
  if (at.skip_tokens == 0)
    return;
  if (!load_document() || document_.file != at.document.file
      || document_.offset != at.document.offset || at.skip_tokens >= pending_.size())
    throw data_error("the corpus changed since the checkpoint: its document at (file "
                     + std::to_string(at.document.file) + ", offset "
                     + std::to_string(at.document.offset) + ") is not the one it was");
  used_ = at.skip_tokens;
}

} // namespace axon::data
