// Lines of a file descriptor in batches, as they arrive: next() blocks until at least one
// complete line (or the end of input) is there, then returns the lines already read, at
// most `max_lines`. A pipe thus gives full batches and a terminal gives each line as soon
// as it is typed (`axon predict` answers it before the next one). Memory stays bounded
// whatever the input: a line keeps its first `max_bytes` bytes (cut at a UTF-8 character
// boundary), or less where a line_reach says the rest cannot matter, and the rest of it
// is read and dropped.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace axon::app {

/// How much of a long line can matter to its reader (token_reach.hpp: what the model can
/// see of it). Told the line read so far after each read (the line grows between calls;
/// reset() starts the next line), it answers the length of a prefix that holds all that
/// matters, or npos while that is not known yet.
class line_reach {
public:
  static constexpr std::size_t npos = std::string_view::npos;
  virtual ~line_reach() = default;
  virtual void reset() = 0;
  virtual std::size_t enough(std::string_view line_so_far) = 0;
};

class line_batches {
public:
  /// `reach` (may be null: lines are cut at max_bytes only) must outlive this.
  line_batches(int fd, std::size_t max_lines, std::size_t max_bytes, line_reach* reach = nullptr);

  /// The next lines, without '\n' or a trailing '\r'; empty at the end of input. Throws
  /// std::runtime_error when reading fails.
  std::vector<std::string> next();
  /// Which lines of the last next() were cut (at max_bytes, or where the reach said).
  const std::vector<bool>& cut() const { return cut_; }

  /// Lines cut so far.
  std::size_t truncated() const { return truncated_; }

private:
  void read_some();      // one read(2): complete lines go to lines_
  void end_line();       // current_ becomes a complete line

  int fd_;
  std::size_t max_lines_, max_bytes_;
  line_reach* reach_;
  std::deque<std::pair<std::string, bool>> lines_; // and whether it was cut
  std::vector<bool> cut_;
  std::string current_;
  bool current_cut_ = false; // bytes of the current line were dropped
  bool dropping_ = false;    // the rest of the current line is dropped (the reach said)
  bool eof_ = false;
  std::size_t truncated_ = 0;
};

} // namespace axon::app
