// The shared part of the dataset readers: file loading and decoding, line iteration,
// header lookup, and the row builder with its on-error policy (see labelled_data.hpp).
#include "runtime/data/labelled_data.hpp"

#include "runtime/data/utf8.hpp"
#include "runtime/path_text.hpp"
#include "runtime/whole_file.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace axon::data {

namespace {
constexpr std::size_t kept_skip_reasons = 20;
}

text_encoding parse_text_encoding(std::string_view name) {
  if (name == "utf8" || name == "utf-8" || name == "UTF-8")
    return text_encoding::utf8;
  if (name == "latin-1" || name == "latin1" || name == "iso-8859-1" || name == "ISO-8859-1")
    return text_encoding::latin1;
  if (name == "detect" || name == "auto")
    return text_encoding::detect;
  throw data_error("unknown encoding '" + std::string{name} +
                   "' (expected utf-8, latin-1 or auto)");
}

dataset_builder::dataset_builder(std::string file, const read_options& options)
    : file_(std::move(file)), options_(options) {
}

data_error dataset_builder::error(std::size_t line, std::string_view what) const {
  return data_error(file_ + ":" + std::to_string(line) + ": " + std::string{what});
}

void dataset_builder::reject(std::size_t line, std::string_view what) {
  auto message = error(line, what);
  if (options_.bad_lines == on_bad_line::fail)
    throw message;
  ++result_.skipped_lines;
  if (result_.skip_reasons.size() < kept_skip_reasons)
    result_.skip_reasons.emplace_back(message.what());
}

bool dataset_builder::check_utf8(std::size_t line, std::string_view bytes) {
  auto bad = find_invalid_utf8(bytes);
  if (bad == std::string_view::npos)
    return true;
  auto before = bytes.substr(0, bad);
  auto bad_line = line + std::count(before.begin(), before.end(), '\n');
  auto line_start = before.rfind('\n');
  auto column = line_start == std::string_view::npos ? bad + 1 : bad - line_start;
  std::ostringstream what;
  what << "invalid UTF-8 (byte 0x" << std::hex << int(static_cast<unsigned char>(bytes[bad]))
       << std::dec << " at column " << column << ")";
  reject(bad_line, what.str());
  return false;
}

void dataset_builder::add(std::size_t line, std::string text, std::string_view label) {
  label = trim(label);
  if (label.empty())
    return reject(line, "no label");
  if (!check_utf8(line, text) || !check_utf8(line, label))
    return;
  // A label is a class name: a control character (a NUL, say) would make a class of its
  // own that no one can type.
  if (auto bad = std::find_if(label.begin(), label.end(),
                              [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
      bad != label.end()) {
    std::ostringstream what;
    what << "label '" << std::string{label.begin(), bad} << "...' has a control character (byte 0x"
         << std::hex << std::setw(2) << std::setfill('0') << int(static_cast<unsigned char>(*bad))
         << ")";
    return reject(line, what.str());
  }
  if (!options_.label_set.empty() &&
      std::find(options_.label_set.begin(), options_.label_set.end(), label) ==
        options_.label_set.end()) {
    std::string known;
    for (const auto& name : options_.label_set)
      known += (known.empty() ? "" : ", ") + name;
    return reject(line, "unknown label '" + std::string{label} + "' (expected one of: " +
                          known + ")");
  }
  result_.texts.push_back(std::move(text));
  labels_as_text_.emplace_back(label);
  result_.source_lines.push_back(line);
}

labelled_dataset dataset_builder::finish() {
  if (result_.texts.empty())
    throw data_error(file_ + ": no examples" +
                     (result_.skipped_lines ? " (all " + std::to_string(result_.skipped_lines) +
                                                " lines were bad)"
                                            : std::string{}));
  auto& names = result_.label_names;
  if (!options_.label_set.empty()) {
    names = options_.label_set;
  } else {
    names = labels_as_text_;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  result_.labels.reserve(labels_as_text_.size());
  for (const auto& label : labels_as_text_)
    result_.labels.push_back(static_cast<std::int32_t>(
      std::find(names.begin(), names.end(), label) - names.begin()));
  return std::move(result_);
}

std::string read_text_file(const std::string& file, text_encoding& encoding) {
  auto read = read_whole_file(file);
  if (!read.error.empty())
    throw data_error(path_in_error(file) + ": " + read.error);
  std::string bytes = std::move(read.bytes);
  if (bytes.starts_with("\xEF\xBB\xBF"))
    bytes.erase(0, 3);
  if (trim(bytes).empty())
    throw data_error(file + ": empty file");
  if (encoding == text_encoding::detect)
    encoding = find_invalid_utf8(bytes) == std::string_view::npos ? text_encoding::utf8
                                                                   : text_encoding::latin1;
  if (encoding == text_encoding::latin1)
    return latin1_to_utf8(bytes);
  return bytes;
}

void for_each_line(std::string_view text,
                   const std::function<void(std::size_t, std::string_view)>& on_line) {
  std::size_t line_number = 0, begin = 0;
  while (begin < text.size()) {
    ++line_number;
    auto end = text.find('\n', begin);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(begin, end - begin);
    if (line.ends_with('\r'))
      line.remove_suffix(1);
    if (!trim(line).empty())
      on_line(line_number, line);
    begin = end + 1;
  }
}

column_positions find_columns(const std::vector<std::string>& header, const read_options& options,
                              const std::string& file) {
  auto position = [&](const std::string& name) {
    auto found = std::find_if(header.begin(), header.end(),
                              [&](const std::string& column) { return trim(column) == name; });
    if (found == header.end()) {
      std::string present;
      bool carriage_return = false; // inside a column: lines that end in CR alone
      for (const auto& column : header) {
        present += (present.empty() ? "'" : ", '") + column + "'";
        carriage_return = carriage_return || column.find('\r') != std::string::npos;
      }
      throw data_error(file + ":1: no column '" + name + "' in the header (columns: " + present
                       + ")"
                       + (carriage_return ? "; its lines end in a carriage return alone (classic "
                                            "Mac): convert them to \\n or \\r\\n line ends"
                                          : ""));
    }
    return static_cast<std::size_t>(found - header.begin());
  };
  return {position(options.text_column), position(options.label_column)};
}

void add_table_row(dataset_builder& rows, std::size_t line, std::vector<std::string>& fields,
                   std::size_t header_fields, column_positions columns) {
  if (fields.size() != header_fields)
    return rows.reject(line, "expected " + std::to_string(header_fields) + " fields as in the header, found " +
                               std::to_string(fields.size()));
  rows.add(line, std::move(fields[columns.text]), fields[columns.label]);
}

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

} // namespace axon::data
