// corpus_reader: see corpus_reader.hpp. Files are read through zlib's gz* functions, which
// pass plain files through unchanged, in 64 KiB chunks split into lines here.
#include "runtime/data/corpus_reader.hpp"

#include "runtime/data/seeded_random.hpp"
#include "runtime/data/utf8.hpp"
#include "runtime/fnv1a.hpp"
#include "runtime/path_text.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <utility>

namespace axon::data {

namespace fs = std::filesystem;

corpus_layout parse_corpus_layout(std::string_view name) {
  if (name == "lines")
    return corpus_layout::lines;
  if (name == "paragraphs")
    return corpus_layout::paragraphs;
  throw data_error("unknown corpus layout '" + std::string{name}
                   + "' (expected lines or paragraphs)");
}

// One file being read: its lines, with the uncompressed offset and number of each.
struct corpus_reader::open_file {
  std::string path;
  gzFile gz = nullptr;
  std::string buffer;   // bytes read but not yet returned
  std::size_t used = 0; // of buffer
  bool eof = false;
  std::uint64_t offset = 0;    // uncompressed offset of the next line
  std::uint64_t line_no = 0;   // number of the last line returned (from 1)

  explicit open_file(std::string file) : path(std::move(file)) {
    gz = gzopen(path.c_str(), "rb");
    if (!gz)
      throw data_error(path_in_error(path) + ": cannot open file (missing or unreadable)");
    gzbuffer(gz, 1 << 17);
  }
  ~open_file() {
    if (gz)
      gzclose(gz);
  }

  // Reads more bytes into the buffer; false at the end of the file.
  bool fill() {
    if (eof)
      return false;
    buffer.erase(0, used);
    used = 0;
    char chunk[1 << 16];
    int got = gzread(gz, chunk, sizeof chunk);
    int errnum = Z_OK;
    const char* message = gzerror(gz, &errnum);
    if (got < 0 || (errnum != Z_OK && errnum != Z_STREAM_END))
      throw data_error(path + ": corrupt gzip data (" + message + ") after "
                       + std::to_string(offset) + " bytes of text");
    if (got == 0) {
      eof = true;
      return false;
    }
    buffer.append(chunk, std::size_t(got));
    return true;
  }

  // The next line without its end (LF or CRLF); false at the end of the file.
  bool read_line(std::string& line) {
    auto end = buffer.find('\n', used);
    while (end == std::string::npos && fill()) // fill() compacts: search again from `used`
      end = buffer.find('\n', used);
    if (end == std::string::npos && used >= buffer.size())
      return false;
    const auto stop = end == std::string::npos ? buffer.size() : end;
    line.assign(buffer, used, stop - used);
    const auto consumed = stop - used + (end == std::string::npos ? 0 : 1);
    used += consumed;
    offset += consumed;
    ++line_no;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) // UTF-8 byte-order mark
      line.erase(0, 3);
    return true;
  }
};

corpus_reader::corpus_reader(corpus_options options) : options_(std::move(options)) {
  if (!(options_.heldout_fraction >= 0.0 && options_.heldout_fraction < 1.0))
    throw data_error("the held-out fraction must be in [0, 1)");
  for (const auto& path : options_.paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file())
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      files_.insert(files_.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      files_.push_back(path);
    } else {
      throw data_error(path + ": no such file or folder");
    }
  }
  if (files_.empty())
    throw data_error("the corpus has no files (paths: " + std::to_string(options_.paths.size())
                     + ")");
}

corpus_reader::~corpus_reader() = default;
corpus_reader::corpus_reader(corpus_reader&&) noexcept = default;
corpus_reader& corpus_reader::operator=(corpus_reader&&) noexcept = default;

corpus_cursor corpus_reader::cursor() const {
  if (pending_)
    return pending_->start;
  return {file_, open_ ? open_->offset : 0};
}

bool corpus_reader::is_heldout(const std::string& text) const {
  if (options_.heldout_fraction <= 0.0)
    return false;
  auto h = derive_seed(options_.heldout_seed, fnv1a64{}.add(text).value());
  return double(h >> 11) * 0x1.0p-53 < options_.heldout_fraction;
}

std::optional<corpus_document> corpus_reader::read_document() {
  std::string line;
  while (file_ < files_.size()) {
    if (!open_)
      open_ = std::make_unique<open_file>(files_[file_]);
    corpus_document doc;
    std::uint64_t first_line = 0;
    for (;;) {
      const auto line_start = open_->offset;
      if (!open_->read_line(line))
        break;
      const bool blank = line.find_first_not_of(" \t") == std::string::npos;
      if (blank) {
        if (first_line == 0)
          continue; // blank lines before a document
        break;      // a paragraph ends
      }
      if (options_.encoding == text_encoding::latin1) {
        line = latin1_to_utf8(line);
      } else if (auto bad = find_invalid_utf8(line); bad != std::string::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(line[bad]));
        throw data_error(open_->path + ":" + std::to_string(open_->line_no)
                         + ": invalid UTF-8 (byte " + byte + " at column "
                         + std::to_string(bad + 1)
                         + "); set the corpus encoding to latin-1 if the file is Latin-1");
      }
      if (first_line == 0) {
        first_line = open_->line_no;
        doc.start = {file_, line_start};
        doc.text = std::move(line);
      } else {
        doc.text += ' ';
        doc.text += line;
      }
      if (options_.layout == corpus_layout::lines)
        break;
    }
    if (first_line != 0)
      return doc;
    open_.reset(); // the end of this file
    ++file_;
  }
  return std::nullopt;
}

std::optional<corpus_document> corpus_reader::next() {
  if (pending_)
    return std::exchange(pending_, std::nullopt);
  while (auto doc = read_document()) {
    if (options_.dedup && !seen_.insert(fnv1a64{}.add(doc->text).value()).second)
      continue;
    doc->heldout = is_heldout(doc->text);
    return doc;
  }
  return std::nullopt;
}

void corpus_reader::seek(const corpus_cursor& at) {
  if (at.file > files_.size() || (at.file == files_.size() && at.offset > 0))
    throw data_error("corpus cursor (file " + std::to_string(at.file) + ", offset "
                     + std::to_string(at.offset) + ") is beyond the corpus's "
                     + std::to_string(files_.size()) + " files");
  seen_.clear();
  open_.reset();
  pending_.reset();
  file_ = 0;
  auto before = [&](const corpus_cursor& c) {
    return c.file < at.file || (c.file == at.file && c.offset < at.offset);
  };
  if (options_.dedup) { // the duplicate set needs every document before `at`
    while (auto doc = next())
      if (!before(doc->start)) { // the document at `at`: handed out by the next next()
        pending_ = std::move(doc);
        break;
      }
  } else {
    file_ = at.file;
    std::string line;
    if (file_ < files_.size())
      open_ = std::make_unique<open_file>(files_[file_]);
    while (before(cursor()) && open_->read_line(line)) {
    }
  }
  const auto c = cursor(); // with dedup, blank lines before the next document may lie between
  if (options_.dedup ? before(c) : (c.file != at.file || c.offset != at.offset))
    throw data_error("corpus cursor (file " + std::to_string(at.file) + ", offset "
                     + std::to_string(at.offset) + ") is not where a document of "
                     + (at.file < files_.size() ? files_[at.file] : std::string{"the corpus"})
                     + " starts: the corpus changed since the checkpoint");
}

} // namespace axon::data
