// token_reach: see token_reach.hpp.
#include "apps/axon/token_reach.hpp"

#include "runtime/data/utf8.hpp"

namespace axon::app {

namespace {

// Lines shorter than this are read whole (tokenized once, by the reader): a piece covers
// at least one byte, so only lines of more bytes than the model's pieces can be cut, and
// checking longer ones only keeps the extra tokenization to lines that are long anyway.
constexpr std::size_t check_from = 64 * 1024;

// Where BERT's tokenization splits whatever follows: ASCII space and tab (words), and
// ASCII punctuation (a word of its own, is_bert_punctuation). Text up to one of them
// tokenizes to the first pieces of the whole line.
constexpr std::string_view boundaries = " \t!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

// A stretch without a boundary longer than this ends the line (memory stays bounded); it
// is one word, one [UNK] unless other Unicode punctuation splits it.
constexpr std::size_t max_stretch = 1 << 20;

// `end`, or less so that [0, end) of `line` does not end inside a UTF-8 sequence.
std::size_t character_boundary(std::string_view line, std::size_t end) {
  auto at = end;
  while (at > 0 && (static_cast<unsigned char>(line[at - 1]) & 0xC0) == 0x80)
    --at;
  return at > 0 && static_cast<unsigned char>(line[at - 1]) >= 0xC0 ? at - 1 : end;
}

} // namespace

token_reach::token_reach(const data::wordpiece_tokenizer& tokenizer, std::size_t pieces,
                         data::text_encoding encoding)
  : tokenizer_{tokenizer}, needed_{pieces}, encoding_{encoding} {
  reset();
}

void token_reach::reset() {
  counted_to_ = scanned_to_ = 0;
  pieces_ = 0;
  latin1_ = encoding_ == data::text_encoding::latin1;
}

std::size_t token_reach::enough(std::string_view line) {
  if (line.size() < std::max(check_from, needed_))
    return npos;
  // Only the bytes that came since the last call are searched (a line without spaces may
  // grow to line_batches' max_bytes).
  const auto from = scanned_to_;
  const auto found = line.substr(from).find_last_of(boundaries);
  scanned_to_ = line.size();
  if (found == std::string_view::npos)
    return line.size() - counted_to_ > max_stretch ? character_boundary(line, line.size()) : npos;
  const auto boundary = from + found;
  auto segment = line.substr(counted_to_, boundary + 1 - counted_to_);
  if (!latin1_ && data::find_invalid_utf8(segment) != std::string::npos) {
    if (encoding_ == data::text_encoding::utf8)
      return boundary + 1; // the reader refuses the line, naming the byte: keep it
    // --encoding auto reads a line that is not UTF-8 as Latin-1, all of it: count again.
    latin1_ = true;
    segment = line.substr(0, boundary + 1);
    pieces_ = 0;
  }
  counted_to_ = boundary + 1;
  ids_.clear();
  if (latin1_)
    tokenizer_.tokenize(data::latin1_to_utf8(segment), ids_);
  else
    tokenizer_.tokenize(segment, ids_);
  pieces_ += ids_.size();
  return pieces_ >= needed_ ? counted_to_ : npos;
}

} // namespace axon::app
