// Checkpoint folders: round trip, keep-last-N with a best one, leftover temp folders,
// and damaged checkpoints (truncated, bit-flipped, garbled manifest, other config)
// refused with a message naming the file while the previous good one is used.
#include "runtime/checkpoint/checkpoint.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>
#include <unistd.h>

using namespace axon;
using namespace axon::checkpoint;
namespace fs = std::filesystem;

namespace {

struct temp_run_dir {
  fs::path path;
  temp_run_dir() {
    static int counter = 0;
    path = fs::temp_directory_path()
           / ("axon_ckpt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_run_dir() { fs::remove_all(path); }
};

std::vector<param_spec> small_specs() {
  return {{"bert.embeddings.word_embeddings.weight", {5, 4}},
          {"bert.embeddings.LayerNorm.weight", {4}, false},
          {"classifier.weight", {3, 4}},
          {"classifier.bias", {3}, false}};
}

// Parameters and AdamW moments of one layout, filled with values derived from `seed`.
struct training_arenas {
  param_arena params{small_specs()}, exp_avg = params.like(), exp_avg_sq = params.like();
  explicit training_arenas(float seed = 0.0f) {
    for (const auto* arena : {&params, &exp_avg, &exp_avg_sq}) {
      auto* x = arena->flat().data<float>();
      for (std::int64_t i = 0; i < arena->numel(); ++i)
        x[i] = seed + 0.001f * static_cast<float>(i) + (arena == &params ? 0.5f : 0.25f);
    }
  }
};

manifest manifest_at(std::int64_t step) {
  manifest info;
  info.step = step;
  info.epoch = step / 10;
  info.optimizer_step = step;
  info.cursor = {static_cast<std::uint64_t>(step / 10), 32 * static_cast<std::uint64_t>(step),
                 {0x0123456789abcdefull, ~0ull, 7}};
  info.rng_states = {{"dropout_seed", 42}, {"shuffle_seed", 0xfeedfacecafebeefull}};
  info.config_hash = "sha256:0f1e2d";
  info.best_metric = 0.8125;
  info.metrics_history = R"([{"step":1,"loss":0.69},{"step":2,"loss":0.5}])";
  return info;
}

fs::path save(const fs::path& run, std::int64_t step, save_options options = {}) {
  training_arenas state{static_cast<float>(step)};
  return save_checkpoint(run, manifest_at(step), state.params, state.exp_avg, state.exp_avg_sq,
                         options);
}

bool same_bytes(const param_arena& a, const param_arena& b) {
  return a.flat().nbytes() == b.flat().nbytes()
         && std::memcmp(a.flat().raw(), b.flat().raw(), a.flat().nbytes()) == 0;
}

// Loading falls back from a damaged step-2 to step-1, with a reason naming `file`.
void expect_fallback_to_step_1(const fs::path& run, const std::string& file,
                               const std::string& fragment) {
  auto result = load_latest_valid(run);
  BOOST_REQUIRE(result.checkpoint.has_value());
  BOOST_TEST(result.checkpoint->info.step == 1);
  BOOST_REQUIRE_EQUAL(result.skipped.size(), 1u);
  const auto& reason = result.skipped[0].reason;
  BOOST_TEST_INFO(reason);
  BOOST_TEST(result.skipped[0].folder.filename() == "step-2");
  BOOST_TEST(reason.find("step-2/" + file) != std::string::npos);
  BOOST_TEST(reason.find(fragment) != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(checkpoints)

BOOST_AUTO_TEST_CASE(round_trip_restores_parameters_moments_and_manifest) {
  temp_run_dir run;
  training_arenas saved{3.0f};
  auto info = manifest_at(12);
  auto folder = save_checkpoint(run.path, info, saved.params, saved.exp_avg, saved.exp_avg_sq);
  BOOST_TEST(folder == run.path / "checkpoints" / "step-12");
  for (const char* file : {"model.safetensors", "optimizer.safetensors", "manifest.msgpack"})
    BOOST_TEST(fs::is_regular_file(folder / file));

  auto result = load_latest_valid(run.path, {info.config_hash, small_specs(), {}});
  BOOST_REQUIRE(result.checkpoint.has_value());
  BOOST_TEST(result.skipped.empty());
  const auto& loaded = *result.checkpoint;
  BOOST_REQUIRE_EQUAL(loaded.info.files.size(), 2u);
  for (const auto& entry : loaded.info.files) {
    BOOST_TEST(entry.bytes == fs::file_size(folder / entry.name));
    BOOST_TEST(entry.sha256.size() == 64u);
  }
  info.files = loaded.info.files;
  BOOST_TEST((loaded.info == info));
  // Hugging Face names in the model file, "<name>.exp_avg(_sq)" in the optimizer file.
  BOOST_TEST(loaded.model.tensors.count("classifier.weight") == 1u);
  BOOST_TEST(loaded.optimizer.tensors.count("classifier.weight.exp_avg_sq") == 1u);

  training_arenas restored{-1.0f};
  restore(loaded, restored.params, restored.exp_avg, restored.exp_avg_sq);
  BOOST_TEST(same_bytes(restored.params, saved.params));
  BOOST_TEST(same_bytes(restored.exp_avg, saved.exp_avg));
  BOOST_TEST(same_bytes(restored.exp_avg_sq, saved.exp_avg_sq));
}

BOOST_AUTO_TEST_CASE(manifest_without_best_metric_round_trips) {
  auto info = manifest_at(0);
  info.best_metric.reset();
  info.rng_states.clear();
  info.cursor.rng.clear();
  info.files = {{"model.safetensors", 123, std::string(64, 'a')}};
  BOOST_TEST((decode_manifest(encode_manifest(info), "m") == info));
}

BOOST_AUTO_TEST_CASE(keeps_the_newest_n_and_the_best) {
  temp_run_dir run;
  for (std::int64_t step = 1; step <= 5; ++step)
    save(run.path, step, {.keep = 2, .is_best = step == 2});
  BOOST_TEST(list_checkpoints(run.path) == (std::vector<std::int64_t>{5, 4, 2}),
             boost::test_tools::per_element());
  BOOST_TEST(best_checkpoint(run.path).value_or(-1) == 2);

  save(run.path, 6, {.keep = 2, .is_best = true});
  BOOST_TEST(list_checkpoints(run.path) == (std::vector<std::int64_t>{6, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(best_checkpoint(run.path).value_or(-1) == 6);
  BOOST_CHECK_THROW(save(run.path, 7, {.keep = 0}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(leftover_temp_folders_are_ignored_then_cleaned) {
  temp_run_dir run;
  save(run.path, 3);
  auto leftover = run.path / "checkpoints" / "step-9.tmp"; // a crash mid-write
  fs::create_directories(leftover);
  std::ofstream{leftover / "model.safetensors"} << "half a file";
  auto result = load_latest_valid(run.path);
  BOOST_REQUIRE(result.checkpoint.has_value());
  BOOST_TEST(result.checkpoint->info.step == 3);
  BOOST_TEST(result.skipped.empty());
  BOOST_TEST(fs::exists(leftover)); // loading changes nothing

  save(run.path, 4);
  BOOST_TEST(!fs::exists(leftover));
  BOOST_TEST(list_checkpoints(run.path) == (std::vector<std::int64_t>{4, 3}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(saving_a_step_again_replaces_it) {
  temp_run_dir run;
  save(run.path, 5);
  training_arenas other{100.0f};
  save_checkpoint(run.path, manifest_at(5), other.params, other.exp_avg, other.exp_avg_sq);
  auto result = load_latest_valid(run.path);
  BOOST_REQUIRE(result.checkpoint.has_value());
  training_arenas restored;
  restore(*result.checkpoint, restored.params, restored.exp_avg, restored.exp_avg_sq);
  BOOST_TEST(same_bytes(restored.params, other.params));
  BOOST_TEST(!fs::exists(run.path / "checkpoints" / "step-5.replaced.tmp"));
}

BOOST_AUTO_TEST_CASE(truncated_model_is_refused) {
  temp_run_dir run;
  save(run.path, 1);
  auto folder = save(run.path, 2);
  fs::resize_file(folder / "model.safetensors", fs::file_size(folder / "model.safetensors") - 5);
  expect_fallback_to_step_1(run.path, "model.safetensors", "truncated");
}

BOOST_AUTO_TEST_CASE(bit_flip_in_optimizer_state_is_refused) {
  temp_run_dir run;
  save(run.path, 1);
  auto folder = save(run.path, 2);
  std::fstream file{folder / "optimizer.safetensors", std::ios::in | std::ios::out | std::ios::binary};
  file.seekg(-3, std::ios::end);
  char byte = 0;
  file.read(&byte, 1);
  byte ^= 0x10;
  file.seekp(-3, std::ios::end);
  file.write(&byte, 1);
  file.close();
  expect_fallback_to_step_1(run.path, "optimizer.safetensors", "SHA-256");
}

// Inference reads the weights only (checkpoint_part::weights): a checkpoint without its
// optimizer state loads for it, with the same weights, and is refused for training; a
// damaged model file is refused either way.
BOOST_AUTO_TEST_CASE(a_weights_only_load_needs_no_optimizer_state) {
  temp_run_dir run;
  auto folder = save(run.path, 2);
  const auto whole = load_checkpoint(folder);
  fs::remove(folder / "optimizer.safetensors");
  BOOST_CHECK_THROW(load_checkpoint(folder), checkpoint_error);
  const auto weights = load_checkpoint(folder, {}, checkpoint_part::weights);
  BOOST_TEST(weights.optimizer.tensors.empty());
  BOOST_REQUIRE(weights.model.tensors.size() == whole.model.tensors.size());
  for (const auto& [name, t] : whole.model.tensors) {
    const auto& same = weights.model.at(name);
    BOOST_TEST((same.nbytes() == t.nbytes()
                && std::memcmp(same.raw(), t.raw(), t.nbytes()) == 0), name);
  }
  BOOST_TEST(load_latest_valid(run.path, {}, checkpoint_part::weights).checkpoint.has_value());
  BOOST_TEST(!load_latest_valid(run.path).checkpoint.has_value());
  BOOST_TEST(checkpoint_files(checkpoint_part::weights)
             == (std::vector<std::string>{"manifest.msgpack", "model.safetensors"}));
  fs::resize_file(folder / "model.safetensors", fs::file_size(folder / "model.safetensors") - 5);
  BOOST_CHECK_THROW(load_checkpoint(folder, {}, checkpoint_part::weights), checkpoint_error);
}

BOOST_AUTO_TEST_CASE(garbled_or_missing_manifest_is_refused) {
  temp_run_dir run;
  save(run.path, 1);
  auto folder = save(run.path, 2);
  {
    std::fstream file{folder / "manifest.msgpack", std::ios::in | std::ios::out | std::ios::binary};
    file.seekp(20);
    file.write("\xff\x00\x13", 3);
  }
  expect_fallback_to_step_1(run.path, "manifest.msgpack", "not a valid checkpoint manifest");
  fs::resize_file(folder / "manifest.msgpack", 10);
  expect_fallback_to_step_1(run.path, "manifest.msgpack", "truncated or garbled");
  fs::remove(folder / "manifest.msgpack");
  expect_fallback_to_step_1(run.path, "manifest.msgpack", "missing");
}

BOOST_AUTO_TEST_CASE(no_valid_checkpoint_reports_every_one_skipped) {
  temp_run_dir run;
  BOOST_TEST(!load_latest_valid(run.path).checkpoint.has_value());
  for (std::int64_t step : {1, 2}) {
    auto folder = save(run.path, step);
    fs::resize_file(folder / "model.safetensors", 100);
  }
  auto result = load_latest_valid(run.path);
  BOOST_TEST(!result.checkpoint.has_value());
  BOOST_REQUIRE_EQUAL(result.skipped.size(), 2u);
  BOOST_TEST(result.skipped[0].folder.filename() == "step-2");
  BOOST_TEST(result.skipped[1].folder.filename() == "step-1");
}

BOOST_AUTO_TEST_CASE(checkpoint_of_another_config_or_layout_is_refused) {
  temp_run_dir run;
  save(run.path, 1);
  auto result = load_latest_valid(run.path, {"sha256:other", {}, {}});
  BOOST_TEST(!result.checkpoint.has_value());
  BOOST_REQUIRE_EQUAL(result.skipped.size(), 1u);
  BOOST_TEST(result.skipped[0].reason.find("config hash") != std::string::npos);
  // The hash older versions wrote for the same job is accepted beside the current one.
  BOOST_TEST(load_latest_valid(run.path, {"sha256:other", {}, "sha256:0f1e2d"}).checkpoint.has_value());
  BOOST_TEST(!load_latest_valid(run.path, {"sha256:other", {}, "sha256:third"}).checkpoint.has_value());

  auto specs = small_specs();
  specs[2].sizes = shape{4, 4};
  result = load_latest_valid(run.path, {"", specs, {}});
  BOOST_REQUIRE_EQUAL(result.skipped.size(), 1u);
  BOOST_TEST_INFO(result.skipped[0].reason);
  BOOST_TEST(result.skipped[0].reason.find("classifier.weight") != std::string::npos);

  auto loaded = load_latest_valid(run.path);
  param_arena params{specs}, m = params.like(), v = params.like();
  try {
    restore(*loaded.checkpoint, params, m, v);
    BOOST_FAIL("restore into another layout must throw");
  } catch (const checkpoint_error& e) {
    BOOST_TEST_INFO(e.what());
    BOOST_TEST(std::string{e.what()}.find("classifier.weight") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
