// The run directory's files that give a checkpoint its meaning: config.ini (the model and
// data settings), labels.txt (label id -> name) and vocab.txt (token id -> piece). A
// checkpoint's manifest holds their sizes and SHA-256 (manifest::run_files), so that a
// changed file (a permuted labels.txt flips every prediction) is found by resume, eval,
// predict and export instead of silently giving wrong answers.
#pragma once

#include "runtime/checkpoint/manifest.hpp"

#include <array>
#include <filesystem>
#include <vector>

namespace axon::checkpoint {

inline constexpr std::array<const char*, 3> run_file_names{"config.ini", "labels.txt",
                                                           "vocab.txt"};

/// Size and SHA-256 of each of run_file_names that exists in `run_dir`.
std::vector<file_entry> digest_run_files(const std::filesystem::path& run_dir);

/// Checks `run_dir`'s files against what `checkpoint` (a folder of that run) recorded in
/// `info.run_files`; throws checkpoint_error naming the file and what changed. Checkpoints
/// written before run files were recorded have none, and pass.
void verify_run_files(const std::filesystem::path& run_dir, const manifest& info,
                      const std::filesystem::path& checkpoint);

} // namespace axon::checkpoint
