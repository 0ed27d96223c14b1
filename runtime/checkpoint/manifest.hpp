// The manifest of a checkpoint (manifest.msgpack): where training stands (step, epoch,
// optimizer step, loader cursor, RNG states, best metric, metrics history), which config
// it belongs to, the size and SHA-256 of every other file of the checkpoint folder, and
// those of the run directory's config, labels and vocabulary.
// The file holds two msgpack objects: the manifest map, then the SHA-256 of its bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axon::checkpoint {

/// Version of the manifest layout; a reader refuses any other.
inline constexpr int manifest_version = 1;

/// Where the data loader stands: the next sample it hands out is `position` of `epoch`,
/// shuffled by the generator whose state words are `rng`.
struct loader_cursor {
  std::uint64_t epoch = 0;
  std::uint64_t position = 0;
  std::vector<std::uint64_t> rng;
  friend bool operator==(const loader_cursor&, const loader_cursor&) = default;
};

/// One file of the checkpoint folder, named relative to it.
struct file_entry {
  std::string name;
  std::uint64_t bytes = 0;
  std::string sha256; // 64 lowercase hex digits
  friend bool operator==(const file_entry&, const file_entry&) = default;
};

struct manifest {
  std::int64_t step = 0;           // training steps done; the folder is step-<step>
  std::int64_t epoch = 0;
  std::int64_t optimizer_step = 0; // AdamW's step count (bias correction)
  loader_cursor cursor;
  std::map<std::string, std::uint64_t> rng_states; // e.g. "dropout_seed"
  std::string config_hash;                         // of the training config; opaque here
  std::optional<double> best_metric;               // best validation metric so far
  std::string metrics_history = "[]";              // JSON text, opaque here but valid JSON
  std::vector<file_entry> files;                   // filled in by save_checkpoint
  // The run directory's files the checkpoint belongs to (config.ini, labels.txt,
  // vocab.txt; run_files.hpp), named relative to the run directory; filled in by
  // save_checkpoint. Empty in manifests written before it existed.
  std::vector<file_entry> run_files;
  friend bool operator==(const manifest&, const manifest&) = default;
};

/// The bytes of manifest.msgpack.
std::string encode_manifest(const manifest& info);
/// Parses manifest.msgpack bytes read from `path` (untrusted: bounded msgpack limits).
/// Throws std::runtime_error starting with `path` and saying what is wrong.
manifest decode_manifest(std::string_view bytes, const std::string& path);

} // namespace axon::checkpoint
