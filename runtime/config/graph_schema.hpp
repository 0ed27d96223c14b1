// The schema of a user graph's config (docs/graphs.md): where its node processes are and
// how they connect ([cluster], every key of it), which node runs each graph node
// (placement.nodes) and the process's compute threads (train.threads). The keys and rules
// are those of train_schema(), so both kinds of config read the same way.
#pragma once

#include "runtime/config/schema.hpp"

namespace axon::config {

const schema& graph_schema();

} // namespace axon::config
