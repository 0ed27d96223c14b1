// The config schema: key constructors, interval notation, and the consistency checks run
// when a schema is built.
#include "runtime/config/schema.hpp"

#include "runtime/config/values.hpp"

#include <stdexcept>

namespace axon::config {

namespace {

/// One end of an interval: "inf", "-inf", a number, or for timespans "10ms" (as ns).
double parse_bound(std::string_view text, value_type type, std::string_view whole) {
  text = trim(text);
  if (text == "inf" || text == "-inf")
    return text == "inf" ? std::numeric_limits<double>::infinity()
                         : -std::numeric_limits<double>::infinity();
  std::optional<double> bound;
  if (type == value_type::timespan) {
    if (auto span = parse_timespan(text))
      bound = static_cast<double>(span->count());
  } else {
    bound = parse_real(text);
  }
  if (!bound)
    throw std::logic_error("config schema: bad interval '" + std::string{whole} + "'");
  return *bound;
}

/// "[1, inf)" -> [1, +inf), low closed, high open. Empty text: any value.
interval parse_interval(std::string_view text, value_type type) {
  interval result;
  result.text = text;
  if (text.empty())
    return result;
  auto comma = text.find(',');
  if (text.size() < 5 || (text.front() != '[' && text.front() != '(') ||
      (text.back() != ']' && text.back() != ')') || comma == std::string_view::npos)
    throw std::logic_error("config schema: bad interval '" + std::string{text} + "'");
  result.low_open = text.front() == '(';
  result.high_open = text.back() == ')';
  result.low = parse_bound(text.substr(1, comma - 1), type, text);
  result.high = parse_bound(text.substr(comma + 1, text.size() - comma - 2), type, text);
  return result;
}

key_spec make_key(std::string group, std::string name, value_type type, value default_value,
                  std::string_view range, std::string help) {
  return key_spec{std::move(group), std::move(name), type,          std::move(default_value),
                  parse_interval(range, type),     {},              std::move(help)};
}

} // namespace

std::string_view type_name(value_type type) {
  switch (type) {
    case value_type::integer: return "int";
    case value_type::real: return "real";
    case value_type::boolean: return "bool";
    case value_type::string: return "string";
    case value_type::path: return "path";
    case value_type::choice: return "enum";
    case value_type::real_list: return "list of reals";
    case value_type::string_list: return "list of strings";
    case value_type::timespan: return "timespan";
  }
  return "";
}

bool interval::contains(double x) const {
  return (low_open ? x > low : x >= low) && (high_open ? x < high : x <= high);
}

key_spec int_key(std::string group, std::string name, std::int64_t default_value,
                 std::string_view range, std::string help) {
  return make_key(std::move(group), std::move(name), value_type::integer, default_value, range,
                  std::move(help));
}

key_spec real_key(std::string group, std::string name, double default_value,
                  std::string_view range, std::string help) {
  return make_key(std::move(group), std::move(name), value_type::real, default_value, range,
                  std::move(help));
}

key_spec bool_key(std::string group, std::string name, bool default_value, std::string help) {
  return make_key(std::move(group), std::move(name), value_type::boolean, default_value, "",
                  std::move(help));
}

key_spec string_key(std::string group, std::string name, std::string default_value,
                    std::string help) {
  return make_key(std::move(group), std::move(name), value_type::string,
                  std::move(default_value), "", std::move(help));
}

key_spec path_key(std::string group, std::string name, std::string default_value,
                  std::string help) {
  return make_key(std::move(group), std::move(name), value_type::path, std::move(default_value),
                  "", std::move(help));
}

key_spec choice_key(std::string group, std::string name, std::vector<std::string> choices,
                    std::string help) {
  if (choices.empty())
    throw std::logic_error("config schema: " + group + "." + name + " has no choices");
  auto key = make_key(std::move(group), std::move(name), value_type::choice, choices.front(),
                      "", std::move(help));
  key.choices = std::move(choices);
  return key;
}

key_spec real_list_key(std::string group, std::string name, std::vector<double> default_value,
                       std::string_view range, std::string help) {
  return make_key(std::move(group), std::move(name), value_type::real_list,
                  std::move(default_value), range, std::move(help));
}

key_spec string_list_key(std::string group, std::string name,
                         std::vector<std::string> default_value, std::string help) {
  return make_key(std::move(group), std::move(name), value_type::string_list,
                  std::move(default_value), "", std::move(help));
}

key_spec timespan_key(std::string group, std::string name,
                      std::chrono::nanoseconds default_value, std::string_view range,
                      std::string help) {
  return make_key(std::move(group), std::move(name), value_type::timespan, default_value, range,
                  std::move(help));
}

schema::schema(std::vector<group_spec> groups, std::vector<key_spec> keys,
               std::vector<rule> rules)
  : groups_(std::move(groups)), keys_(std::move(keys)), rules_(std::move(rules)) {
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const auto& key = keys_[i];
    if (!has_group(key.group))
      throw std::logic_error("config schema: " + key.full_name() + " is in an unlisted group");
    if (!index_.emplace(key.full_name(), i).second)
      throw std::logic_error("config schema: " + key.full_name() + " is listed twice");
    if (!is_allowed(key, key.default_value))
      throw std::logic_error("config schema: the default of " + key.full_name() +
                             " is not " + describe_allowed(key));
  }
  for (const auto& r : rules_)
    for (const auto& name : r.keys)
      if (!find(name))
        throw std::logic_error("config schema: rule '" + r.text + "' reads unknown key " + name);
}

std::optional<std::size_t> schema::find(std::string_view full_name) const {
  auto it = index_.find(full_name);
  if (it == index_.end())
    return std::nullopt;
  return it->second;
}

bool schema::has_group(std::string_view name) const {
  for (const auto& group : groups_)
    if (group.name == name)
      return true;
  return false;
}

} // namespace axon::config
