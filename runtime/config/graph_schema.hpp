// The schema of a user graph's config (docs/graphs.md): where its node processes are and
// how they connect ([cluster], every key of it), which node runs each graph node
// (placement.nodes) and the process's compute threads (train.threads). The keys and rules
// are those of train_schema(), so both kinds of config read the same way.
#pragma once

#include "runtime/config/schema.hpp"

#include <functional>

namespace axon::config {

const schema& graph_schema();

/// The keys of train_schema() that `keep` keeps (by full name), their groups, and the rules
/// that read only kept keys: the schema of a command that reads part of a job's config
/// (graph_schema(), `axon serve`'s).
schema part_of_train_schema(const std::function<bool(const std::string& full_name)>& keep);

} // namespace axon::config
