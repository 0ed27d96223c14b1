// What every dataset reader shares: the read options, the result (texts with label ids),
// the error type, and the builder that checks rows and applies the on-error policy.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace axon::data {

/// Bad input. The message names the file, the line when there is one, and what is wrong:
/// "train.csv:12: unterminated quoted field".
class data_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

enum class text_encoding {
  utf8,   ///< invalid UTF-8 is an error (per line)
  latin1, ///< ISO-8859-1, converted to UTF-8
  detect, ///< UTF-8 when the whole file is valid UTF-8, else ISO-8859-1
};
/// "utf-8"/"utf8", "latin-1"/"latin1"/"iso-8859-1", "auto"/"detect"; throws data_error otherwise.
text_encoding parse_text_encoding(std::string_view name);

enum class on_bad_line {
  fail, ///< the first bad line throws data_error
  skip, ///< bad lines are skipped and counted
};

struct read_options {
  std::string text_column = "text";   // CSV/TSV header name or JSONL key
  std::string label_column = "label"; // ditto
  /// Fixed label set (ids in this order): other labels are bad lines. Empty: the labels
  /// found in the data, sorted, are the set.
  std::vector<std::string> label_set;
  on_bad_line bad_lines = on_bad_line::fail;
  /// Unset: the format's default (detect for Financial PhraseBank, utf8 for the others).
  std::optional<text_encoding> encoding;
};

struct labelled_dataset {
  std::vector<std::string> texts;        // UTF-8
  std::vector<std::int32_t> labels;      // index into label_names, one per text
  std::vector<std::string> label_names;  // sorted, or options.label_set as given
  std::vector<std::size_t> source_lines; // 1-based line where each row starts
  std::size_t skipped_lines = 0;         // bad lines skipped (on_bad_line::skip)
  std::vector<std::string> skip_reasons; // the first few skipped lines' messages
};

/// Collects the rows of one file: checks UTF-8 and labels, and throws or counts bad lines.
class dataset_builder {
public:
  dataset_builder(std::string file, const read_options& options);

  /// A row whose record starts on `line`. Bad UTF-8 or an unknown label makes it a bad line.
  void add(std::size_t line, std::string text, std::string_view label);
  /// A bad line: throws data_error("FILE:LINE: what") or counts it, per the options.
  void reject(std::size_t line, std::string_view what);
  /// False (after reject) when `bytes`, which starts on `line`, is not valid UTF-8.
  bool check_utf8(std::size_t line, std::string_view bytes);
  /// "FILE:LINE: what", for errors that no on-error policy may skip.
  data_error error(std::size_t line, std::string_view what) const;
  /// The rows with label ids; throws when no row was read.
  labelled_dataset finish();

  const std::string& file() const { return file_; }

private:
  std::string file_;
  const read_options& options_;
  std::vector<std::string> labels_as_text_;
  labelled_dataset result_;
};

/// The bytes of `file` in UTF-8: a UTF-8 byte-order mark is dropped; latin1 and detect
/// convert. Throws data_error for a missing, unreadable or empty file. `encoding` is
/// resolved: detect becomes utf8 or latin1, so the caller knows what it got.
std::string read_text_file(const std::string& file, text_encoding& encoding);

/// Calls `on_line(line_number, line)` for each line of `text` (LF or CRLF endings),
/// skipping lines that are empty or only whitespace.
void for_each_line(std::string_view text,
                   const std::function<void(std::size_t, std::string_view)>& on_line);

/// Index of the text and label columns in a header row; throws data_error naming the
/// missing column and the columns present.
struct column_positions {
  std::size_t text;
  std::size_t label;
};
column_positions find_columns(const std::vector<std::string>& header, const read_options& options,
                              const std::string& file);

/// Adds one row of a table with a header (CSV, TSV): a row whose field count differs
/// from the header's is a bad line.
void add_table_row(dataset_builder& rows, std::size_t line, std::vector<std::string>& fields,
                   std::size_t header_fields, column_positions columns);

/// `text` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

} // namespace axon::data
