// Long texts as windows (data.long-text = "chunk", docs/long-texts.md): a document's
// tokens cut into overlapping windows of at most data.chunk-len tokens, each
// [CLS] piece [SEP], that chunk encoders encode and a document actor pools. Windows
// beyond data.max-chunks are dropped and counted (window_tally), never silently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace axon::data {

struct window_settings {
  std::size_t chunk_len = 128; // tokens per window, [CLS] and [SEP] included; >= 3
  std::size_t stride = 32;     // data.chunk-stride: tokens two consecutive windows share
                               // (the overlap); < chunk_len - 2
  std::size_t max_chunks = 64; // windows kept per document (the first ones); >= 1

  std::size_t content() const { return chunk_len - 2; } // document tokens per window
  std::size_t step() const { return content() - stride; } // first token of window k: k * step
  /// Throws std::invalid_argument naming the setting: chunk_len < 3, stride >= chunk_len - 2
  /// (a window would not advance), max_chunks 0.
  void validate() const;
};

/// One window: tokens [begin, end) of the document (its tokens without [CLS]/[SEP]).
struct window_span {
  std::size_t begin = 0, end = 0;
  bool operator==(const window_span&) const = default;
};

/// How many windows a document of `tokens` tokens has before max_chunks: 1 when it fits
/// one window (the empty document too: one window [CLS] [SEP]), else
/// 1 + ceil((tokens - content) / step).
std::size_t window_count(std::size_t tokens, const window_settings& settings);

/// The spans of the first min(window_count, max_chunks) windows: window k starts at
/// k * step and ends at min(start + content, tokens); the last one ends at the document's
/// end (and may be shorter). Cost is in the kept windows, not the document's length.
std::vector<window_span> window_spans(std::size_t tokens, const window_settings& settings);

struct token_window {
  window_span span;               // where its tokens come from
  std::vector<std::int32_t> ids;  // [CLS] tokens[span.begin, span.end) [SEP]
};

struct windowed_document {
  std::vector<token_window> windows; // at least one
  std::size_t tokens = 0;            // the document's tokens, [CLS]/[SEP] not counted
  std::size_t dropped_windows = 0;   // windows beyond max_chunks, not kept
  /// The document's tokens no kept window holds (the tail after the last kept window).
  std::size_t dropped_tokens() const { return tokens - windows.back().span.end; }
};

/// `tokens` (a document's word pieces, no [CLS]/[SEP]) as windows with their ids.
/// Throws std::invalid_argument when the settings are bad (validate()).
windowed_document make_windows(std::span<const std::int32_t> tokens,
                               const window_settings& settings, std::int32_t cls_id,
                               std::int32_t sep_id);

/// Per-token values of a document (KG entity ids), aligned with its ids ([CLS] pieces
/// [SEP], as `document.size()` - 2 pieces), laid out as its windows' rows: row k of `rows`
/// (`spans.size()` rows of `T` columns) holds -1 at [CLS], the values of pieces
/// [spans[k].begin, spans[k].end) after it, then -1 at [SEP] and padding. Throws
/// std::invalid_argument when a window is longer than T or reaches past the document.
void window_rows_of(std::span<const std::int32_t> document, std::span<const window_span> spans,
                    std::int32_t* rows, std::size_t T);

/// What chunking did to a set of documents, for the job's log: documents, windows, and
/// those beyond max_chunks.
struct window_tally {
  std::size_t documents = 0, windows = 0, tokens = 0;
  std::size_t capped_documents = 0; // documents with windows beyond max_chunks
  std::size_t dropped_windows = 0, dropped_tokens = 0;

  void add(const windowed_document& document);
  /// "1,600 documents (1,689,920 tokens) -> 14,974 windows of 128 tokens, stride 32; 419
  /// documents over data.max-chunks = 16: their windows past the first 16 dropped (3,269
  /// windows, 286,851 tokens)" (the part after ';' only when some were dropped).
  std::string describe(const window_settings& settings) const;
};

} // namespace axon::data
