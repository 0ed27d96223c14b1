// resolved_config: typed getters, the INI text of a run directory and the config hash.
#include "runtime/config/resolved_config.hpp"

#include "runtime/fnv1a.hpp"

#include "runtime/config/values.hpp"

#include <stdexcept>

namespace axon::config {

template <class T>
const T& resolved_config::typed(std::string_view key) const {
  auto index = schema_->find(key);
  if (!index)
    throw std::logic_error("config: no key " + std::string{key} + " in the schema");
  const auto* result = std::get_if<T>(&values_[*index]);
  if (result == nullptr)
    throw std::logic_error("config: " + std::string{key} + " is of type " +
                           std::string{type_name(schema_->keys()[*index].type)});
  return *result;
}

std::int64_t resolved_config::get_int(std::string_view key) const {
  return typed<std::int64_t>(key);
}

double resolved_config::get_real(std::string_view key) const {
  return typed<double>(key);
}

bool resolved_config::get_bool(std::string_view key) const {
  return typed<bool>(key);
}

const std::string& resolved_config::get_string(std::string_view key) const {
  return typed<std::string>(key);
}

const std::vector<double>& resolved_config::get_reals(std::string_view key) const {
  return typed<std::vector<double>>(key);
}

const std::vector<std::string>& resolved_config::get_strings(std::string_view key) const {
  return typed<std::vector<std::string>>(key);
}

std::chrono::nanoseconds resolved_config::get_timespan(std::string_view key) const {
  return typed<std::chrono::nanoseconds>(key);
}

std::string resolved_config::to_ini() const {
  std::string text = "; Resolved config: every key, defaults included (`axon config docs`).\n"
                     "; hash " + hash() + "\n";
  for (const auto& group : schema_->groups()) {
    text += "\n[" + group.name + "]\n";
    for (std::size_t i = 0; i < values_.size(); ++i) {
      const auto& key = schema_->keys()[i];
      if (key.group != group.name)
        continue;
      text += "; " + key.help + "; " + describe_allowed(key) + "\n";
      text += key.name + " = " + format_value(key, values_[i]) + "\n";
    }
  }
  return text;
}

std::string resolved_config::canonical_text() const {
  std::string text;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const auto& key = schema_->keys()[i];
    text += key.full_name() + "=" + format_value(key, values_[i]) + "\n";
  }
  return text;
}

std::string resolved_config::hash() const {
  return fnv1a64{}.add(canonical_text()).hex();
}

} // namespace axon::config
