// What a config's placement.devices and compute.* keys say: which stage and optimizer
// actors compute on which device.
//   [placement]
//   devices = ["shard0.*=cuda:0", "optimizer*=cuda:0"]   ; first matching pattern wins
//   [compute]
//   precision = bf16
#pragma once

#include "ops/gemm_precision.hpp" // the enum only: nothing of axon_ops is linked
#include "runtime/config/resolved_config.hpp"
#include "runtime/dtype.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axon::config {

/// Actors whose names match `pattern` (glob: `*` any run, `?` one character) compute on
/// `where`.
struct device_rule {
  std::string pattern;
  device where;
};

/// "PATTERN=DEVICE" (placement.devices), or the problem.
std::optional<device_rule> parse_device_rule(std::string_view entry, std::string& problem);
/// The rules of a validated config, in order.
std::vector<device_rule> device_rules_of(const resolved_config& cfg);
/// Where actor `name` computes under `rules`: the first rule whose pattern matches it, else
/// the host.
device device_of(const std::vector<device_rule>& rules, std::string_view name);
/// The GEMM arithmetic compute.* asks of actors on a device: bf16 (compute.precision), tf32
/// (compute.tf32) or f32.
ops::gemm_precision gemm_precision_of(const resolved_config& cfg);
/// "" or the problem with placement.devices and compute.*: an entry that does not parse,
/// compute.tf32 with compute.precision = bf16, fused attention without devices.
std::string check_device_keys(const resolved_config& cfg);

} // namespace axon::config
