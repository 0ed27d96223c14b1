// Shipping a run to node processes (serve.ship-run, docs/serving.md): a node that does not
// see the run directory at the serving process's path copies what a replica loads from
// the serving process instead, into its own cache (serve.node-cache), and loads the copy.
//
//   message                                 from -> to                  answer
//   (list_files_atom, checkpoint)           node replica -> run files   run_file_list
//   (fetch_file_atom, name, offset)         node replica -> run files   std::string: at
//                                                                       most 1 MiB from
//                                                                       offset ("" at end)
//
// Only a run's shippable files are listed and served (shippable_run_file): config.ini,
// labels.txt, vocab.txt, kg/<file> and checkpoints/<folder>/<file>, plain names under the
// run directory, and plain files (a symbolic link is refused: it could lead out of the
// run); any other name is refused. The copy is checked as every load checks a
// run: the checkpoint's manifest (size and SHA-256 of each file, the run files).
#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace axon {

/// Whether `name` (relative to a run directory) is a file a node may fetch.
bool shippable_run_file(std::string_view name);

/// The serving process's actor serving `run_dir`'s shippable files.
caf::actor spawn_run_files(caf::actor_system& sys, std::string run_dir);

/// The node side: copies the files a replica loads for `checkpoint` (a folder of
/// `run_dir`/checkpoints, both as the serving process names them) from `files` into a
/// folder of `cache_root` named after the run, and returns that copy's run directory and
/// checkpoint folder. Of the copy's checkpoint folders only this one and the newest other
/// one are kept, so the cache does not grow with reloads. Each request waits at most
/// `timeout`. Throws std::runtime_error naming what failed.
std::pair<std::string, std::string> fetch_run(caf::actor_system& sys, const caf::actor& files,
                                              const std::string& cache_root,
                                              const std::string& run_dir,
                                              const std::string& checkpoint,
                                              std::chrono::milliseconds timeout);

} // namespace axon
