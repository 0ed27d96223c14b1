// batch sources: see batch_source.hpp.
#include "actors/jobs/batch_source.hpp"

#include <numeric>

namespace axon {

namespace {

// A labelled split in a seeded order: its examples (data::batcher) or its documents as
// windows (data::document_batcher), both with the batcher's cursor.
template <class Batcher>
class ordered_source final : public batch_source {
public:
  explicit ordered_source(Batcher batches) : batches_(std::move(batches)) {
  }
  data::batch next() override { return batches_.next(); }
  void restore(const data::stream_cursor& at) override {
    batches_.restore({at.epoch, at.position, batches_.cursor().seed});
  }
  data::stream_cursor cursor() const override {
    return {batches_.cursor().epoch, batches_.cursor().position};
  }
  std::size_t batches_per_epoch() const override { return batches_.batches_per_epoch(); }

private:
  Batcher batches_;
};

class corpus_source final : public batch_source {
public:
  corpus_source(const data::corpus_options& corpus,
                std::shared_ptr<const data::wordpiece_tokenizer> tokenizer,
                const data::mlm_stream_options& options)
    : stream_(data::corpus_reader{corpus}, std::move(tokenizer), options) {
  }
  data::batch next() override {
    auto masked = stream_.next_batch();
    data::batch out;
    out.ids = std::move(masked.ids);
    out.attention_mask = std::move(masked.mask);
    out.labels = std::move(masked.labels);
    out.epoch = masked.pass;
    out.next = cursor();
    out.position = out.next.position - (out.ids.defined() ? std::uint64_t(out.ids.size(0)) : 0);
    return out;
  }
  void restore(const data::stream_cursor& at) override {
    stream_.restore({at.epoch, {at.file, at.offset}, at.skip_tokens, at.position});
  }
  data::stream_cursor cursor() const override {
    const auto at = stream_.cursor();
    return {at.pass, at.sequence, at.document.file, at.document.offset, at.skip_tokens};
  }
  std::size_t batches_per_epoch() const override { return 0; }

private:
  data::mlm_stream stream_;
};

} // namespace

std::unique_ptr<batch_source> example_batches(const examples_ptr& examples,
                                              const data::batcher_options& options) {
  return std::make_unique<ordered_source<data::batcher>>(data::batcher{*examples, options});
}

std::unique_ptr<batch_source> document_batches(const examples_ptr& documents,
                                               const data::document_batch_options& options) {
  return std::make_unique<ordered_source<data::document_batcher>>(
    data::document_batcher{documents, options});
}

std::unique_ptr<batch_source> corpus_batches(const data::corpus_options& corpus,
                                             std::shared_ptr<const data::wordpiece_tokenizer> tokenizer,
                                             const data::mlm_stream_options& options) {
  return std::make_unique<corpus_source>(corpus, std::move(tokenizer), options);
}

std::int64_t real_tokens(const data::batch& b) {
  if (!b.attention_mask.defined())
    return 0;
  const auto* mask = b.attention_mask.data<std::int32_t>();
  return std::accumulate(mask, mask + b.attention_mask.numel(), std::int64_t{0});
}

} // namespace axon
