// Fuzz target: the config loader (CAF's INI dialect: groups, quoting, lists, timespans) with
// the training schema's validation and rules, or the kg train schema (first byte odd). The
// input's first line, if it starts with "--", is one override flag. Errors are values
// (load_result::errors), so any exception is a finding.
#include "test/fuzz/fuzz_target.hpp"

#include "runtime/config/kg_train_schema.hpp"
#include "runtime/config/load.hpp"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto& keys = (data[0] & 1) ? axon::config::kg_train_schema()
                                   : axon::config::train_schema();
  auto text = axon::fuzz::as_text(data + 1, size - 1);
  std::vector<std::string> overrides;
  if (text.starts_with("--")) {
    const auto end = text.find('\n');
    overrides.emplace_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  auto result = axon::config::load_config(text, "fuzz.ini", overrides, keys);
  // A result is either a resolved config or errors, never both or neither.
  if (result.resolved.has_value() == !result.errors.empty())
    __builtin_trap();
  if (result.resolved) {
    // What a run writes (config.ini) must load again to the same values.
    auto again = axon::config::load_config(result.resolved->to_ini(), "again.ini", {}, keys);
    if (!again.resolved || again.resolved->hash() != result.resolved->hash())
      __builtin_trap();
  } else {
    (void)result.error_text();
  }
  return 0;
}
