// Loading a config: CAF's INI format (`[group]`, `key = value`, `;`/`#` comments, quoted
// strings, numbers, true/false, lists, timespans) plus `--group.key=value` overrides,
// validated against a schema. Every error names file:line or the flag, and what is allowed.
#pragma once

#include "runtime/config/resolved_config.hpp"
#include "runtime/config/train_schema.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axon::config {

struct config_error {
  std::string where;   // "job.ini:12", "--train.lr", or "job.ini" for a missing key
  std::string message; // "unknown key train.epocs (did you mean train.epochs?)"

  /// "where: message".
  std::string text() const { return where + ": " + message; }
};

struct load_result {
  std::optional<resolved_config> resolved; // set when errors is empty
  std::vector<config_error> errors;        // in order: file lines, flags, rules

  /// Every error's text(), one per line.
  std::string error_text() const;
};

/// Parses `text` (the contents of `file_name`), applies `overrides` (each
/// "--group.key=value"; a later one beats an earlier one and the file; a bool key may be
/// given as "--group.key" alone) and, when every value is valid, checks the schema's rules.
load_result load_config(std::string_view text, std::string_view file_name,
                        std::span<const std::string> overrides,
                        const schema& keys = train_schema());

/// load_config of the contents of `file`; an unreadable file is an error.
load_result load_config_file(const std::string& file, std::span<const std::string> overrides,
                             const schema& keys = train_schema());

} // namespace axon::config
