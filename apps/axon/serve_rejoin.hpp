// Replicas taken back (issue #23): a replica on a node process that died is lost to the
// batcher (503 for its batch, no batch after). Once a second, take_back_replicas asks the
// batcher which replicas are gone and, for each placed on a node process, tries to connect
// to that node again (cluster.timeout at most); when the node answers (restarted on its
// address), the replica is spawned there anew, linked to the KG service when the run has
// one, and wired to the batcher, which gives it batches again. Replicas in this process
// are never lost but with it.
#pragma once

#include "actors/cluster/graph_process.hpp"
#include "runtime/graph/actor_graph.hpp"

#include <caf/actor.hpp>

#include <chrono>

namespace axon::app {

/// One round: every lost replica whose node answers within `within` is spawned and wired
/// again; says on stdout which came back (stderr: which could not be respawned, and why).
void take_back_replicas(graph_process& process, const actor_graph& graph,
                        running_graph& running, const caf::actor& batcher,
                        std::chrono::milliseconds within);

} // namespace axon::app
