// CSV reader (RFC 4180): quoted fields may hold commas, newlines and "" for a quote.
// A malformed record is reported at the line where it starts.
#include "runtime/data/readers.hpp"

#include <algorithm>

namespace axon::data {

namespace {

bool at_record_end(std::string_view text, std::size_t pos) {
  return pos == text.size() || text[pos] == '\n' ||
         (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n');
}

/// Parses the record at `pos` into `fields` and moves `pos` and `line` past it. Returns
/// what is wrong ("" when nothing is); after an error they are past the bad line.
std::string next_record(std::string_view text, std::size_t& pos, std::size_t& line,
                        std::vector<std::string>& fields) {
  fields.assign(1, std::string{});
  auto fail = [&](std::string what) {
    auto newline = text.find('\n', pos);
    pos = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line;
    return what;
  };
  bool at_field_start = true;
  while (!at_record_end(text, pos)) {
    char c = text[pos];
    if (c == '"' && at_field_start) {
      ++pos;
      for (;;) {
        auto quote = text.find('"', pos);
        if (quote == std::string_view::npos) {
          pos = text.size();
          return "unterminated quoted field (unbalanced '\"')";
        }
        auto chunk = text.substr(pos, quote - pos);
        fields.back().append(chunk);
        line += std::count(chunk.begin(), chunk.end(), '\n');
        pos = quote + 1;
        if (pos < text.size() && text[pos] == '"') {
          fields.back() += '"';
          ++pos;
          continue;
        }
        break;
      }
      if (!at_record_end(text, pos) && text[pos] != ',')
        return fail("text after the closing quote of a field");
      at_field_start = false;
    } else if (c == ',') {
      fields.emplace_back();
      at_field_start = true;
      ++pos;
    } else if (c == '"') {
      return fail("quote inside an unquoted field (quote the whole field and double the quote)");
    } else {
      fields.back() += c;
      at_field_start = false;
      ++pos;
    }
  }
  pos += pos < text.size() && text[pos] == '\r' ? 2 : 1;
  ++line;
  return {};
}

} // namespace

labelled_dataset read_csv(const std::string& file, const read_options& options) {
  auto encoding = options.encoding.value_or(text_encoding::utf8);
  const std::string text = read_text_file(file, encoding);
  dataset_builder rows(file, options);
  std::size_t pos = 0, line = 1;
  std::vector<std::string> fields;
  if (auto what = next_record(text, pos, line, fields); !what.empty())
    throw rows.error(1, what);
  const std::vector<std::string> header = fields;
  const auto columns = find_columns(header, options, file);
  while (pos < text.size()) {
    const std::size_t record_line = line;
    if (auto what = next_record(text, pos, line, fields); !what.empty()) {
      rows.reject(record_line, what);
      continue;
    }
    if (fields.size() == 1 && trim(fields[0]).empty())
      continue; // blank line
    add_table_row(rows, record_line, fields, header.size(), columns);
  }
  return rows.finish();
}

} // namespace axon::data
