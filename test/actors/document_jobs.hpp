// Long-document jobs for actor tests (data.long-text = chunk): random documents of several
// windows, the batches a loader streams of them, the documents job on a placement, and its
// training losses with the coordinator's count of windows-mode steps. Shared by the CPU
// document graph tests and the GPU actor tests.
#pragma once

#include "actor_test_support.hpp"
#include "graphs/bert/document_head.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace axon::test {

inline constexpr std::int64_t document_cols = 12;
inline constexpr std::uint64_t windows_per_document_key = 8; // the loader's data.max-chunks

// Documents of 3, 1, 2, 4, 1 and 2 windows (13 rows of random windows), labels in [0, 3).
inline bert::batch random_documents(std::uint64_t seed) {
  const std::vector<std::int32_t> offsets{0, 3, 4, 6, 10, 11, 13};
  auto docs = random_batch(seed, offsets.back(), document_cols, 60, 3);
  docs.offsets = tensor::empty({std::int64_t(offsets.size())}, dtype::i32);
  std::copy(offsets.begin(), offsets.end(), docs.offsets.data<std::int32_t>());
  docs.labels = tensor::empty({std::int64_t(offsets.size()) - 1}, dtype::i32);
  fill_uniform_int(docs.labels, 0, 3, seed, 3);
  return docs;
}

inline std::int64_t documents_of(const bert::batch& docs) {
  return docs.offsets.size(0) - 1;
}

// Step s's batch as a loader streams it: documents s * D, ... of epoch 0, their windows
// keyed from (s * D) * max_chunks.
inline data::batch loader_batch(const bert::batch& docs, std::uint64_t step) {
  auto in = bert::job_batch(docs, 0, step * std::uint64_t(documents_of(docs)));
  in.window_position = in.position * windows_per_document_key;
  return in;
}

inline bert::job_layout document_job(int stages, int shards, int micro_batches,
                                     bert::window_pooling pooling, int micro_windows = 64) {
  auto job = tiny_job(stages, shards, micro_batches);
  job.model = bert::documents_config(job.model, pooling);
  job.micro_windows = micro_windows;
  job.max_grad_norm = 0; // the loop clips no arena (each would clip alone)
  return job;
}

// The coordinator's count of steps (or evaluations) run in windows mode.
inline std::uint64_t windows_mode(bert::pipeline& p, const char* counter) {
  std::istringstream lines{p.stats()}; // "name": {...} per line
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("\"coordinator\": "))
      return nlohmann::json::parse(line.substr(line.find('{')))[counter].get<std::uint64_t>();
  BOOST_FAIL("no coordinator in the pipeline's stats");
  return 0;
}

// The losses of `steps` steps, and how many of them ran in windows mode.
inline std::pair<std::vector<double>, std::uint64_t>
train_actors(caf::actor_system& sys, const bert::job_layout& job, int steps) {
  bert::pipeline p{sys, job};
  require_ok(p.init_params());
  std::vector<double> losses;
  for (int s = 0; s < steps; ++s)
    losses.push_back(
      value_of(p.train_step(loader_batch(random_documents(100 + s), s), s, 1e-3f)).first);
  return {losses, windows_mode(p, "windows_mode_steps")};
}

} // namespace axon::test
