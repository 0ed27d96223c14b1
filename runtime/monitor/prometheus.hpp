// The job's metrics in Prometheus text exposition format (version 0.0.4), served on
// monitor.prometheus-port: per-actor gauges and counters labelled by actor, kind and node
// (axon_actor_mailbox_depth{actor="shard0.stage0",...}), per-edge ones labelled by from
// and to, and the training series (axon_train_loss, axon_tokens_per_second, ...).
#pragma once

#include "runtime/monitor/job_view.hpp"

#include <string>

namespace axon::monitor {

std::string prometheus_text(const job_view& view);

/// `value` with \, " and newlines escaped, as a label value needs.
std::string escape_label(const std::string& value);

} // namespace axon::monitor
