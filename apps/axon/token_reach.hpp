// token_reach: where a long stdin line of `axon predict` stops mattering. The model sees
// the first `pieces` word pieces of a text (data.max-len, or a chunked run's windows'
// reach, without [CLS] and [SEP]); BERT's tokenization splits at whitespace and
// punctuation, so the pieces of text up to an ASCII space, tab or punctuation character
// are the first pieces of the whole line, and once they are that many the rest of the
// line cannot change the answer. Bytes are no measure of it: a word of any length is one
// [UNK] (a URL, a hash, base64 in a filing). A stretch of more than 1 MiB without such a
// character ends the line (memory stays bounded; it is one word, one [UNK], unless
// Unicode punctuation splits it).
//
//   token_reach reach{tokenizer, run.max_tokens() - 2, encoding};
//   line_batches input{0, batch, max_bytes, &reach};  // cuts lines where reach says
#pragma once

#include "apps/axon/line_batches.hpp"
#include "runtime/data/labelled_data.hpp"
#include "runtime/data/wordpiece.hpp"

#include <cstdint>
#include <vector>

namespace axon::app {

class token_reach : public line_reach {
public:
  /// `tokenizer` must outlive this; `encoding`: how the reader decodes a line's bytes.
  token_reach(const data::wordpiece_tokenizer& tokenizer, std::size_t pieces,
              data::text_encoding encoding);

  void reset() override;
  std::size_t enough(std::string_view line_so_far) override;

private:
  const data::wordpiece_tokenizer& tokenizer_;
  std::size_t needed_;
  data::text_encoding encoding_;
  std::size_t counted_to_ = 0; // bytes of the line tokenized so far (ending at a boundary)
  std::size_t scanned_to_ = 0; // bytes searched for a boundary so far
  std::size_t pieces_ = 0;     // their word pieces
  bool latin1_ = false;        // the line is read as Latin-1 (--encoding latin-1, or auto
                               // once it is not valid UTF-8)
  std::vector<std::int32_t> ids_; // scratch
};

} // namespace axon::app
