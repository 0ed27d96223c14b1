// Windows of long documents: offsets with overlap, the last (shorter) window, documents
// shorter than one window, the empty document, max-chunks (dropped and counted), bad
// settings, and that the windows together hold every token of the document in order.
#include "runtime/data/windows.hpp"

#include <boost/test/unit_test.hpp>

#include <numeric>
#include <ostream>
#include <stdexcept>

using namespace axon::data;

namespace axon::data {
std::ostream& operator<<(std::ostream& out, const window_span& span) {
  return out << '[' << span.begin << ',' << span.end << ')';
}
} // namespace axon::data

namespace {

constexpr std::int32_t cls = 2, sep = 3;

std::vector<std::int32_t> tokens(std::size_t n) {
  std::vector<std::int32_t> ids(n);
  std::iota(ids.begin(), ids.end(), 100); // token i has id 100 + i
  return ids;
}

window_settings settings(std::size_t chunk_len, std::size_t stride, std::size_t max_chunks = 64) {
  return {chunk_len, stride, max_chunks};
}

} // namespace

BOOST_AUTO_TEST_SUITE(windows)

// chunk 10 = [CLS] + 8 tokens + [SEP]; stride (overlap) 3, so windows start every 5 tokens.
BOOST_AUTO_TEST_CASE(windows_overlap_by_the_stride_and_the_last_one_ends_the_document) {
  const auto s = settings(10, 3);
  BOOST_TEST(s.content() == 8u);
  BOOST_TEST(s.step() == 5u);
  const auto ids = tokens(20);
  const auto doc = make_windows(ids, s, cls, sep);
  // [0,8) [5,13) [10,18) [15,20): the last is shorter and ends at the document's end.
  const std::vector<window_span> want{{0, 8}, {5, 13}, {10, 18}, {15, 20}};
  BOOST_TEST_REQUIRE(doc.windows.size() == want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    BOOST_TEST(doc.windows[k].span == want[k]);
    const auto& w = doc.windows[k].ids;
    BOOST_TEST_REQUIRE(w.size() == want[k].end - want[k].begin + 2);
    BOOST_TEST(w.front() == cls);
    BOOST_TEST(w.back() == sep);
    for (std::size_t i = 1; i + 1 < w.size(); ++i)
      BOOST_TEST(w[i] == ids[want[k].begin + i - 1]);
  }
  // Consecutive windows share exactly `stride` tokens (the last one may share more of a
  // shorter tail, never fewer).
  for (std::size_t k = 1; k < want.size(); ++k)
    BOOST_TEST(doc.windows[k - 1].span.end - doc.windows[k].span.begin == 3u);
  BOOST_TEST(doc.dropped_windows == 0u);
  BOOST_TEST(doc.dropped_tokens() == 0u);
  BOOST_TEST(window_count(20, s) == 4u);
}

// A document that ends exactly at a window's end gets no extra window; one token more
// gets one more window holding it.
BOOST_AUTO_TEST_CASE(the_last_window_is_added_only_for_tokens_left_over) {
  const auto s = settings(10, 3);
  BOOST_TEST(window_count(8, s) == 1u);
  BOOST_TEST(window_count(9, s) == 2u);
  BOOST_TEST(window_count(13, s) == 2u);
  BOOST_TEST(window_count(14, s) == 3u);
  const auto spans = window_spans(13, s);
  BOOST_TEST_REQUIRE(spans.size() == 2u);
  BOOST_TEST((spans[1] == window_span{5, 13}));
  const auto one_more = window_spans(14, s);
  BOOST_TEST((one_more.back() == window_span{10, 14}));
  // No overlap (stride 0): windows tile the document.
  const auto tiled = window_spans(20, settings(10, 0));
  BOOST_TEST((tiled == std::vector<window_span>{{0, 8}, {8, 16}, {16, 20}}));
}

BOOST_AUTO_TEST_CASE(a_document_shorter_than_one_window_is_one_window) {
  const auto doc = make_windows(tokens(5), settings(128, 32), cls, sep);
  BOOST_TEST_REQUIRE(doc.windows.size() == 1u);
  BOOST_TEST((doc.windows[0].span == window_span{0, 5}));
  BOOST_TEST(doc.windows[0].ids ==
             (std::vector<std::int32_t>{cls, 100, 101, 102, 103, 104, sep}));
  const auto full = make_windows(tokens(126), settings(128, 32), cls, sep);
  BOOST_TEST(full.windows.size() == 1u);
  BOOST_TEST(full.windows[0].ids.size() == 128u);
}

// The empty document is one window [CLS] [SEP], so every document gets a prediction.
BOOST_AUTO_TEST_CASE(the_empty_document_is_one_window_of_cls_and_sep) {
  const auto doc = make_windows({}, settings(128, 32), cls, sep);
  BOOST_TEST_REQUIRE(doc.windows.size() == 1u);
  BOOST_TEST((doc.windows[0].span == window_span{0, 0}));
  BOOST_TEST(doc.windows[0].ids == (std::vector<std::int32_t>{cls, sep}));
  BOOST_TEST(doc.tokens == 0u);
  BOOST_TEST(doc.dropped_tokens() == 0u);
  window_tally tally;
  tally.add(doc);
  BOOST_TEST(tally.windows == 1u);
}

// Beyond max-chunks the windows are dropped (the document's tail is not seen) and counted;
// a very long document costs only its kept windows.
BOOST_AUTO_TEST_CASE(windows_beyond_max_chunks_are_dropped_and_counted) {
  const auto s = settings(10, 3, 2);
  const auto doc = make_windows(tokens(20), s, cls, sep);
  BOOST_TEST(doc.windows.size() == 2u);
  BOOST_TEST(doc.dropped_windows == 2u);
  BOOST_TEST(doc.dropped_tokens() == 7u); // tokens 13..19
  window_tally tally;
  tally.add(doc);
  tally.add(make_windows(tokens(3), s, cls, sep));
  BOOST_TEST(tally.documents == 2u);
  BOOST_TEST(tally.windows == 3u);
  BOOST_TEST(tally.capped_documents == 1u);
  BOOST_TEST(tally.describe(s) ==
             "2 documents (23 tokens) -> 3 windows of 10 tokens, stride 3; 1 document over "
             "data.max-chunks = 2: their windows past the first 2 dropped (2 windows, 7 tokens)");
  window_tally clean;
  clean.add(make_windows(tokens(1234), settings(128, 32), cls, sep));
  BOOST_TEST(clean.describe(settings(128, 32)) ==
             "1 document (1,234 tokens) -> 13 windows of 128 tokens, stride 32");
  // 100M tokens: the count is arithmetic, the spans stop at max_chunks.
  const auto huge = window_spans(100'000'000, settings(128, 32, 3));
  BOOST_TEST(huge.size() == 3u);
  BOOST_TEST(window_count(100'000'000, settings(128, 32)) == 1'063'830u);
}

// Every token is in some window, in order, and windows advance by exactly `step`.
BOOST_AUTO_TEST_CASE(windows_cover_every_token_for_many_lengths_and_settings) {
  for (std::size_t chunk : {3u, 4u, 7u, 16u})
    for (std::size_t stride = 0; stride + 2 < chunk; ++stride)
      for (std::size_t n = 0; n < 60; ++n) {
        const auto s = settings(chunk, stride, 1000);
        const auto spans = window_spans(n, s);
        BOOST_TEST_REQUIRE(spans.size() == window_count(n, s));
        BOOST_TEST_REQUIRE(spans.front().begin == 0u);
        BOOST_TEST_REQUIRE(spans.back().end == n);
        for (std::size_t k = 0; k < spans.size(); ++k) {
          BOOST_TEST_REQUIRE(spans[k].begin == k * s.step());
          BOOST_TEST_REQUIRE(spans[k].end - spans[k].begin <= s.content());
          if (k + 1 < spans.size()) {
            BOOST_TEST_REQUIRE(spans[k].end == spans[k].begin + s.content()); // only the last is short
            BOOST_TEST_REQUIRE(spans[k].end < n); // no window lies wholly inside the previous
          }
        }
      }
}

// Per-token values (KG entities) of a document as its windows' rows: [CLS] -1, the
// window's pieces' values, then -1 at [SEP] and padding; a window that does not fit the
// document or the rows is refused.
BOOST_AUTO_TEST_CASE(window_rows_carry_each_windows_pieces_values) {
  const std::vector<std::int32_t> values{-1, 10, 11, 12, 13, 14, 15, 16, -1}; // 7 pieces
  const auto spans = window_spans(7, settings(6, 1)); // 4 pieces, step 3: [0,4) [3,7)
  BOOST_REQUIRE(spans.size() == 2u);
  std::vector<std::int32_t> rows(2 * 7, 99);
  window_rows_of(values, spans, rows.data(), 7);
  BOOST_TEST(rows == std::vector<std::int32_t>({-1, 10, 11, 12, 13, -1, -1, //
                                                -1, 13, 14, 15, 16, -1, -1}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(window_rows_of(values, spans, rows.data(), 5), std::invalid_argument);
  const std::vector<window_span> beyond{{5, 8}};
  BOOST_CHECK_THROW(window_rows_of(values, beyond, rows.data(), 7), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused) {
  auto message = [](const window_settings& s) {
    try {
      s.validate();
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{};
  };
  BOOST_TEST(message(settings(128, 32)).empty());
  BOOST_TEST(message(settings(128, 126)).find("would not advance") != std::string::npos);
  BOOST_TEST(message(settings(128, 200)).find("chunk stride 200") != std::string::npos);
  BOOST_TEST(message(settings(2, 0)).find("at least 3 tokens") != std::string::npos);
  BOOST_TEST(message(settings(128, 32, 0)).find("max chunks 0") != std::string::npos);
  BOOST_CHECK_THROW(make_windows(tokens(4), settings(10, 8), cls, sep), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
