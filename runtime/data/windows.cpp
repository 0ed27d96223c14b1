// Windows of a long document (see windows.hpp): spans, ids, and the tally for the log.
#include "runtime/data/windows.hpp"

#include <algorithm>
#include <stdexcept>

namespace axon::data {

void window_settings::validate() const {
  if (chunk_len < 3)
    throw std::invalid_argument("chunk length " + std::to_string(chunk_len) +
                                ": a window needs at least 3 tokens ([CLS], one token, [SEP])");
  if (stride >= chunk_len - 2)
    throw std::invalid_argument("chunk stride " + std::to_string(stride) +
                                " must be below the chunk's " + std::to_string(chunk_len - 2) +
                                " document tokens (chunk length " + std::to_string(chunk_len) +
                                " minus [CLS] and [SEP]), or a window would not advance");
  if (max_chunks == 0)
    throw std::invalid_argument("max chunks 0 would keep no window of any document");
}

std::size_t window_count(std::size_t tokens, const window_settings& settings) {
  if (tokens <= settings.content())
    return 1;
  const auto step = settings.step();
  return 1 + (tokens - settings.content() + step - 1) / step;
}

std::vector<window_span> window_spans(std::size_t tokens, const window_settings& settings) {
  settings.validate();
  const auto count = std::min(window_count(tokens, settings), settings.max_chunks);
  std::vector<window_span> spans;
  spans.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    const auto begin = k * settings.step();
    spans.push_back({begin, std::min(begin + settings.content(), tokens)});
  }
  return spans;
}

windowed_document make_windows(std::span<const std::int32_t> tokens,
                               const window_settings& settings, std::int32_t cls_id,
                               std::int32_t sep_id) {
  windowed_document document;
  document.tokens = tokens.size();
  for (const auto& span : window_spans(tokens.size(), settings)) {
    token_window window{span, {}};
    window.ids.reserve(span.end - span.begin + 2);
    window.ids.push_back(cls_id);
    window.ids.insert(window.ids.end(), tokens.begin() + static_cast<std::ptrdiff_t>(span.begin),
                      tokens.begin() + static_cast<std::ptrdiff_t>(span.end));
    window.ids.push_back(sep_id);
    document.windows.push_back(std::move(window));
  }
  document.dropped_windows = window_count(tokens.size(), settings) - document.windows.size();
  return document;
}

void window_rows_of(std::span<const std::int32_t> document, std::span<const window_span> spans,
                    std::int32_t* rows, std::size_t T) {
  const auto pieces = document.size() >= 2 ? document.subspan(1, document.size() - 2)
                                           : document.subspan(0, 0);
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const auto& span = spans[k];
    if (span.end > pieces.size() || span.begin > span.end || span.end - span.begin + 2 > T)
      throw std::invalid_argument("window_rows_of: window " + std::to_string(k) + " (pieces "
                                  + std::to_string(span.begin) + " to " + std::to_string(span.end)
                                  + ") does not fit a document of " + std::to_string(pieces.size())
                                  + " pieces in rows of " + std::to_string(T));
    auto* row = rows + k * T;
    std::fill(row, row + T, -1);
    std::copy(pieces.begin() + std::ptrdiff_t(span.begin),
              pieces.begin() + std::ptrdiff_t(span.end), row + 1);
  }
}

void window_tally::add(const windowed_document& document) {
  ++documents;
  windows += document.windows.size();
  tokens += document.tokens;
  if (document.dropped_windows > 0) {
    ++capped_documents;
    dropped_windows += document.dropped_windows;
    dropped_tokens += document.dropped_tokens();
  }
}

namespace {

/// 1234567 -> "1,234,567".
std::string grouped(std::size_t n) {
  auto digits = std::to_string(n);
  for (auto at = digits.size(); at > 3; at -= 3)
    digits.insert(at - 3, ",");
  return digits;
}

std::string plural(std::size_t n, const char* word) {
  return grouped(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace

std::string window_tally::describe(const window_settings& settings) const {
  auto text = plural(documents, "document") + " (" + plural(tokens, "token") + ") -> " +
              plural(windows, "window") + " of " + std::to_string(settings.chunk_len) +
              " tokens, stride " + std::to_string(settings.stride);
  if (capped_documents > 0)
    text += "; " + plural(capped_documents, "document") + " over data.max-chunks = " +
            std::to_string(settings.max_chunks) + ": their windows past the first " +
            std::to_string(settings.max_chunks) + " dropped (" +
            plural(dropped_windows, "window") + ", " + plural(dropped_tokens, "token") + ")";
  return text;
}

} // namespace axon::data
