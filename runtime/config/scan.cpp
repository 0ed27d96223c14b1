// The value scanner (scan.hpp): quoted strings with escapes, bare words, one-line lists.
#include "runtime/config/scan.hpp"

#include "runtime/config/values.hpp"

#include <algorithm>
#include <cctype>

namespace axon::config {

bool is_comment(std::string_view text) {
  return text.starts_with(';') || text.starts_with('#');
}

bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

namespace {

class value_scanner {
public:
  value_scanner(std::string_view text, bool in_file) : text_(text), in_file_(in_file) {
  }

  scan_result run() {
    scan_result result;
    skip_spaces();
    const auto start = pos_;
    if (at_end() && !in_file_) {
      // `--data.dev=` on a command line: the empty string (e.g. to unset a path).
      result.value.text = "";
    } else if (at_end() || (in_file_ && is_comment(rest()))) {
      result.problem = "missing value";
    } else if (peek() == '"' || peek() == '\'') {
      result.problem = scan_quoted(result.value);
    } else if (peek() == '[') {
      result.problem = scan_list(result.value);
    } else {
      auto end = in_file_ ? text_.find_first_of(";#", pos_) : std::string_view::npos;
      result.value.text = trim(text_.substr(pos_, end == std::string_view::npos ? end
                                                                                 : end - pos_));
      pos_ = end == std::string_view::npos ? text_.size() : end;
    }
    result.value.source = trim(text_.substr(start, pos_ - start));
    if (result.problem.empty()) {
      skip_spaces();
      if (!at_end() && !(in_file_ && is_comment(rest())))
        result.problem = "unexpected text after the value: " + std::string{trim(rest())};
    } else {
      result.value.source = trim(text_.substr(start)); // everything, for the message
    }
    return result;
  }

private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  std::string_view rest() const { return text_.substr(pos_); }
  void skip_spaces() {
    while (!at_end() && (peek() == ' ' || peek() == '\t'))
      ++pos_;
  }

  std::string scan_quoted(raw_value& out) {
    out.kind = raw_value::form::quoted;
    const char quote_char = text_[pos_++];
    for (; !at_end(); ++pos_) {
      char c = peek();
      if (c == quote_char) {
        ++pos_;
        return "";
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        char next = text_[++pos_];
        switch (next) {
          case 'n': out.text += '\n'; break;
          case 't': out.text += '\t'; break;
          case 'r': out.text += '\r'; break;
          case '"':
          case '\'':
          case '\\': out.text += next; break;
          default: out.text += std::string{'\\', next}; // C:\data stays as written
        }
        continue;
      }
      out.text += c;
    }
    return "unterminated string (no closing " + std::string(1, quote_char) + ")";
  }

  std::string scan_list(raw_value& out) {
    out.kind = raw_value::form::list;
    ++pos_; // '['
    skip_spaces();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return "";
    }
    while (true) {
      skip_spaces();
      raw_value item;
      const auto start = pos_;
      if (at_end())
        return "unterminated list (no closing ])";
      if (peek() == '[')
        return "lists of lists are not supported";
      if (peek() == '"' || peek() == '\'') {
        if (auto problem = scan_quoted(item); !problem.empty())
          return problem;
      } else {
        auto end = text_.find_first_of(",] \t", pos_);
        item.text = text_.substr(pos_, end == std::string_view::npos ? end : end - pos_);
        pos_ = end == std::string_view::npos ? text_.size() : end;
        if (item.text.empty())
          return "missing list element";
      }
      item.source = text_.substr(start, pos_ - start);
      out.items.push_back(std::move(item));
      skip_spaces();
      if (at_end())
        return "unterminated list (no closing ])";
      if (peek() == ']') {
        ++pos_;
        return "";
      }
      if (peek() != ',')
        return "expected ',' or ']' in the list";
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool in_file_;
};

} // namespace

scan_result scan_value(std::string_view text, bool in_file) {
  return value_scanner(text, in_file).run();
}

} // namespace axon::config
