// The node's replica kind: see node_replica.hpp.
#include "actors/serve/node_replica.hpp"

#include "actors/serve/replica_actor.hpp"
#include "actors/serve/run_files.hpp"
#include "ops/compute.hpp"
#include "runtime/graph/error.hpp"
#include "runtime/graph/factory_of.hpp"

#include <filesystem>

namespace axon {

namespace {

// The one model a node's replica holds and the generation it serves (the service starts
// with generation 0; each reload makes a new one, perhaps of a folder written anew under
// the same name, so a new generation is loaded whatever its folder's name). Used by the
// replica's own thread only (it is detached), so no lock.
struct held_model {
  serve_model_loader load;
  std::string run_dir;
  replica_compute on;
  std::uint64_t generation = 0;
  serve_model_ptr model; // null after a failed load: the next batch tries again

  serve_model_ptr operator()(const msg::serve_batch& batch) {
    if (!model || batch.generation != generation) {
      model.reset(); // the old weights go before the new ones come
      model = load(run_dir, batch.checkpoint, on);
      generation = batch.generation;
    }
    return model;
  }
};

} // namespace

node_factory node_replica_factory(serve_model_loader load, std::string cache_root,
                                  std::chrono::milliseconds timeout) {
  return factory_of<serve_replica_setup>(
    [load, cache_root, timeout](caf::actor_system& sys,
                                const serve_replica_setup& s) -> caf::expected<caf::actor> {
      try { // the device first: a load that fails for it is no matter of the run's path
        ops::check_device(device::parse(s.compute.device));
      } catch (const std::exception& e) {
        return make_error(errc::bad_input, replica_name(s.index) + " cannot compute on "
                                             + s.compute.device + " on this node: " + e.what());
      }
      const bool ship = s.files && (s.ship == "always"
                                    || (s.ship == "auto"
                                        && !std::filesystem::exists(
                                          std::filesystem::path{s.run_dir} / "config.ini")));
      // The run as the serving process names it, loaded here or from this node's copy.
      serve_model_loader load_here = load;
      if (ship)
        load_here = [load, cache_root, timeout, files = s.files,
                     &sys](const std::string& run_dir, const std::string& checkpoint,
                           const replica_compute& on) {
          auto [copy, folder] = fetch_run(sys, files, cache_root, run_dir, checkpoint, timeout);
          return load(copy, folder, on);
        };
      auto held =
        std::make_shared<held_model>(held_model{load_here, s.run_dir, s.compute, 0, nullptr});
      try {
        held->model = load_here(s.run_dir, s.checkpoint, s.compute);
      } catch (const std::exception& e) {
        return make_error(errc::bad_input,
                          replica_name(s.index) + " cannot load " + s.checkpoint
                            + (ship ? " on this node (copied from the serving process into "
                                        + cache_root + "): "
                                    : " on this node (it must see the run directory at the "
                                      "same path, or serve.ship-run ship it): ")
                            + e.what());
      }
      return spawn_serve_replica(sys, [held](const msg::serve_batch& batch) { return (*held)(batch); });
    });
}

} // namespace axon
