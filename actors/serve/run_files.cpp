// Shipping a run to node processes: see run_files.hpp.
#include "actors/serve/run_files.hpp"

#include "actors/serve/messages.hpp"
#include "runtime/checkpoint/checkpoint.hpp"
#include "runtime/graph/error.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace axon {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t chunk_bytes = 1 << 20; // per fetch: well below cluster.max-message-mb

// A plain file name: not empty, no '/', not "." or "..".
bool plain_name(std::string_view name) {
  return !name.empty() && name.find('/') == std::string_view::npos && name != "." && name != "..";
}

// A regular file itself, not a link (which could lead out of the run directory).
bool plain_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(path, ec));
}

// `names` (relative to the run) that are plain files, with their sizes.
void add_files(run_file_list& list, const fs::path& run_dir, std::vector<std::string> names) {
  for (auto& name : names)
    if (plain_file(run_dir / name)) {
      list.sizes.push_back(fs::file_size(run_dir / name));
      list.names.push_back(std::move(name));
    }
}

// The files directly inside run_dir/`prefix` (as `prefix`/name), sorted.
std::vector<std::string> folder_files(const fs::path& run_dir, const std::string& prefix) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(run_dir / prefix, ec))
    names.push_back(prefix + "/" + entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// What a replica loads for checkpoint folder `folder` of run_dir/checkpoints.
caf::expected<run_file_list> list_run(const fs::path& run_dir, const std::string& folder) {
  if (!plain_name(folder) || !fs::is_directory(run_dir / "checkpoints" / folder))
    return make_error(errc::bad_input, "no checkpoint folder \"" + folder + "\" in "
                                         + (run_dir / "checkpoints").string());
  run_file_list list;
  add_files(list, run_dir, {"config.ini", "labels.txt", "vocab.txt"});
  add_files(list, run_dir, folder_files(run_dir, "kg"));
  // What an inference load reads of the checkpoint: its manifest and weights, not the
  // optimizer state.
  std::vector<std::string> checkpoint;
  for (const auto& file : checkpoint::checkpoint_files(checkpoint::checkpoint_part::weights))
    checkpoint.push_back("checkpoints/" + folder + "/" + file);
  add_files(list, run_dir, std::move(checkpoint));
  return list;
}

caf::behavior run_files(caf::event_based_actor*, fs::path run_dir) {
  return {
    [run_dir](list_files_atom, const std::string& folder) { return list_run(run_dir, folder); },
    [run_dir](fetch_file_atom, const std::string& name,
              std::uint64_t offset) -> caf::result<std::string> {
      if (!shippable_run_file(name) || !plain_file(run_dir / name))
        return make_error(errc::bad_input, "\"" + name + "\" is not a file of a run a node may "
                                             "fetch");
      std::ifstream in{run_dir / name, std::ios::binary};
      if (!in)
        return make_error(errc::bad_input, (run_dir / name).string() + " cannot be read");
      in.seekg(0, std::ios::end);
      const auto size = std::uint64_t(in.tellg());
      if (offset >= size)
        return std::string{};
      std::string bytes(std::min(chunk_bytes, size - offset), '\0');
      in.seekg(std::streamoff(offset));
      in.read(bytes.data(), std::streamsize(bytes.size()));
      if (!in)
        return make_error(errc::bad_input, (run_dir / name).string() + " changed while read");
      return bytes;
    },
  };
}

// The cache folder of the run the serving process calls `run_dir`: its name and a hash of
// the path, so that two runs of one name do not share a copy.
fs::path cache_of(const std::string& cache_root, const std::string& run_dir) {
  std::ostringstream hex;
  hex << std::hex << std::hash<std::string>{}(run_dir);
  return fs::path{cache_root} / (fs::path{run_dir}.filename().string() + "-" + hex.str());
}

// The step of a checkpoint folder name ("step-12"), or -1.
std::int64_t step_of(const std::string& folder) {
  if (!folder.starts_with("step-") || folder.size() == 5)
    return -1;
  std::int64_t step = 0;
  for (char c : folder.substr(5)) {
    if (c < '0' || c > '9' || step > (std::int64_t{1} << 50))
      return -1;
    step = step * 10 + (c - '0');
  }
  return step;
}

// Keeps the copy's disk bounded: of its checkpoint folders, `current` and the newest other
// one stay (a replica may still be loading the previous generation's), the rest go.
void prune_copies(const fs::path& checkpoints, const std::string& current) {
  std::vector<std::pair<std::int64_t, fs::path>> others;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(checkpoints, ec))
    if (entry.is_directory() && entry.path().filename() != current)
      others.emplace_back(step_of(entry.path().filename().string()), entry.path());
  std::sort(others.begin(), others.end());
  for (std::size_t k = 0; k + 1 < others.size(); ++k)
    fs::remove_all(others[k].second, ec);
}

} // namespace

bool shippable_run_file(std::string_view name) {
  if (name == "config.ini" || name == "labels.txt" || name == "vocab.txt")
    return true;
  if (name.starts_with("kg/"))
    return plain_name(name.substr(3));
  if (!name.starts_with("checkpoints/"))
    return false;
  const auto rest = name.substr(12);
  const auto slash = rest.find('/');
  return slash != std::string_view::npos && plain_name(rest.substr(0, slash))
         && plain_name(rest.substr(slash + 1));
}

caf::actor spawn_run_files(caf::actor_system& sys, std::string run_dir) {
  return sys.spawn(run_files, fs::path{std::move(run_dir)});
}

std::pair<std::string, std::string> fetch_run(caf::actor_system& sys, const caf::actor& files,
                                              const std::string& cache_root,
                                              const std::string& run_dir,
                                              const std::string& checkpoint,
                                              std::chrono::milliseconds timeout) {
  const auto folder = fs::path{checkpoint}.filename().string();
  const auto copy = cache_of(cache_root, run_dir);
  caf::scoped_actor self{sys};
  auto failed = [&](const std::string& what, const caf::error& err) {
    return std::runtime_error("cannot copy " + what + " of " + run_dir + " from the serving "
                              "process: " + error_text(err));
  };
  run_file_list list;
  self->request(files, timeout, list_files_atom::value, folder)
    .receive([&](run_file_list& listed) { list = std::move(listed); },
             [&](caf::error& err) { throw failed("the list of files", err); });
  if (list.names.size() != list.sizes.size())
    throw std::runtime_error("the serving process listed " + std::to_string(list.names.size())
                             + " files with " + std::to_string(list.sizes.size()) + " sizes");
  for (std::size_t k = 0; k < list.names.size(); ++k) {
    const auto& name = list.names[k];
    if (!shippable_run_file(name))
      throw std::runtime_error("the serving process listed \"" + name + "\", not a run file");
    const auto target = copy / name;
    fs::create_directories(target.parent_path());
    std::ostringstream unique; // two replicas of the node may copy the same run at once
    unique << ".part-" << std::this_thread::get_id();
    const auto part = fs::path{target.string() + unique.str()};
    {
      std::ofstream out{part, std::ios::binary | std::ios::trunc};
      for (std::uint64_t offset = 0; offset < list.sizes[k];) {
        std::string bytes;
        self->request(files, timeout, fetch_file_atom::value, name, offset)
          .receive([&](std::string& chunk) { bytes = std::move(chunk); },
                   [&](caf::error& err) { throw failed(name, err); });
        if (bytes.empty())
          throw std::runtime_error(run_dir + "/" + name + " ended at " + std::to_string(offset)
                                   + " bytes, not " + std::to_string(list.sizes[k]));
        out.write(bytes.data(), std::streamsize(bytes.size()));
        offset += bytes.size();
      }
      if (!out)
        throw std::runtime_error("cannot write " + part.string());
    }
    fs::rename(part, target);
  }
  prune_copies(copy / "checkpoints", folder);
  return {copy.string(), (copy / "checkpoints" / folder).string()};
}

} // namespace axon
