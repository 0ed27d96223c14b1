// resolved_config: every key of a schema with a valid value (file, override or default),
// read through typed getters, written back as INI (to_ini) and identified by a hash.
// Only the loader (load.hpp) makes one, so a value read here needs no more checks.
#pragma once

#include "runtime/config/schema.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace axon::config {

class resolved_config {
public:
  // Typed getters by "group.key". A key that is not in the schema, or is of another type,
  // is a programming error: std::logic_error.
  std::int64_t get_int(std::string_view key) const;
  double get_real(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  /// string, path and enum keys.
  const std::string& get_string(std::string_view key) const;
  const std::vector<double>& get_reals(std::string_view key) const;
  const std::vector<std::string>& get_strings(std::string_view key) const;
  std::chrono::nanoseconds get_timespan(std::string_view key) const;

  const schema& keys() const { return *schema_; }
  /// The value of keys().keys()[index].
  const value& at(std::size_t index) const { return values_[index]; }

  /// Every group and key in schema order, defaults included, each key under a comment
  /// with its help and allowed values; the header names the hash. Loading it gives an
  /// equal config.
  std::string to_ini() const;
  /// One "group.key=value" line per key in schema order: what hash() hashes.
  std::string canonical_text() const;
  /// FNV-1a 64 of canonical_text(), 16 lower-case hex digits.
  std::string hash() const;

  friend bool operator==(const resolved_config& a, const resolved_config& b) {
    return a.schema_ == b.schema_ && a.values_ == b.values_;
  }

private:
  friend class config_loader;
  resolved_config(const schema& keys, std::vector<value> values)
    : schema_(&keys), values_(std::move(values)) {
  }
  /// The value of `key` as T, or std::logic_error (defined and used in the .cpp only).
  template <class T>
  const T& typed(std::string_view key) const;

  const schema* schema_;
  std::vector<value> values_;
};

} // namespace axon::config
