// Batches of whole documents as windows (data::document_batcher): every document's windows
// are consecutive rows, as make_windows cuts them, with offsets, the documents' labels
// and example indices; the batcher's order, batch size in documents and cursor; the
// windows' dropout keys start at position x max_chunks.
#include "runtime/data/document_batches.hpp"

#include <boost/test/unit_test.hpp>

#include <numeric>

using namespace axon;
using namespace axon::data;

namespace {

constexpr std::int32_t cls = 2, sep = 3, pad = 0;

// Document k: [CLS], 7 * k + 1 tokens, [SEP] (1 to 50 tokens), label k % 3.
std::shared_ptr<const std::vector<tokenized_example>> documents(int count) {
  auto out = std::make_shared<std::vector<tokenized_example>>();
  for (int k = 0; k < count; ++k) {
    tokenized_example doc;
    doc.ids.assign(std::size_t(7 * k + 3), 0);
    std::iota(doc.ids.begin() + 1, doc.ids.end() - 1, 100 + 1000 * k);
    doc.ids.front() = cls;
    doc.ids.back() = sep;
    doc.token_types.assign(doc.ids.size(), 0);
    doc.label = k % 3;
    out->push_back(std::move(doc));
  }
  return out;
}

document_batch_options options(std::size_t batch_size, bool shuffle) {
  return {{batch_size, 7, shuffle, false, pad}, {10, 3, 4}, cls, sep};
}

} // namespace

BOOST_AUTO_TEST_SUITE(document_batches)

BOOST_AUTO_TEST_CASE(a_batch_holds_whole_documents_as_their_windows) {
  const auto docs = documents(8);
  document_batcher batches{docs, options(3, true)};
  BOOST_TEST(batches.batches_per_epoch() == 3u);
  std::vector<int> seen;
  for (int b = 0; b < 3; ++b) {
    const auto batch = batches.next();
    const auto D = batch.labels.size(0);
    BOOST_REQUIRE(batch.offsets.size(0) == D + 1);
    BOOST_TEST(batch.window_position == batch.position * 4);
    BOOST_TEST(batch.last_in_epoch == (b == 2));
    const auto T = batch.ids.size(1);
    const auto* offsets = batch.offsets.data<std::int32_t>();
    BOOST_TEST(offsets[0] == 0);
    BOOST_TEST(offsets[D] == batch.ids.size(0));
    for (std::int64_t d = 0; d < D; ++d) {
      const int k = batch.examples.data<std::int32_t>()[d];
      seen.push_back(k);
      BOOST_TEST(batch.labels.data<std::int32_t>()[d] == k % 3);
      const auto& ids = (*docs)[std::size_t(k)].ids;
      auto expected = make_windows(std::span{ids}.subspan(1, ids.size() - 2), {10, 3, 4}, cls, sep);
      BOOST_REQUIRE(offsets[d + 1] - offsets[d] == std::int64_t(expected.windows.size()));
      for (std::size_t w = 0; w < expected.windows.size(); ++w) {
        const auto row = offsets[d] + std::int64_t(w);
        const auto& want = expected.windows[w].ids;
        for (std::int64_t t = 0; t < T; ++t) {
          const bool real = t < std::int64_t(want.size());
          BOOST_TEST(batch.ids.data<std::int32_t>()[row * T + t] == (real ? want[t] : pad));
          BOOST_TEST(batch.attention_mask.data<std::int32_t>()[row * T + t] == int(real));
        }
      }
    }
  }
  std::sort(seen.begin(), seen.end());
  BOOST_TEST(seen == std::vector<int>({0, 1, 2, 3, 4, 5, 6, 7}));
}

BOOST_AUTO_TEST_CASE(the_cursor_restores_the_same_batches) {
  const auto docs = documents(8);
  document_batcher first{docs, options(3, true)};
  first.next();
  const auto cursor = first.cursor();
  const auto expected = first.next();
  document_batcher second{docs, options(3, true)};
  second.restore(cursor);
  const auto again = second.next();
  BOOST_TEST(again.position == expected.position);
  BOOST_REQUIRE(again.ids.sizes() == expected.ids.sizes());
  BOOST_TEST(std::equal(again.ids.data<std::int32_t>(),
                        again.ids.data<std::int32_t>() + again.ids.numel(),
                        expected.ids.data<std::int32_t>()));
}

// Documents linked to a KG (predict and serve link in process): each window's pieces carry
// their own entities, [CLS], [SEP] and padding -1. Token id i of document k gets entity
// i - 100 here, so every position can be checked against the window's ids.
BOOST_AUTO_TEST_CASE(linked_documents_carry_their_entities_window_by_window) {
  auto linked = std::make_shared<std::vector<tokenized_example>>(*documents(8));
  for (auto& doc : *linked) {
    doc.entities.assign(doc.ids.size(), -1);
    for (std::size_t t = 1; t + 1 < doc.ids.size(); ++t)
      doc.entities[t] = doc.ids[t] - 100;
  }
  document_batcher batches{linked, options(8, false)};
  const auto batch = batches.next();
  BOOST_REQUIRE(batch.entities.defined());
  BOOST_REQUIRE(batch.entities.sizes() == batch.ids.sizes());
  const auto N = batch.ids.size(0), T = batch.ids.size(1);
  int checked = 0;
  for (std::int64_t row = 0; row < N; ++row)
    for (std::int64_t t = 0; t < T; ++t) {
      const auto id = batch.ids.data<std::int32_t>()[row * T + t];
      const bool piece = id >= 100; // not [CLS], [SEP] or padding
      BOOST_TEST(batch.entities.data<std::int32_t>()[row * T + t] == (piece ? id - 100 : -1));
      checked += piece;
    }
  BOOST_TEST(checked > 100);
  // Unlinked documents: no entities tensor.
  document_batcher plain{documents(8), options(8, false)};
  BOOST_TEST(!plain.next().entities.defined());
}

BOOST_AUTO_TEST_CASE(the_tally_counts_windows_beyond_max_chunks) {
  // Document 7 has 50 tokens: 1 + ceil((50 - 8) / 5) = 10 windows, 4 kept.
  const auto tally = tally_windows(*documents(8), {10, 3, 4});
  BOOST_TEST(tally.documents == 8u);
  BOOST_TEST(tally.dropped_windows > 0u);
  BOOST_TEST(tally.capped_documents > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
