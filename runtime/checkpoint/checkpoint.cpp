// Checkpoint folders: atomic writing (tmp folder, fsync, rename), pruning, and verified
// loading with fallback to the newest valid checkpoint.
#include "runtime/checkpoint/checkpoint.hpp"

#include "runtime/checkpoint/durable_files.hpp"
#include "runtime/checkpoint/run_files.hpp"
#include "runtime/whole_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace axon::checkpoint {

namespace fs = std::filesystem;

namespace {

constexpr const char* model_file = "model.safetensors";
constexpr const char* optimizer_file = "optimizer.safetensors";
constexpr const char* manifest_file = "manifest.msgpack";
constexpr const char* best_file = "best.txt";
constexpr std::uintmax_t max_manifest_bytes = std::uintmax_t{1} << 30;

fs::path checkpoints_dir(const fs::path& run_dir) { return run_dir / "checkpoints"; }

std::string folder_name(std::int64_t step) { return "step-" + std::to_string(step); }

/// The N of "step-<N>" (digits only), or nothing.
std::optional<std::int64_t> parse_step(std::string_view name) {
  constexpr std::string_view prefix = "step-";
  if (!name.starts_with(prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 18)
    return std::nullopt;
  std::int64_t step = 0;
  auto digits = name.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::from_chars(digits.data(), digits.data() + digits.size(), step);
  return step;
}

checkpoint_error file_error(const fs::path& file, const std::string& what) {
  return checkpoint_error(file.string() + ": " + what);
}

void check_host_layout(const param_arena& arena, const param_arena& params, const char* role) {
  if (arena.count() > 0 && !arena.flat().where().is_cpu())
    throw std::invalid_argument(std::string{"checkpoint: the "} + role
                                + " arena is not in host memory; copy it to the host first");
  if (arena.count() != params.count())
    throw std::invalid_argument(std::string{"checkpoint: the "} + role + " arena has "
                                + std::to_string(arena.count()) + " tensors, the parameters "
                                + std::to_string(params.count()));
  for (std::size_t k = 0; k < params.count(); ++k)
    if (arena.specs()[k].name != params.specs()[k].name
        || !(arena.specs()[k].sizes == params.specs()[k].sizes))
      throw std::invalid_argument(std::string{"checkpoint: the "} + role + " arena differs from "
                                  "the parameters at " + params.specs()[k].name);
}

/// `file` holds exactly one f32 tensor "<spec name><suffix>" of the spec's shape per spec.
void check_tensors(const safetensors_file& file, const std::vector<param_spec>& specs,
                   const std::string& suffix) {
  for (const auto& spec : specs) {
    auto name = spec.name + suffix;
    auto it = file.tensors.find(name);
    if (it == file.tensors.end())
      throw file_error(file.path, "lacks tensor " + name);
    if (it->second.type() != dtype::f32 || !(it->second.sizes() == spec.sizes))
      throw file_error(file.path, "tensor " + name + " is " + it->second.describe()
                                      + ", expected f32" + spec.sizes.to_string());
  }
}

/// `file` holds no tensor besides "<spec name><suffix>" for the specs and suffixes.
void check_no_extra(const safetensors_file& file, const std::vector<param_spec>& specs,
                    std::initializer_list<std::string_view> suffixes) {
  std::set<std::string> expected;
  for (const auto& spec : specs)
    for (auto suffix : suffixes)
      expected.insert(spec.name + std::string{suffix});
  for (const auto& [name, t] : file.tensors)
    if (!expected.contains(name))
      throw file_error(file.path, "holds tensor " + name + ", which the model lacks");
}

/// The model's tensors as specs, in the file's (sorted) order.
std::vector<param_spec> specs_of(const safetensors_file& model) {
  std::vector<param_spec> specs;
  for (const auto& [name, t] : model.tensors) {
    if (t.type() != dtype::f32)
      throw file_error(model.path, "tensor " + name + " is " + t.describe() + ", expected f32");
    specs.push_back({name, t.sizes()});
  }
  return specs;
}

std::string read_small_file(const fs::path& file, std::uintmax_t limit) {
  auto read = read_whole_file(file, limit);
  if (!read.error.empty())
    throw file_error(file, read.error);
  return std::move(read.bytes);
}

void remove_leftovers(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator{dir})
    if (entry.path().filename().string().ends_with(".tmp"))
      fs::remove_all(entry.path());
}

void prune(const fs::path& run_dir, std::int64_t written_step, int keep,
           std::optional<std::int64_t> best) {
  int kept = 0;
  for (auto step : list_checkpoints(run_dir)) {
    if (step > written_step)
      continue;
    if (kept < keep) {
      ++kept;
      continue;
    }
    if (step != best)
      fs::remove_all(checkpoints_dir(run_dir) / folder_name(step));
  }
}

} // namespace

std::filesystem::path save_checkpoint(const std::filesystem::path& run_dir,
                                      const manifest& info, const param_arena& params,
                                      const param_arena& exp_avg,
                                      const param_arena& exp_avg_sq,
                                      const save_options& options) {
  if (options.keep < 1)
    throw std::invalid_argument("save_checkpoint: keep is " + std::to_string(options.keep)
                                + ", it must be at least 1");
  if (info.step < 0)
    throw std::invalid_argument("save_checkpoint: step is " + std::to_string(info.step)
                                + ", it must be >= 0");
  if (!nlohmann::json::accept(info.metrics_history))
    throw std::invalid_argument("save_checkpoint: metrics_history is not valid JSON");
  check_host_layout(params, params, "parameter");
  check_host_layout(exp_avg, params, "exp_avg");
  check_host_layout(exp_avg_sq, params, "exp_avg_sq");
  auto best = best_checkpoint(run_dir); // a garbled best.txt fails before anything is written

  auto dir = checkpoints_dir(run_dir);
  if (!fs::exists(dir)) {
    fs::create_directories(dir);
    fsync_folder(run_dir);
  }
  remove_leftovers(dir);
  auto name = folder_name(info.step);
  auto tmp = dir / (name + ".tmp");
  auto final_path = dir / name;
  try {
    fs::create_directory(tmp);
    std::vector<std::pair<std::string, tensor>> model, moments;
    for (std::size_t k = 0; k < params.count(); ++k) {
      const auto& param_name = params.specs()[k].name;
      model.emplace_back(param_name, params.tensors()[k]);
      moments.emplace_back(param_name + ".exp_avg", exp_avg.tensors()[k]);
      moments.emplace_back(param_name + ".exp_avg_sq", exp_avg_sq.tensors()[k]);
    }
    // "format": "pt" lets Hugging Face's from_pretrained read model.safetensors as well.
    write_safetensors((tmp / model_file).string(), model, {{"format", "pt"}});
    write_safetensors((tmp / optimizer_file).string(), moments,
                      {{"format", "pt"}, {"optimizer_step", std::to_string(info.optimizer_step)}});
    manifest complete = info;
    complete.files.clear();
    for (const char* file : {model_file, optimizer_file}) {
      auto digest = digest_file(tmp / file);
      complete.files.push_back({file, digest.bytes, digest.sha256});
    }
    complete.run_files = digest_run_files(run_dir);
    write_file_durably(tmp / manifest_file, encode_manifest(complete));
    fsync_folder(tmp);
    if (fs::exists(final_path)) // the same step again (a resumed run): swap it out
      fs::rename(final_path, dir / (name + ".replaced.tmp"));
    fs::rename(tmp, final_path);
    fsync_folder(dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw;
  }
  fs::remove_all(dir / (name + ".replaced.tmp"));
  if (options.is_best) {
    auto best_tmp = dir / (std::string{best_file} + ".tmp");
    write_file_durably(best_tmp, name + "\n");
    fs::rename(best_tmp, dir / best_file);
    fsync_folder(dir);
    best = info.step;
  }
  prune(run_dir, info.step, options.keep, best);
  return final_path;
}

namespace {

// The optimizer file of a whole load: moments for exactly the model's tensors, and the
// step the manifest names.
void check_optimizer(const loaded_checkpoint& result) {
  const auto& info = result.info;
  auto specs = specs_of(result.model);
  check_tensors(result.optimizer, specs, ".exp_avg");
  check_tensors(result.optimizer, specs, ".exp_avg_sq");
  check_no_extra(result.optimizer, specs, {".exp_avg", ".exp_avg_sq"});
  auto it = result.optimizer.metadata.find("optimizer_step");
  if (it == result.optimizer.metadata.end() || it->second != std::to_string(info.optimizer_step))
    throw file_error(result.optimizer.path,
                     "optimizer_step metadata is \""
                         + (it == result.optimizer.metadata.end() ? std::string{} : it->second)
                         + "\", the manifest says " + std::to_string(info.optimizer_step));
}

// What the caller expects: the job's config hash and the model's tensors.
void check_expected(const loaded_checkpoint& result, const expected_layout& expect,
                    const fs::path& manifest_path) {
  const auto& info = result.info;
  if (!expect.config_hash.empty() && info.config_hash != expect.config_hash
      && (expect.legacy_config_hash.empty() || info.config_hash != expect.legacy_config_hash))
    throw file_error(manifest_path, "config hash " + info.config_hash + " differs from this run's "
                                        + expect.config_hash
                                        + " (the checkpoint belongs to another configuration)");
  if (!expect.params.empty()) {
    check_tensors(result.model, expect.params, "");
    check_no_extra(result.model, expect.params, {""});
  }
}

} // namespace

std::vector<std::string> checkpoint_files(checkpoint_part part) {
  if (part == checkpoint_part::weights)
    return {manifest_file, model_file};
  return {manifest_file, model_file, optimizer_file};
}

loaded_checkpoint load_checkpoint(const std::filesystem::path& folder,
                                  const expected_layout& expect, checkpoint_part part) {
  const bool all = part == checkpoint_part::all;
  auto step = parse_step(folder.filename().string());
  if (!step)
    throw file_error(folder, "is not a checkpoint folder (named step-<N>)");
  auto manifest_path = folder / manifest_file;
  if (!fs::exists(manifest_path))
    throw file_error(manifest_path, "is missing (incomplete checkpoint)");
  loaded_checkpoint result;
  result.folder = folder;
  try {
    result.info = decode_manifest(read_small_file(manifest_path, max_manifest_bytes),
                                  manifest_path.string());
  } catch (const checkpoint_error&) {
    throw;
  } catch (const std::exception& e) {
    throw checkpoint_error(e.what());
  }
  const auto& info = result.info;
  if (info.step != *step)
    throw file_error(manifest_path, "says step " + std::to_string(info.step)
                                        + ", but its folder is " + folder_name(*step));
  for (const char* required : {model_file, optimizer_file})
    if (std::none_of(info.files.begin(), info.files.end(),
                     [&](const file_entry& f) { return f.name == required; }))
      throw file_error(manifest_path, std::string{"does not list "} + required);
  for (const auto& entry : info.files) {
    if (entry.name.empty() || entry.name == "." || entry.name == ".."
        || entry.name.find('/') != std::string::npos)
      throw file_error(manifest_path, "lists \"" + entry.name + "\", not a plain file name");
    if (!all && entry.name != model_file)
      continue; // not read: the weights are all inference needs
    auto path = folder / entry.name;
    if (!fs::exists(path))
      throw file_error(path, "is missing");
    file_digest digest;
    try {
      digest = digest_file(path);
    } catch (const std::exception& e) {
      throw checkpoint_error(e.what());
    }
    if (digest.bytes != entry.bytes)
      throw file_error(path, "has " + std::to_string(digest.bytes) + " bytes, the manifest says "
                                 + std::to_string(entry.bytes) + " (truncated or replaced file)");
    if (digest.sha256 != entry.sha256)
      throw file_error(path, "SHA-256 is " + digest.sha256 + ", the manifest says " + entry.sha256
                                 + " (the file is corrupt)");
  }
  try {
    result.model = read_safetensors((folder / model_file).string());
    if (all)
      result.optimizer = read_safetensors((folder / optimizer_file).string());
  } catch (const std::exception& e) {
    throw checkpoint_error(e.what());
  }
  if (all)
    check_optimizer(result);
  check_expected(result, expect, manifest_path);
  return result;
}

load_result load_latest_valid(const std::filesystem::path& run_dir,
                              const expected_layout& expect, checkpoint_part part) {
  load_result result;
  for (auto step : list_checkpoints(run_dir)) {
    auto folder = checkpoints_dir(run_dir) / folder_name(step);
    try {
      result.checkpoint = load_checkpoint(folder, expect, part);
      return result;
    } catch (const std::exception& e) {
      result.skipped.push_back({folder, e.what()});
    }
  }
  return result;
}

void restore(const loaded_checkpoint& checkpoint, const param_arena& params,
             const param_arena& exp_avg, const param_arena& exp_avg_sq) {
  check_host_layout(params, params, "parameter");
  check_host_layout(exp_avg, params, "exp_avg");
  check_host_layout(exp_avg_sq, params, "exp_avg_sq");
  check_tensors(checkpoint.model, params.specs(), "");
  check_no_extra(checkpoint.model, params.specs(), {""});
  check_tensors(checkpoint.optimizer, params.specs(), ".exp_avg");
  check_tensors(checkpoint.optimizer, params.specs(), ".exp_avg_sq");
  for (std::size_t k = 0; k < params.count(); ++k) {
    const auto& name = params.specs()[k].name;
    std::memcpy(params.tensors()[k].raw(), checkpoint.model.at(name).raw(),
                params.tensors()[k].nbytes());
    std::memcpy(exp_avg.tensors()[k].raw(), checkpoint.optimizer.at(name + ".exp_avg").raw(),
                exp_avg.tensors()[k].nbytes());
    std::memcpy(exp_avg_sq.tensors()[k].raw(),
                checkpoint.optimizer.at(name + ".exp_avg_sq").raw(),
                exp_avg_sq.tensors()[k].nbytes());
  }
}

std::vector<std::int64_t> list_checkpoints(const std::filesystem::path& run_dir) {
  std::vector<std::int64_t> steps;
  auto dir = checkpoints_dir(run_dir);
  if (!fs::is_directory(dir))
    return steps;
  for (const auto& entry : fs::directory_iterator{dir})
    if (entry.is_directory())
      if (auto step = parse_step(entry.path().filename().string()))
        steps.push_back(*step);
  std::sort(steps.rbegin(), steps.rend());
  return steps;
}

std::optional<std::int64_t> best_checkpoint(const std::filesystem::path& run_dir) {
  auto path = checkpoints_dir(run_dir) / best_file;
  if (!fs::exists(path))
    return std::nullopt;
  auto text = read_small_file(path, 64);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  auto step = parse_step(text);
  if (!step)
    throw file_error(path, "holds \"" + text + "\", expected step-<N>: fix or delete it");
  return step;
}

} // namespace axon::checkpoint
