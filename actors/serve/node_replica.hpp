// The "serve.replica" kind of a node process (`axon node`, placement.nodes): a replica
// that holds its own model, loaded on the node from the run directory and checkpoint
// folder its serve_replica_setup names (the node must see the run at the same path). The
// model is loaded when the replica is placed, so a run the node cannot load fails
// `axon serve` at start, naming the node's problem. After a reload in the serving process
// the first batch of the new generation names another checkpoint: the replica loads it
// then (that batch waits for the load) and drops the old model, so a node holds one
// model per replica, on the device its setup names (placement.devices; checked before
// loading). Batches of one replica arrive in admission order, so their generations never
// go back.
#pragma once

#include "actors/serve/serve_model.hpp"
#include "runtime/graph/actor_graph.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace axon {

/// Loads the model of `run_dir`'s `checkpoint` folder to compute where `on` says; throws
/// std::exception naming what is missing or damaged (or the device out of reach).
using serve_model_loader = std::function<serve_model_ptr(
  const std::string& run_dir, const std::string& checkpoint, const replica_compute& on)>;

/// The node's factory of "serve.replica" (parameters: a serve_replica_setup). A replica
/// whose setup ships the run (serve.ship-run: always, or auto when this node does not see
/// the run directory) copies it into `cache_root` first (run_files.hpp), each request
/// waiting at most `timeout`.
node_factory node_replica_factory(serve_model_loader load, std::string cache_root,
                                  std::chrono::milliseconds timeout);

} // namespace axon
