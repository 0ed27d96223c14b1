// The value scanner of config files and `--group.key=value` overrides: one value as
// written (quoted, bare or a one-line list), before it is converted to a key's type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace axon::config {

/// A comment line or trailing comment: starts with ';' or '#'.
bool is_comment(std::string_view text);

/// Group and key names: letters, digits, '-' and '_'.
bool is_name(std::string_view text);

/// A value as written: quoted ("..." or CAF's atom '...'), bare (numbers, true/false,
/// timespans, and strings on the command line) or a one-line list of those.
struct raw_value {
  enum class form { quoted, bare, list } kind = form::bare;
  std::string text;             // quoted: without quotes, escapes resolved; bare: as is
  std::vector<raw_value> items; // list
  std::string source;           // as written, for messages
};

struct scan_result {
  raw_value value;
  std::string problem; // "" when the scan succeeded
};

/// Scans one value from `text`: a file line's text after '=' (`in_file`: a bare value ends
/// at a comment) or an override's text after '=' (a bare value is all of it).
scan_result scan_value(std::string_view text, bool in_file);

} // namespace axon::config
