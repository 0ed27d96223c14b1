// Config values as text: parsing and formatting of scalars and typed values.
#include "runtime/config/values.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

namespace axon::config {

namespace {

using std::chrono::nanoseconds;

struct time_unit {
  std::string_view suffix;
  std::int64_t ns;
};
// Matched in this order: the suffixes that end in "s" come before "s".
constexpr std::array<time_unit, 6> time_units{{{"ns", 1},
                                               {"us", 1'000},
                                               {"ms", 1'000'000},
                                               {"min", 60'000'000'000},
                                               {"h", 3'600'000'000'000},
                                               {"s", 1'000'000'000}}};

/// "+3" -> "3"; "+-3" stays (and fails to parse).
std::string_view drop_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-')
    text.remove_prefix(1);
  return text;
}

} // namespace

std::optional<std::pair<std::string, std::string>> split_pair(std::string_view entry) {
  auto eq = entry.find('=');
  if (eq == std::string_view::npos)
    return std::nullopt;
  auto left = trim(entry.substr(0, eq)), right = trim(entry.substr(eq + 1));
  if (left.empty() || right.empty())
    return std::nullopt;
  return std::pair{std::string{left}, std::string{right}};
}

std::string_view trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = drop_plus(text);
  std::int64_t result = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    return std::nullopt;
  return result;
}

std::optional<double> parse_real(std::string_view text) {
  text = drop_plus(text);
  double result = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() ||
      !std::isfinite(result))
    return std::nullopt;
  return result;
}

std::optional<nanoseconds> parse_timespan(std::string_view text) {
  for (const auto& unit : time_units) {
    if (!text.ends_with(unit.suffix))
      continue;
    auto count = parse_int(text.substr(0, text.size() - unit.suffix.size()));
    const auto limit = std::numeric_limits<std::int64_t>::max() / unit.ns;
    if (!count || *count > limit || *count < -limit)
      return std::nullopt;
    return nanoseconds{*count * unit.ns};
  }
  return std::nullopt;
}

std::string format_real(double x) {
  std::array<char, 32> buffer;
  auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x).ptr;
  std::string text(buffer.data(), end);
  // "5e-04" -> "5e-4", "1e+20" -> "1e20"; "1" -> "1.0".
  if (auto e = text.find('e'); e != std::string::npos) {
    std::size_t digits = e + 1;
    if (text[digits] == '+')
      text.erase(digits, 1);
    else if (text[digits] == '-')
      ++digits;
    while (digits + 1 < text.size() && text[digits] == '0')
      text.erase(digits, 1);
  } else if (text.find('.') == std::string::npos) {
    text += ".0";
  }
  return text;
}

std::string format_timespan(nanoseconds span) {
  // The largest unit that divides the count; ns always does.
  const time_unit* best = &time_units[0];
  for (const auto& unit : time_units)
    if (span.count() % unit.ns == 0 && unit.ns > best->ns)
      best = &unit;
  return std::to_string(span.count() / best->ns) + std::string{best->suffix};
}

std::string quote(std::string_view text) {
  std::string result = "\"";
  for (char c : text) {
    switch (c) {
      case '"': result += "\\\""; break;
      case '\\': result += "\\\\"; break;
      case '\n': result += "\\n"; break;
      case '\t': result += "\\t"; break;
      case '\r': result += "\\r"; break;
      default: result += c;
    }
  }
  return result + '"';
}

std::string format_value(const key_spec& key, const value& v) {
  switch (key.type) {
    case value_type::integer: return std::to_string(std::get<std::int64_t>(v));
    case value_type::real: return format_real(std::get<double>(v));
    case value_type::boolean: return std::get<bool>(v) ? "true" : "false";
    case value_type::string:
    case value_type::path:
    case value_type::choice: return quote(std::get<std::string>(v));
    case value_type::real_list: {
      std::string text = "[";
      for (double x : std::get<std::vector<double>>(v))
        text += (text.size() > 1 ? ", " : "") + format_real(x);
      return text + "]";
    }
    case value_type::string_list: {
      std::string text = "[";
      for (const auto& s : std::get<std::vector<std::string>>(v))
        text += (text.size() > 1 ? ", " : "") + quote(s);
      return text + "]";
    }
    case value_type::timespan: return format_timespan(std::get<nanoseconds>(v));
  }
  return {};
}

std::string describe_allowed(const key_spec& key) {
  const std::string in = key.range.text.empty() ? "" : " in " + key.range.text;
  switch (key.type) {
    case value_type::integer: return "an integer" + in;
    case value_type::real: return "a real number" + in;
    case value_type::boolean: return "true or false";
    case value_type::string: return "a string";
    case value_type::path: return "a path";
    case value_type::choice: {
      std::string text = "one of ";
      for (const auto& choice : key.choices)
        text += (&choice == &key.choices.front() ? "" : ", ") + quote(choice);
      return text;
    }
    case value_type::real_list:
      return "a list of real numbers" + (in.empty() ? "" : ", each" + in) + ", e.g. " +
             format_value(key, key.default_value);
    case value_type::string_list: return "a list of strings, e.g. [\"a\", \"b\"]";
    case value_type::timespan: return "a timespan such as 250ms or 5s" + in;
  }
  return {};
}

bool is_allowed(const key_spec& key, const value& v) {
  switch (key.type) {
    case value_type::integer:
      return key.range.contains(static_cast<double>(std::get<std::int64_t>(v)));
    case value_type::real: return key.range.contains(std::get<double>(v));
    case value_type::boolean:
    case value_type::string:
    case value_type::path:
    case value_type::string_list: return true;
    case value_type::choice:
      for (const auto& choice : key.choices)
        if (choice == std::get<std::string>(v))
          return true;
      return false;
    case value_type::real_list:
      for (double x : std::get<std::vector<double>>(v))
        if (!key.range.contains(x))
          return false;
      return true;
    case value_type::timespan:
      return key.range.contains(static_cast<double>(std::get<nanoseconds>(v).count()));
  }
  return false;
}

} // namespace axon::config
