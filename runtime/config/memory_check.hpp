// Whether a training or pretraining job can fit this process's memory: checked with the
// config, so that an impossible model size is refused (exit 2, nothing written) instead
// of failing in an actor after the run directory exists.
#pragma once

#include "runtime/config/resolved_config.hpp"

#include <string>

namespace axon::config {

/// The bytes a single-process job holds at least, about: every parameter four times per
/// replica and optimizer (weights and gradients per shard; weights, Adam m and v in the
/// optimizers) and the activations of one step's batch (per layer about 11 H + 2 I floats
/// per token and the attention probabilities).
double job_memory_bytes(const resolved_config& cfg);

/// "" or the problem: the figure, this process's limit and the keys that decide. Jobs
/// with cluster.nodes spread over machines and are not checked here.
std::string check_job_memory(const resolved_config& cfg);

} // namespace axon::config
