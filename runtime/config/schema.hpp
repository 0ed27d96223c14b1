// The config schema: every key's group, name, type, default, allowed values and help, the
// groups' help and the rules across keys. Parsing, validation, to_ini() and the docs all
// read it; train_schema.cpp holds the keys of `axon train`, one line per key.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace axon::config {

class resolved_config;

enum class value_type {
  integer, real, boolean, string, path, choice, real_list, string_list, timespan
};

/// "int", "real", "bool", "string", "path", "enum", "list of reals", "list of strings" or
/// "timespan".
std::string_view type_name(value_type type);

/// A typed value. integer: int64_t, real: double, boolean: bool, string/path/choice:
/// std::string, real_list: std::vector<double>, string_list: std::vector<std::string>,
/// timespan: std::chrono::nanoseconds.
using value = std::variant<std::int64_t, double, bool, std::string, std::vector<double>,
                           std::vector<std::string>, std::chrono::nanoseconds>;

/// The allowed range of a number, of each element of a list, or of a timespan (in ns),
/// written in interval notation: "[1, inf)", "(0, 1]", "[10ms, 1min]". Empty: any value.
struct interval {
  std::string text;
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false;
  bool high_open = false;

  bool contains(double x) const;
};

struct key_spec {
  std::string group;
  std::string name;
  value_type type;
  value default_value;
  interval range;                   // integer, real, real_list, timespan
  std::vector<std::string> choices; // choice: the allowed values; the first is the default
  std::string help;                 // one line

  std::string full_name() const { return group + "." + name; }
};

// One line per key. `range` is interval notation (see interval); a bad one, or a default
// outside it, throws std::logic_error when the schema is built.
key_spec int_key(std::string group, std::string name, std::int64_t default_value,
                 std::string_view range, std::string help);
key_spec real_key(std::string group, std::string name, double default_value,
                  std::string_view range, std::string help);
key_spec bool_key(std::string group, std::string name, bool default_value, std::string help);
key_spec string_key(std::string group, std::string name, std::string default_value,
                    std::string help);
key_spec path_key(std::string group, std::string name, std::string default_value,
                  std::string help);
/// An enum of strings; the default is the first choice.
key_spec choice_key(std::string group, std::string name, std::vector<std::string> choices,
                    std::string help);
/// `range` applies to each element.
key_spec real_list_key(std::string group, std::string name, std::vector<double> default_value,
                       std::string_view range, std::string help);
/// A list of quoted strings (on the command line also bare, comma-separated).
key_spec string_list_key(std::string group, std::string name,
                         std::vector<std::string> default_value, std::string help);
key_spec timespan_key(std::string group, std::string name,
                      std::chrono::nanoseconds default_value, std::string_view range,
                      std::string help);

struct group_spec {
  std::string name;
  std::string help; // one or two sentences, for the docs
};

/// A check across keys, run once every key has a valid value.
struct rule {
  std::string text;              // what must hold, for the docs
  std::vector<std::string> keys; // the keys it reads; its error names where the first
                                 // of them that was set (file:line or flag) was set
  std::function<std::string(const resolved_config&)> check; // "" or the problem
};

class schema {
public:
  /// Throws std::logic_error for a key of an unlisted group, a key listed twice, a bad
  /// range or a default outside it, or a rule naming an unknown key.
  schema(std::vector<group_spec> groups, std::vector<key_spec> keys, std::vector<rule> rules);

  const std::vector<group_spec>& groups() const { return groups_; }
  const std::vector<key_spec>& keys() const { return keys_; }
  const std::vector<rule>& rules() const { return rules_; }

  /// Index into keys() of "group.name", or nothing.
  std::optional<std::size_t> find(std::string_view full_name) const;
  bool has_group(std::string_view name) const;

private:
  std::vector<group_spec> groups_;
  std::vector<key_spec> keys_;
  std::vector<rule> rules_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

} // namespace axon::config
