// Replicas taken back (issue #23): a replica on a node process that died is lost to the
// batcher (503 for its batch, no batch after). Once a second, replica_keeper::round asks
// the batcher which replicas are gone and, for each placed on a node process, tries to
// connect to that node again (cluster.timeout at most); when the node answers (restarted
// on its address), the replica is spawned there anew, linked to the KG service when the
// run has one, and wired to the batcher, which gives it batches again. A replica whose
// node has not come back for serve.move-lost-after is spawned in this process instead,
// and stays here. Replicas in this process are never lost but with it.
#pragma once

#include "actors/cluster/graph_process.hpp"
#include "runtime/graph/actor_graph.hpp"

#include <caf/actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace axon::app {

class replica_keeper {
public:
  /// `within`: how long a round tries to reach a lost node; `move_after`: how long a
  /// replica may stay lost before it moves to this process (0: never), where
  /// `bring_here(r)` gives replica r its model first (serve_reloader::bring_here).
  replica_keeper(graph_process& process, const actor_graph& graph, running_graph& running,
                 caf::actor batcher, std::chrono::milliseconds within,
                 std::chrono::milliseconds move_after,
                 std::function<void(std::size_t)> bring_here);

  /// One round: every lost replica whose node answers is spawned and wired again there,
  /// every one lost for move_after here; says on stdout which came back (stderr: which
  /// could not be spawned, and why, once per reason).
  void round();

private:
  using clock = std::chrono::steady_clock;
  // Spawns `name` anew (where `placed` says, else where the rules place it) and links it
  // to the KG service; says a failure on stderr once per reason. True when it runs.
  bool respawn(const std::string& name, const std::map<std::string, std::string>& placed);
  // Says `failure` of `name` on stderr unless it was the last one said.
  void say_failure(const std::string& name, std::string failure);

  graph_process& process_;
  const actor_graph& graph_;
  running_graph& running_;
  caf::actor batcher_;
  std::chrono::milliseconds within_, move_after_;
  std::function<void(std::size_t)> bring_here_;
  std::map<std::string, clock::time_point> lost_since_; // replicas lost, from when
  std::map<std::string, std::string> failures_;         // the failure last said, per replica
};

} // namespace axon::app
