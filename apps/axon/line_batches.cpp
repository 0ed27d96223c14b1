#include "apps/axon/line_batches.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <unistd.h>

namespace axon::app {

namespace {

// Drops a UTF-8 sequence left incomplete at the end of `text` by a cut.
void drop_partial_character(std::string& text) {
  std::size_t continuation = 0;
  while (continuation < text.size() && continuation < 3
         && (static_cast<unsigned char>(text[text.size() - 1 - continuation]) & 0xC0) == 0x80)
    ++continuation;
  if (continuation == text.size())
    return;
  auto lead = static_cast<unsigned char>(text[text.size() - 1 - continuation]);
  std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (continuation + 1 < length)
    text.resize(text.size() - 1 - continuation);
}

} // namespace

line_batches::line_batches(int fd, std::size_t max_lines, std::size_t max_bytes,
                           line_reach* reach)
  : fd_{fd}, max_lines_{max_lines}, max_bytes_{max_bytes}, reach_{reach} {
  if (reach_)
    reach_->reset();
}

void line_batches::end_line() {
  if (current_cut_) {
    drop_partial_character(current_);
    ++truncated_;
  }
  if (!current_.empty() && current_.back() == '\r')
    current_.pop_back();
  lines_.emplace_back(std::move(current_), current_cut_);
  current_.clear();
  current_cut_ = dropping_ = false;
  if (reach_)
    reach_->reset();
}

void line_batches::read_some() {
  std::array<char, 65536> buffer;
  ssize_t got;
  do
    got = ::read(fd_, buffer.data(), buffer.size());
  while (got < 0 && errno == EINTR);
  if (got < 0)
    throw std::runtime_error(std::string{"cannot read the input: "} + std::strerror(errno));
  if (got == 0) {
    eof_ = true;
    if (!current_.empty() || current_cut_)
      end_line(); // a last line without '\n'
    return;
  }
  const char* p = buffer.data();
  const char* end = p + got;
  while (p < end) {
    const char* newline = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
    const char* stop = newline ? newline : end;
    const auto room = dropping_ ? 0 : max_bytes_ - std::min(max_bytes_, current_.size());
    const auto take = std::min<std::size_t>(room, std::size_t(stop - p));
    current_.append(p, take);
    current_cut_ = current_cut_ || take < std::size_t(stop - p);
    if (reach_ && take > 0)
      if (auto enough = reach_->enough(current_); enough != line_reach::npos) {
        current_cut_ = current_cut_ || enough < current_.size();
        current_.resize(enough);
        dropping_ = true;
      }
    if (newline)
      end_line();
    p = newline ? newline + 1 : end;
  }
}

std::vector<std::string> line_batches::next() {
  while (lines_.empty() && !eof_)
    read_some();
  std::vector<std::string> out;
  cut_.clear();
  while (!lines_.empty() && out.size() < max_lines_) {
    out.push_back(std::move(lines_.front().first));
    cut_.push_back(lines_.front().second);
    lines_.pop_front();
  }
  return out;
}

} // namespace axon::app
