// Loading a config: a line-based reader of CAF's INI format (values scanned by scan.hpp),
// `--group.key=value` overrides, typed conversion with "did you mean" suggestions
// (suggest.hpp), and the schema's rules across keys.
#include "runtime/config/load.hpp"

#include "runtime/config/scan.hpp"
#include "runtime/config/suggest.hpp"
#include "runtime/config/values.hpp"
#include "runtime/path_text.hpp"
#include "runtime/whole_file.hpp"

#include <algorithm>
#include <cctype>

namespace axon::config {

namespace {

struct conversion {
  std::optional<value> result;
  std::string problem; // when there is no result
  std::string hint;    // "did you mean ...", after the allowed values
};

/// The real numbers of "0.8, 0.1, 0.1" (a quoted or bare text), or nothing.
std::optional<std::vector<double>> parse_real_list(std::string_view text) {
  std::vector<double> result;
  std::size_t pos = 0;
  while (true) {
    auto comma = text.find(',', pos);
    auto number = parse_real(trim(text.substr(pos, comma == std::string_view::npos ? comma
                                                                                   : comma - pos)));
    if (!number)
      return std::nullopt;
    result.push_back(*number);
    if (comma == std::string_view::npos)
      return result;
    pos = comma + 1;
  }
}

/// "a, b,c" -> {"a", "b", "c"}; "" -> {}.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  for (std::size_t pos = 0; !trim(text).empty() && pos <= text.size();) {
    auto comma = text.find(',', pos);
    items.emplace_back(trim(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos)));
    if (comma == std::string_view::npos)
      break;
    pos = comma + 1;
  }
  return items;
}

/// Bare text, parsed by `parse` (parse_int, parse_real, parse_timespan).
template <class Parse>
std::optional<value> from_bare(const raw_value& raw, Parse parse) {
  if (raw.kind != raw_value::form::bare)
    return std::nullopt;
  if (auto parsed = parse(raw.text))
    return value{*parsed};
  return std::nullopt;
}

/// `raw` as a value of `key`'s type, in range. Bare strings are accepted only on the
/// command line (`bare_strings`); in files strings are quoted, as in CAF.
conversion convert(const key_spec& key, const raw_value& raw, bool bare_strings) {
  conversion c;
  switch (key.type) {
    case value_type::integer: c.result = from_bare(raw, parse_int); break;
    case value_type::real: c.result = from_bare(raw, parse_real); break;
    case value_type::timespan: c.result = from_bare(raw, parse_timespan); break;
    case value_type::boolean:
      if (raw.kind == raw_value::form::bare && (raw.text == "true" || raw.text == "false"))
        c.result = raw.text == "true";
      break;
    case value_type::string:
    case value_type::path:
    case value_type::choice:
      if (raw.kind == raw_value::form::bare && !bare_strings)
        return {std::nullopt, "strings are written in double quotes: " + quote(raw.text), ""};
      if (raw.kind != raw_value::form::list)
        c.result = raw.text;
      break;
    case value_type::real_list:
      if (raw.kind != raw_value::form::list) {
        if (auto list = parse_real_list(raw.text))
          c.result = std::move(*list);
        break;
      }
      c.result = std::vector<double>{};
      for (const auto& item : raw.items) {
        auto number = from_bare(item, parse_real);
        if (!number) {
          c.result.reset();
          break;
        }
        std::get<std::vector<double>>(*c.result).push_back(std::get<double>(*number));
      }
      break;
    case value_type::string_list:
      if (raw.kind != raw_value::form::list) {
        if (raw.kind == raw_value::form::bare && bare_strings) // --g.k=a,b on a command line
          c.result = split_list(raw.text);
        break;
      }
      c.result = std::vector<std::string>{};
      for (const auto& item : raw.items) {
        if (item.kind != raw_value::form::quoted && !bare_strings)
          return {std::nullopt, "list strings are written in double quotes: " + quote(item.text),
                  ""};
        std::get<std::vector<std::string>>(*c.result).push_back(item.text);
      }
      break;
  }
  if (!c.result) {
    c.problem = "wrong type";
  } else if (!is_allowed(key, *c.result)) {
    c.problem = key.type == value_type::choice ? "not an allowed value" : "out of range";
    if (key.type == value_type::choice)
      if (auto guess = closest(std::get<std::string>(*c.result), key.choices); !guess.empty())
        c.hint = " (did you mean " + quote(guess) + "?)";
    c.result.reset();
  }
  return c;
}

} // namespace

/// Reads file lines and overrides into values, collecting every error, then runs the rules.
class config_loader {
public:
  config_loader(const schema& keys, std::string_view file_name)
    : keys_(keys), file_(file_name), set_at_(keys.keys().size()),
      file_line_(keys.keys().size(), 0) {
    for (const auto& key : keys.keys())
      values_.push_back(key.default_value);
  }

  void read_text(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) // UTF-8 byte-order mark
      text.remove_prefix(3);
    std::size_t number = 1;
    for (std::size_t pos = 0; pos <= text.size(); ++number) {
      auto end = text.find('\n', pos);
      if (end == std::string_view::npos)
        end = text.size();
      read_line(trim(text.substr(pos, end - pos)), number);
      pos = end + 1;
    }
  }

  void apply_overrides(std::span<const std::string> overrides) {
    for (const auto& word : overrides) {
      auto eq = word.find('=');
      std::string name = word.substr(0, eq);
      auto dot = name.find('.');
      if (!name.starts_with("--") || dot == std::string::npos ||
          !is_name(name.substr(2, dot - 2))) {
        fail(name, "bad override " + quote(word) + ": expected --group.key=value");
        continue;
      }
      const std::string group = name.substr(2, dot - 2), full = name.substr(2);
      if (!keys_.has_group(group)) {
        fail(name, unknown_group_message(group));
        continue;
      }
      auto index = keys_.find(full);
      if (!index) {
        fail(name, unknown_key_message(group, name.substr(dot + 1)));
        continue;
      }
      const auto& key = keys_.keys()[*index];
      if (eq == std::string::npos && key.type != value_type::boolean) {
        fail(name, "bad override " + quote(word) + ": expected --" + full + "=VALUE, " +
                     describe_allowed(key));
        continue;
      }
      auto scanned = scan_value(eq == std::string::npos ? "true" : word.substr(eq + 1), false);
      if (!scanned.problem.empty())
        fail(name, full + " = " + scanned.value.source + ": " + scanned.problem);
      else
        assign(*index, scanned.value, name, true);
    }
  }

  load_result finish() {
    load_result result;
    if (errors_.empty()) {
      resolved_config resolved(keys_, values_);
      for (const auto& r : keys_.rules())
        if (auto problem = r.check(resolved); !problem.empty())
          fail(first_set(r.keys), problem);
      if (errors_.empty())
        result.resolved = std::move(resolved);
    }
    result.errors = std::move(errors_);
    return result;
  }

private:
  void fail(std::string where, std::string message) {
    errors_.push_back({std::move(where), std::move(message)});
  }

  void read_line(std::string_view line, std::size_t number) {
    if (line.empty() || is_comment(line))
      return;
    const std::string where = file_ + ":" + std::to_string(number);
    const std::string malformed = "malformed line " + quote(line) +
                                  ": expected [group], key = value, or a ; comment";
    if (line.starts_with('[')) {
      auto close = line.find(']');
      auto name = trim(line.substr(1, close == std::string_view::npos ? 0 : close - 1));
      auto after = close == std::string_view::npos ? line : trim(line.substr(close + 1));
      if (close == std::string_view::npos || !is_name(name) ||
          !(after.empty() || is_comment(after)))
        return fail(where, malformed);
      group_ = name;
      group_known_ = keys_.has_group(group_);
      if (!group_known_)
        fail(where, unknown_group_message(group_));
      return;
    }
    auto eq = line.find('=');
    auto name = trim(line.substr(0, eq));
    if (eq == std::string_view::npos || !is_name(name))
      return fail(where, malformed);
    if (group_.empty())
      return fail(where, "key " + std::string{name} + " is outside of any [group]");
    if (!group_known_)
      return; // reported once, at the group's line
    const std::string full = group_ + "." + std::string{name};
    auto index = keys_.find(full);
    if (!index)
      return fail(where, unknown_key_message(group_, name));
    if (file_line_[*index] != 0)
      return fail(where, "duplicate key " + full + " (first set at " + file_ + ":" +
                           std::to_string(file_line_[*index]) + ")");
    file_line_[*index] = number;
    auto scanned = scan_value(line.substr(eq + 1), true);
    if (!scanned.problem.empty())
      return fail(where, full + " = " + scanned.value.source + ": " + scanned.problem);
    assign(*index, scanned.value, where, false);
  }

  void assign(std::size_t index, const raw_value& raw, const std::string& where,
              bool bare_strings) {
    const auto& key = keys_.keys()[index];
    auto c = convert(key, raw, bare_strings);
    if (!c.result)
      return fail(where, key.full_name() + " = " + raw.source + ": " + c.problem +
                           "; allowed: " + describe_allowed(key) + c.hint);
    values_[index] = std::move(*c.result);
    set_at_[index] = where;
  }

  std::string unknown_group_message(std::string_view group) const {
    std::vector<std::string> names;
    for (const auto& g : keys_.groups())
      names.push_back(g.name);
    auto guess = closest(group, names);
    if (!guess.empty())
      return "unknown group [" + std::string{group} + "] (did you mean [" + guess + "]?)";
    std::string list;
    for (const auto& name : names)
      list += (list.empty() ? "" : ", ") + name;
    return "unknown group [" + std::string{group} + "]; groups: " + list;
  }

  /// Suggests a key of the same group, or of another group at one more edit (so that a key
  /// in the wrong group is found: train.hidden -> model.hidden).
  std::string unknown_key_message(std::string_view group, std::string_view name) const {
    const key_spec* best = nullptr;
    std::size_t best_distance = typo_limit(name) + 1;
    for (const auto& key : keys_.keys()) {
      auto d = edit_distance(name, key.name) + (key.group == group ? 0 : 1);
      if (d < best_distance) {
        best = &key;
        best_distance = d;
      }
    }
    const std::string full = std::string{group} + "." + std::string{name};
    if (best != nullptr)
      return "unknown key " + full + " (did you mean " + best->full_name() + "?)";
    return "unknown key " + full + " (`axon config docs` lists the keys of [" +
           std::string{group} + "])";
  }

  /// Where the first of `names` that was set was set; the file when all are defaults.
  std::string first_set(const std::vector<std::string>& names) const {
    for (const auto& name : names)
      if (const auto& where = set_at_[*keys_.find(name)]; !where.empty())
        return where;
    return file_;
  }

  const schema& keys_;
  std::string file_;
  std::vector<value> values_;
  std::vector<std::string> set_at_;    // where each key was last set; "" = default
  std::vector<std::size_t> file_line_; // the file line that set each key; 0 = none
  std::string group_;                  // the current [group]; "" before the first
  bool group_known_ = false;
  std::vector<config_error> errors_;
};

std::string load_result::error_text() const {
  std::string text;
  for (const auto& error : errors)
    text += error.text() + "\n";
  return text;
}

load_result load_config(std::string_view text, std::string_view file_name,
                        std::span<const std::string> overrides, const schema& keys) {
  config_loader loader(keys, file_name);
  loader.read_text(text);
  loader.apply_overrides(overrides);
  return loader.finish();
}

load_result load_config_file(const std::string& file, std::span<const std::string> overrides,
                             const schema& keys) {
  auto text = read_whole_file(file);
  if (!text.error.empty()) {
    load_result result;
    result.errors.push_back({path_in_error(file), text.error});
    return result;
  }
  return load_config(text.bytes, file, overrides, keys);
}

} // namespace axon::config
