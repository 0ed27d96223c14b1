// Replicas taken back (issue #23): a replica on a node process that died is lost to the
// batcher (503 for its batch, no batch after). Once a second, replica_keeper::round asks
// the batcher which replicas are gone and, for each placed on a node process, tries to
// connect to that node again (cluster.timeout at most); when the node answers (restarted
// on its address), the replica is spawned there anew, linked to the KG service when the
// run has one, and wired to the batcher, which gives it batches again. A replica whose
// node has not come back for serve.move-lost-after is spawned in this process instead,
// and stays here. Replicas in this process are never lost but with it.
//
// The KG service (a run that fuses a KG) may run on a node process too: when it is gone
// (its node died or was silent for cluster.timeout, or the console killed it), the round
// spawns it anew in this process at once (it holds only the run's saved KG, which this
// process has) and links every replica to it; the batches that lost it meanwhile are
// answered 503. It stays here.
#pragma once

#include "actors/cluster/graph_process.hpp"
#include "runtime/graph/actor_graph.hpp"

#include <caf/actor.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
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

  /// One round: a lost KG service is spawned here and linked to the replicas; every lost
  /// replica whose node answers is spawned and wired again there, every one lost for
  /// move_after here; says on stdout which came back (stderr: which could not be spawned,
  /// and why, once per reason).
  void round();

private:
  using clock = std::chrono::steady_clock;
  // The KG service's part of a round (nothing for a run without one).
  void keep_kg();
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
  std::optional<caf::scoped_actor> kg_watch_; // monitors the KG service (made by round's thread)
  caf::actor watched_kg_;                     // the one kg_watch_ monitors
};

} // namespace axon::app
