// Config values as text: scalar parsing (integers, reals, timespans), formatting in INI
// syntax (exact round trip), the allowed-values description used in errors and the range
// and choice check shared by the schema (defaults) and the loader (user values).
#pragma once

#include "runtime/config/schema.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace axon::config {

/// Without leading and trailing spaces, tabs and carriage returns.
std::string_view trim(std::string_view text);

/// Decimal with an optional sign; nothing when the whole text is not one.
std::optional<std::int64_t> parse_int(std::string_view text);
/// "A=B" -> (A, B), both trimmed and non-empty (the first '=' splits); nullopt otherwise.
std::optional<std::pair<std::string, std::string>> split_pair(std::string_view entry);
/// A finite real ("5e-4", "0.1", "3"); nothing otherwise.
std::optional<double> parse_real(std::string_view text);
/// An integer count with a unit: ns, us, ms, s, min, h ("250ms", "5s").
std::optional<std::chrono::nanoseconds> parse_timespan(std::string_view text);

/// Shortest text that parses back to the same double; always has '.' or 'e' ("1.0", "5e-4").
std::string format_real(double x);
/// In the largest unit that divides it: "250ms", "5s", "2min".
std::string format_timespan(std::chrono::nanoseconds span);
/// In double quotes, with \" \\ \n \t \r escaped.
std::string quote(std::string_view text);
/// `v` in INI syntax for `key`'s type: 3, 5e-4, true, "runs/x", [0.8, 0.1, 0.1], 250ms.
std::string format_value(const key_spec& key, const value& v);

/// What `key` accepts, for errors: "an integer in [1, inf)", "one of "max", "min"".
std::string describe_allowed(const key_spec& key);
/// Whether `v` (of `key`'s type) is inside its range or among its choices.
bool is_allowed(const key_spec& key, const value& v);

} // namespace axon::config
