// wire sink actor: receives tensors and answers each with its size in bytes. `axon bench
// wire` places one on a node process to measure how fast tensors cross the process
// boundary (kind "axon.wire.sink", no parameters).
#pragma once

#include "runtime/graph/actor_graph.hpp"

namespace axon {

/// The kind table entry of the wire sink.
std::pair<std::string, node_factory> wire_sink_kind();

} // namespace axon
