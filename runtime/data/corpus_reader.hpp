// corpus_reader: raw text for pretraining, streamed document by document (a corpus may be
// larger than memory). Sources are files or folders (every regular file below, in path
// order); gzip files (by their magic bytes) are decompressed on the fly. A document is a
// line (`lines`) or a run of non-blank lines joined by spaces (`paragraphs`). Optionally
// exact duplicates are skipped (a 64-bit hash per distinct document is kept), and a seeded
// hash of each document's text puts it in the held-out slice (MLM evaluation) or not, so
// the slice is the same on every pass and after a resume.
// The cursor (file, byte offset of the next document in the uncompressed text, passes) is
// the whole state: seek() in a new process continues exactly (rebuilding the duplicate set
// by re-reading, not re-tokenizing, what came before).
#pragma once

#include "runtime/data/labelled_data.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace axon::data {

enum class corpus_layout {
  lines,      ///< one document per non-blank line
  paragraphs, ///< documents separated by blank lines
};
/// "lines" or "paragraphs"; throws data_error otherwise.
corpus_layout parse_corpus_layout(std::string_view name);

struct corpus_options {
  std::vector<std::string> paths;                  // files or folders
  corpus_layout layout = corpus_layout::lines;
  text_encoding encoding = text_encoding::utf8;    // utf8 (invalid: error) or latin1
  bool dedup = false;                              // skip exact duplicate documents
  double heldout_fraction = 0.0;                   // share of documents held out, in [0, 1)
  std::uint64_t heldout_seed = 0;                  // which ones
};

/// Where the next document starts.
struct corpus_cursor {
  std::uint64_t file = 0;   // index into corpus_reader::files()
  std::uint64_t offset = 0; // byte offset in that file's (uncompressed) text
};

struct corpus_document {
  std::string text;     // UTF-8
  corpus_cursor start;  // where it starts
  bool heldout = false; // in the held-out slice
};

class corpus_reader {
public:
  /// Lists the files; throws data_error naming a missing path, or when there is no file.
  explicit corpus_reader(corpus_options options);
  ~corpus_reader();
  corpus_reader(corpus_reader&&) noexcept;
  corpus_reader& operator=(corpus_reader&&) noexcept;

  /// The next document (duplicates skipped when dedup is on), or nothing at the end of
  /// the corpus. Throws data_error "FILE:LINE: invalid UTF-8 ..." or "FILE: corrupt gzip
  /// data ..." naming what is wrong.
  std::optional<corpus_document> next();
  /// Where the next call of next() starts reading.
  corpus_cursor cursor() const;
  /// Continues from `at` (a cursor of this corpus), as if every document before it had
  /// been read in this pass (the duplicate set included).
  void seek(const corpus_cursor& at);
  /// Back to the first document, forgetting the documents seen (a new pass).
  void rewind() { seek({}); }

  const std::vector<std::string>& files() const { return files_; }

private:
  struct open_file;
  std::optional<corpus_document> read_document();
  bool is_heldout(const std::string& text) const;

  corpus_options options_;
  std::vector<std::string> files_;
  std::uint64_t file_ = 0;
  std::unique_ptr<open_file> open_;
  std::optional<corpus_document> pending_; // read by seek(), returned by the next next()
  std::unordered_set<std::uint64_t> seen_; // hashes of this pass's documents (dedup)
};

} // namespace axon::data
