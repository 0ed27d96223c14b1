// safetensors reading (bounded) and atomic writing.
#include "runtime/safetensors.hpp"

#include "runtime/path_text.hpp"
#include "runtime/whole_file.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <unistd.h>

namespace axon {

namespace {

constexpr std::uint64_t max_header_bytes = 100u << 20; // 100 MiB of JSON is already absurd

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": not a valid safetensors file: " + what);
}

struct stored_type {
  std::string_view name;
  std::size_t bytes;
  dtype loaded_as;
};

stored_type parse_dtype(const std::string& path, const std::string& tensor_name,
                        const std::string& name) {
  if (name == "F32") return {"F32", 4, dtype::f32};
  if (name == "BF16") return {"BF16", 2, dtype::bf16};
  if (name == "I32") return {"I32", 4, dtype::i32};
  if (name == "F16") return {"F16", 2, dtype::f32};
  if (name == "F64") return {"F64", 8, dtype::f32};
  if (name == "I64") return {"I64", 8, dtype::i32};
  fail(path, "tensor " + tensor_name + " has dtype " + name
               + " (supported: F32, BF16, F16, I32, F64, I64)");
}

std::string_view dtype_tag(dtype t) {
  switch (t) {
    case dtype::f32: return "F32";
    case dtype::bf16: return "BF16";
    case dtype::i32: return "I32";
  }
  return "?";
}

// IEEE half -> float, exactly (subnormals, infinities and NaN included).
float f16_to_f32(std::uint16_t h) {
  std::uint32_t sign = std::uint32_t{h & 0x8000u} << 16, exponent = (h >> 10) & 0x1fu,
                mantissa = h & 0x3ffu;
  if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  std::uint32_t bits = exponent == 0x1f ? sign | 0x7f800000u | (mantissa << 13)
                                        : sign | ((exponent + 112) << 23) | (mantissa << 13);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

tensor decode(const std::string& path, const std::string& name, const stored_type& type,
              const shape& sizes, const char* bytes) {
  auto out = tensor::empty(sizes, type.loaded_as);
  auto n = sizes.numel();
  if (type.name == "F16") {
    for (std::int64_t i = 0; i < n; ++i) {
      std::uint16_t v;
      std::memcpy(&v, bytes + i * 2, 2);
      out.data<float>()[i] = f16_to_f32(v);
    }
  } else if (type.name == "F64") {
    for (std::int64_t i = 0; i < n; ++i) {
      double v;
      std::memcpy(&v, bytes + i * 8, 8);
      out.data<float>()[i] = static_cast<float>(v);
    }
  } else if (type.name == "I64") {
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t v;
      std::memcpy(&v, bytes + i * 8, 8);
      if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
        fail(path, "tensor " + name + " holds " + std::to_string(v) + ", outside the i32 range");
      out.data<std::int32_t>()[i] = static_cast<std::int32_t>(v);
    }
  } else {
    std::memcpy(out.raw(), bytes, out.nbytes());
  }
  return out;
}

} // namespace

const tensor& safetensors_file::at(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end())
    throw std::out_of_range(path + ": no tensor named " + name);
  return it->second;
}

safetensors_file read_safetensors(const std::string& path) {
  const auto read = read_whole_file(path);
  if (!read.error.empty())
    throw std::runtime_error(path_in_error(path) + ": " + read.error);
  const std::string& file = read.bytes;
  if (file.size() < 8)
    fail(path, "shorter than the 8-byte header length");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i)
    header_len = (header_len << 8) | static_cast<unsigned char>(file[i]);
  if (header_len > max_header_bytes || header_len > file.size() - 8)
    fail(path, "header length " + std::to_string(header_len) + " exceeds the file");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.begin() + 8, file.begin() + 8 + header_len);
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string{"header is not JSON: "} + e.what());
  }
  if (!header.is_object())
    fail(path, "header is not a JSON object");
  const char* data = file.data() + 8 + header_len;
  const std::uint64_t data_len = file.size() - 8 - header_len;
  safetensors_file result;
  result.path = path;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object())
        fail(path, "__metadata__ is not an object");
      for (auto& [key, value] : entry.items())
        if (value.is_string())
          result.metadata[key] = value.get<std::string>();
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape")
        || !entry.contains("data_offsets") || !entry["dtype"].is_string()
        || !entry["shape"].is_array() || !entry["data_offsets"].is_array()
        || entry["data_offsets"].size() != 2)
      fail(path, "entry " + name + " lacks dtype, shape or data_offsets");
    auto type = parse_dtype(path, name, entry["dtype"].get<std::string>());
    std::vector<std::int64_t> dims;
    std::uint64_t numel = 1;
    for (auto& d : entry["shape"]) {
      if (!d.is_number_unsigned() || dims.size() == shape::max_rank)
        fail(path, "tensor " + name + " has an invalid shape");
      auto extent = d.get<std::uint64_t>();
      if (extent != 0 && numel > data_len / extent)
        fail(path, "tensor " + name + " is larger than the file");
      numel *= extent;
      dims.push_back(static_cast<std::int64_t>(extent));
    }
    auto& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      fail(path, "tensor " + name + " has invalid data_offsets");
    auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
    if (begin > end || end > data_len)
      fail(path, "tensor " + name + " data_offsets [" + std::to_string(begin) + ","
                   + std::to_string(end) + "] fall outside the " + std::to_string(data_len)
                   + " data bytes (truncated file?)");
    if (end - begin != numel * type.bytes)
      fail(path, "tensor " + name + " has " + std::to_string(end - begin) + " bytes, its shape needs "
                   + std::to_string(numel * type.bytes));
    shape sizes{std::span<const std::int64_t>{dims}};
    result.tensors.emplace(name, decode(path, name, type, sizes, data + begin));
  }
  return result;
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object(); // no tensors: "{}"
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (auto& [name, t] : tensors) {
    if (!t.where().is_cpu())
      throw std::invalid_argument("write_safetensors: tensor " + name + " is not on the host");
    auto dims = t.sizes().dims();
    header[name] = {{"dtype", dtype_tag(t.type())},
                    {"shape", std::vector<std::int64_t>(dims.begin(), dims.end())},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  auto text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // keep the data 8-byte aligned
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    throw std::runtime_error(tmp + ": cannot open for writing: " + std::strerror(errno));
  auto write_all = [&](const void* bytes, std::size_t n) {
    auto* p = static_cast<const char*>(bytes);
    while (n > 0) {
      auto written = ::write(fd, p, n);
      if (written < 0) {
        auto reason = std::string{std::strerror(errno)};
        ::close(fd);
        std::remove(tmp.c_str());
        throw std::runtime_error(tmp + ": write failed: " + reason);
      }
      p += written;
      n -= static_cast<std::size_t>(written);
    }
  };
  unsigned char len[8];
  std::uint64_t header_len = text.size();
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(header_len >> (8 * i));
  write_all(len, 8);
  write_all(text.data(), text.size());
  for (auto& [name, t] : tensors)
    write_all(t.raw(), t.nbytes());
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(tmp + ": fsync/close failed: " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": rename from " + tmp + " failed: " + std::strerror(errno));
}

} // namespace axon
