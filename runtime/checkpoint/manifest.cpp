// manifest.msgpack encoding and its bounded, validating decoder.
// Layout: object 1 = map {"format": "axon-checkpoint", "version": 1, "step", "epoch",
// "optimizer_step", "loader_cursor": {"epoch", "position", "rng": [u64...]},
// "rng_states": {name: u64}, "config_hash", "best_metric": f64 or nil, "metrics_history"
// (JSON text), "files": [{"name", "bytes", "sha256"}...], "run_files": the same for
// the run directory's files (absent in older manifests)}; object 2 = SHA-256 hex of
// object 1's bytes.
#include "runtime/checkpoint/manifest.hpp"

#include "runtime/checkpoint/durable_files.hpp"

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace axon::checkpoint {

namespace {

constexpr std::string_view manifest_format = "axon-checkpoint";
// arrays, map pairs, string bytes, bin bytes, ext bytes, nesting depth
const msgpack::unpack_limit manifest_limits(std::size_t{1} << 20, std::size_t{1} << 16,
                                            std::size_t{1} << 28, 0, 0, 4);

template <class Packer>
void pack_str(Packer& pack, std::string_view text) {
  pack.pack_str(static_cast<std::uint32_t>(text.size()));
  pack.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

// The fields of one msgpack map, read with the field name in every error.
class map_reader {
public:
  map_reader(const msgpack::object& map, std::string context, const std::string& path)
    : context_(std::move(context)), path_(path) {
    if (map.type != msgpack::type::MAP)
      throw fail("is not a map");
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
      const auto& kv = map.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR)
        throw fail("has a key that is not a string");
      fields_.emplace(std::string{kv.key.via.str.ptr, kv.key.via.str.size}, &kv.val);
    }
  }

  bool has(const std::string& key) const { return fields_.contains(key); }

  const msgpack::object& at(const std::string& key) const {
    auto it = fields_.find(key);
    if (it == fields_.end())
      throw fail("lacks the field \"" + key + "\"");
    return *it->second;
  }

  template <class T>
  T get(const std::string& key) const {
    try {
      return at(key).as<T>();
    } catch (const msgpack::type_error&) {
      throw fail("field \"" + key + "\" has the wrong type");
    }
  }

  std::runtime_error fail(const std::string& what) const {
    return std::runtime_error(path_ + ": not a valid checkpoint manifest: " + context_ + " "
                              + what);
  }

private:
  std::string context_;
  const std::string& path_;
  std::map<std::string, const msgpack::object*> fields_;
};

template <class Packer>
void pack_entries(Packer& pack, const std::vector<file_entry>& entries) {
  pack.pack_array(static_cast<std::uint32_t>(entries.size()));
  for (const auto& f : entries) {
    pack.pack_map(3);
    pack_str(pack, "name");
    pack_str(pack, f.name);
    pack_str(pack, "bytes");
    pack.pack(f.bytes);
    pack_str(pack, "sha256");
    pack_str(pack, f.sha256);
  }
}

std::vector<file_entry> read_entries(const msgpack::object& array, const std::string& field,
                                     const std::string& path) {
  if (array.type != msgpack::type::ARRAY)
    throw std::runtime_error(path + ": not a valid checkpoint manifest: " + field
                             + " is not an array");
  std::vector<file_entry> entries;
  for (std::uint32_t i = 0; i < array.via.array.size; ++i) {
    map_reader entry{array.via.array.ptr[i], field + "[" + std::to_string(i) + "]", path};
    entries.push_back({entry.get<std::string>("name"), entry.get<std::uint64_t>("bytes"),
                       entry.get<std::string>("sha256")});
  }
  return entries;
}

} // namespace

std::string encode_manifest(const manifest& info) {
  msgpack::sbuffer body;
  msgpack::packer<msgpack::sbuffer> pack(body);
  pack.pack_map(12);
  pack_str(pack, "format");
  pack_str(pack, manifest_format);
  pack_str(pack, "version");
  pack.pack(manifest_version);
  pack_str(pack, "step");
  pack.pack(info.step);
  pack_str(pack, "epoch");
  pack.pack(info.epoch);
  pack_str(pack, "optimizer_step");
  pack.pack(info.optimizer_step);
  pack_str(pack, "loader_cursor");
  pack.pack_map(3);
  pack_str(pack, "epoch");
  pack.pack(info.cursor.epoch);
  pack_str(pack, "position");
  pack.pack(info.cursor.position);
  pack_str(pack, "rng");
  pack.pack(info.cursor.rng);
  pack_str(pack, "rng_states");
  pack.pack(info.rng_states);
  pack_str(pack, "config_hash");
  pack_str(pack, info.config_hash);
  pack_str(pack, "best_metric");
  if (info.best_metric)
    pack.pack_double(*info.best_metric);
  else
    pack.pack_nil();
  pack_str(pack, "metrics_history");
  pack_str(pack, info.metrics_history);
  pack_str(pack, "files");
  pack_entries(pack, info.files);
  pack_str(pack, "run_files");
  pack_entries(pack, info.run_files);
  std::string out{body.data(), body.size()};
  msgpack::sbuffer trailer;
  msgpack::packer<msgpack::sbuffer> pack_trailer(trailer);
  pack_str(pack_trailer, sha256_hex(out));
  out.append(trailer.data(), trailer.size());
  return out;
}

manifest decode_manifest(std::string_view bytes, const std::string& path) {
  auto fail = [&](const std::string& what) {
    return std::runtime_error(path + ": not a valid checkpoint manifest: " + what);
  };
  msgpack::object_handle body, trailer;
  std::size_t body_end = 0, end = 0;
  try {
    body = msgpack::unpack(bytes.data(), bytes.size(), body_end, nullptr, nullptr,
                           manifest_limits);
    end = body_end;
    trailer = msgpack::unpack(bytes.data(), bytes.size(), end, nullptr, nullptr,
                              manifest_limits);
  } catch (const std::exception& e) { // msgpack::unpack_error, or insufficient bytes
    throw fail(std::string{"msgpack: "} + e.what() + " (truncated or garbled file?)");
  }
  if (end != bytes.size())
    throw fail("trailing bytes after the checksum");
  if (trailer.get().type != msgpack::type::STR
      || trailer.get().as<std::string>() != sha256_hex(bytes.substr(0, body_end)))
    throw fail("its SHA-256 does not match its contents (the file is corrupt)");

  map_reader root{body.get(), "manifest", path};
  if (root.get<std::string>("format") != manifest_format)
    throw fail("format is not \"" + std::string{manifest_format} + "\"");
  if (auto version = root.get<int>("version"); version != manifest_version)
    throw fail("version " + std::to_string(version) + ", this build reads version "
               + std::to_string(manifest_version));
  manifest info;
  info.step = root.get<std::int64_t>("step");
  info.epoch = root.get<std::int64_t>("epoch");
  info.optimizer_step = root.get<std::int64_t>("optimizer_step");
  map_reader cursor{root.at("loader_cursor"), "loader_cursor", path};
  info.cursor.epoch = cursor.get<std::uint64_t>("epoch");
  info.cursor.position = cursor.get<std::uint64_t>("position");
  info.cursor.rng = cursor.get<std::vector<std::uint64_t>>("rng");
  info.rng_states = root.get<std::map<std::string, std::uint64_t>>("rng_states");
  info.config_hash = root.get<std::string>("config_hash");
  if (!root.at("best_metric").is_nil()) {
    info.best_metric = root.get<double>("best_metric");
    if (!std::isfinite(*info.best_metric)) // NaN: no later metric would ever count as better
      throw fail("best_metric is not a finite number");
  }
  info.metrics_history = root.get<std::string>("metrics_history");
  if (!nlohmann::json::accept(info.metrics_history))
    throw fail("metrics_history is not valid JSON");
  info.files = read_entries(root.at("files"), "files", path);
  if (root.has("run_files")) // absent in manifests written before it existed
    info.run_files = read_entries(root.at("run_files"), "run_files", path);
  return info;
}

} // namespace axon::checkpoint
