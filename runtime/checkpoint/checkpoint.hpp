// Training checkpoints: RUN_DIR/checkpoints/step-<N>/ holds model.safetensors (parameters,
// Hugging Face names), optimizer.safetensors (AdamW moments "<name>.exp_avg" and
// "<name>.exp_avg_sq") and manifest.msgpack (see manifest.hpp). A folder is written as
// step-<N>.tmp/ and renamed once complete and fsynced, so a crash never damages an older
// checkpoint; loading verifies every file and falls back to the newest valid checkpoint.
// One writer per run folder. Layout and guarantees: docs/checkpoints.md.
#pragma once

#include "runtime/checkpoint/manifest.hpp"
#include "runtime/param_arena.hpp"
#include "runtime/safetensors.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace axon::checkpoint {

/// A checkpoint refused on load: the message names the file and what is wrong with it.
class checkpoint_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct save_options {
  int keep = 3;         // newest checkpoints kept (>= 1); the one marked best is kept besides
  bool is_best = false; // mark this checkpoint as the best (checkpoints/best.txt)
};

/// Writes RUN_DIR/checkpoints/step-<info.step>/ (replacing one of that step) and returns
/// its path. `info.files` and `info.run_files` (RUN_DIR's config.ini, labels.txt and
/// vocab.txt, run_files.hpp) are filled in here. Parameters and moments are host arenas of one
/// layout. Afterwards: leftover *.tmp entries are removed, best.txt names this step when
/// options.is_best, and of the checkpoints at or below this step only the `keep` newest
/// and the best survive (newer ones, from before a resume, are left to be overwritten).
/// Throws std::invalid_argument for bad arguments, checkpoint_error for a garbled best.txt
/// (both before writing), std::runtime_error for I/O failures (earlier checkpoints are then
/// untouched).
std::filesystem::path save_checkpoint(const std::filesystem::path& run_dir,
                                      const manifest& info, const param_arena& params,
                                      const param_arena& exp_avg,
                                      const param_arena& exp_avg_sq,
                                      const save_options& options = {});

/// What a resuming job expects; a checkpoint that differs is refused like a corrupt one.
struct expected_layout {
  std::string config_hash;        // empty: any
  std::vector<param_spec> params; // names and shapes; empty: any
  std::string legacy_config_hash; // accepted too (the same job hashed the way older Axon
                                  // versions did); empty: none
};

/// A verified checkpoint, read into memory.
struct loaded_checkpoint {
  std::filesystem::path folder;
  manifest info;
  safetensors_file model;     // parameters by Hugging Face name (f32)
  safetensors_file optimizer; // "<name>.exp_avg" and "<name>.exp_avg_sq" (f32)
};

/// What a load reads: the whole checkpoint (to resume training), or the weights only
/// (inference: predict, eval, serve), which neither reads nor needs the optimizer state.
enum class checkpoint_part { all, weights };

/// The files of a checkpoint folder that a load of `part` reads (manifest first).
std::vector<std::string> checkpoint_files(checkpoint_part part);

/// Reads and verifies one checkpoint folder: manifest checksum, format and step; size and
/// SHA-256 of each listed file; both safetensors files; moments for exactly the model's
/// tensors with their shapes; the optimizer step; `expect`. With checkpoint_part::weights,
/// only the model file is checked and read (`optimizer` stays empty). Throws
/// checkpoint_error naming the file and what is wrong.
loaded_checkpoint load_checkpoint(const std::filesystem::path& folder,
                                  const expected_layout& expect = {},
                                  checkpoint_part part = checkpoint_part::all);

struct skipped_checkpoint {
  std::filesystem::path folder;
  std::string reason; // checkpoint_error's message
};

struct load_result {
  std::optional<loaded_checkpoint> checkpoint; // empty: no valid checkpoint
  std::vector<skipped_checkpoint> skipped;     // newer checkpoints refused, newest first
};

/// Tries RUN_DIR/checkpoints/step-<N>/ from the highest N down and returns the first that
/// load_checkpoint accepts, with the refused ones. Ignores *.tmp folders; changes nothing.
load_result load_latest_valid(const std::filesystem::path& run_dir,
                              const expected_layout& expect = {},
                              checkpoint_part part = checkpoint_part::all);

/// Copies a loaded checkpoint into host arenas laid out as when it was saved; throws
/// checkpoint_error naming the first tensor that is absent or has another shape.
/// (The optimizer's step count is checkpoint.info.optimizer_step.)
void restore(const loaded_checkpoint& checkpoint, const param_arena& params,
             const param_arena& exp_avg, const param_arena& exp_avg_sq);

/// Steps of the step-<N> folders under RUN_DIR/checkpoints, highest first (unverified).
std::vector<std::int64_t> list_checkpoints(const std::filesystem::path& run_dir);
/// The step named by RUN_DIR/checkpoints/best.txt, if any.
std::optional<std::int64_t> best_checkpoint(const std::filesystem::path& run_dir);

} // namespace axon::checkpoint
