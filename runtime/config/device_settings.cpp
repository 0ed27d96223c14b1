// device_settings: parsing and checks of placement.devices and compute.*.
#include "runtime/config/device_settings.hpp"

#include "runtime/config/cluster_settings.hpp"
#include "runtime/config/values.hpp"

#include <stdexcept>

namespace axon::config {

std::optional<device_rule> parse_device_rule(std::string_view entry, std::string& problem) {
  auto pair = split_pair(entry);
  if (!pair) {
    problem = "\"" + std::string{entry} + "\" is not PATTERN=DEVICE (e.g. \"shard0.*=cuda:0\")";
    return std::nullopt;
  }
  try {
    return device_rule{pair->first, device::parse(pair->second)};
  } catch (const std::invalid_argument& e) {
    problem = "\"" + std::string{entry} + "\": " + e.what();
    return std::nullopt;
  }
}

std::vector<device_rule> device_rules_of(const resolved_config& cfg) {
  std::vector<device_rule> rules;
  std::string problem;
  for (const auto& entry : cfg.get_strings("placement.devices"))
    if (auto rule = parse_device_rule(entry, problem))
      rules.push_back(*rule);
  return rules;
}

device device_of(const std::vector<device_rule>& rules, std::string_view name) {
  for (const auto& rule : rules)
    if (cluster::glob_match(rule.pattern, name))
      return rule.where;
  return device::cpu();
}

ops::gemm_precision gemm_precision_of(const resolved_config& cfg) {
  if (cfg.get_string("compute.precision") == "bf16")
    return ops::gemm_precision::bf16;
  return cfg.get_bool("compute.tf32") ? ops::gemm_precision::tf32 : ops::gemm_precision::f32;
}

std::string check_device_keys(const resolved_config& cfg) {
  std::string problem;
  const auto& entries = cfg.get_strings("placement.devices");
  for (const auto& entry : entries)
    if (!parse_device_rule(entry, problem))
      return "placement.devices: " + problem;
  if (entries.empty() && cfg.get_string("compute.attention") != "gemm")
    return "compute.attention = " + cfg.get_string("compute.attention")
           + " applies to actors on a CUDA device, and placement.devices places none";
  if (cfg.get_bool("compute.tf32") && cfg.get_string("compute.precision") != "f32")
    return "compute.tf32 = true applies to f32 GEMMs, but compute.precision = "
           + cfg.get_string("compute.precision") + ": set one of them";
  return "";
}

} // namespace axon::config
