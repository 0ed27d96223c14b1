// Lines of a file descriptor in batches, as they arrive: next() blocks until at least one
// complete line (or the end of input) is there, then returns the lines already read, at
// most `max_lines`. A pipe thus gives full batches and a terminal gives each line as soon
// as it is typed (`axon predict` answers it before the next one). Memory stays bounded
// whatever the input: a line keeps its first `max_bytes` bytes (cut at a UTF-8 character
// boundary) and the rest of it is read and dropped.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

namespace axon::app {

class line_batches {
public:
  line_batches(int fd, std::size_t max_lines, std::size_t max_bytes);

  /// The next lines, without '\n' or a trailing '\r'; empty at the end of input. Throws
  /// std::runtime_error when reading fails.
  std::vector<std::string> next();

  /// Lines cut to max_bytes so far.
  std::size_t truncated() const { return truncated_; }

private:
  void read_some();      // one read(2): complete lines go to lines_
  void end_line();       // current_ becomes a complete line

  int fd_;
  std::size_t max_lines_, max_bytes_;
  std::deque<std::string> lines_;
  std::string current_;
  bool current_cut_ = false, eof_ = false;
  std::size_t truncated_ = 0;
};

} // namespace axon::app
